import { add, abs, c, div, mul, scale, sqrt, sub, type Complex } from './complex.js';
import { faddeeva } from './faddeeva.js';

/**
 * Ground reflection by the image-source model: the receiver hears the direct
 * wave plus a wave reflected at the ground, delayed by the path difference and
 * weighted by the spherical-wave reflection coefficient Q of a porous ground
 * (Delany-Bazley impedance, Chien-Soroka/Attenborough boundary-loss factor).
 * Over soft forest floor Q tends to -1 at grazing incidence (phase inversion:
 * the classic "ground dip") and to +1 at low frequencies, where the ground
 * looks hard. Turbulence decorrelates the two paths at high frequencies and
 * long range, which fills the interference notches (partial coherence).
 *
 * Physics convention exp(-i w t) throughout this file; only the magnitude
 * leaves it, so the convention never meets the FFT code.
 */
export interface GroundParams {
  /** Muzzle height above ground, m (a standing shooter: about 1.5). */
  sourceHeightM: number;
  /** Microphone height above ground, m. */
  receiverHeightM: number;
  /**
   * Effective flow resistivity of the ground, kPa s m^-2 (cgs rayl).
   * Forest floor 10-80, grass 150-300, packed earth 1000+, asphalt 20000+.
   */
  flowResistivityKpaSPerM2: number;
  /**
   * Mean-square fluctuation of the refractive index (turbulence strength),
   * dimensionless. Calm night 1e-7, typical day 1e-6..1e-5; 0 = fully coherent.
   */
  turbulenceMu2: number;
}

/** Outer scale of the (Gaussian) turbulence spectrum, m. */
const TURBULENCE_SCALE_M = 1.1;

/** Path lengths of the direct and reflected rays and the grazing angle. */
export interface GroundGeometry {
  directM: number;
  reflectedM: number;
  /** Sine of the grazing angle of the reflected ray. */
  sinGrazing: number;
}

export function groundGeometry(horizontalM: number, ground: Readonly<GroundParams>): GroundGeometry {
  const hs = ground.sourceHeightM;
  const hr = ground.receiverHeightM;
  const directM = Math.hypot(horizontalM, hs - hr);
  const reflectedM = Math.hypot(horizontalM, hs + hr);
  return { directM, reflectedM, sinGrazing: (hs + hr) / reflectedM };
}

/** Normalised surface impedance of a porous ground (Delany & Bazley 1970). */
export function delanyBazleyImpedance(freqHz: number, flowResistivityKpaSPerM2: number): Complex {
  const x = Math.max(freqHz, 1) / flowResistivityKpaSPerM2;
  return c(1 + 9.08 * x ** -0.75, 11.9 * x ** -0.73);
}

/** Spherical-wave reflection coefficient Q = Rp + (1 - Rp) F(w). */
export function sphericalReflectionCoefficient(
  freqHz: number, geometry: GroundGeometry, flowResistivityKpaSPerM2: number, soundSpeedMps: number,
): Complex {
  const z = delanyBazleyImpedance(freqHz, flowResistivityKpaSPerM2);
  const s = geometry.sinGrazing;
  const zs = scale(z, s);
  const rp = div(sub(zs, c(1)), add(zs, c(1)));
  const k = (2 * Math.PI * freqHz) / soundSpeedMps;
  // Numerical distance w = sqrt(i k R2 / 2) (sin psi + 1/Z).
  const root = sqrt(c(0, (k * geometry.reflectedM) / 2));
  const w = mul(root, add(c(s), div(c(1), z)));
  const iw = c(-w.im, w.re);
  const f = add(c(1), scale(mul(iw, faddeeva(w)), Math.sqrt(Math.PI)));
  return add(rp, mul(sub(c(1), rp), f));
}

/**
 * Coherence of the direct and reflected waves under turbulence (Salomons 2001,
 * Gaussian spectrum): C = exp(-sigma^2 (1 - rho)).
 */
export function turbulenceCoherence(freqHz: number, geometry: GroundGeometry, ground: Readonly<GroundParams>, soundSpeedMps: number): number {
  if (ground.turbulenceMu2 <= 0) return 1;
  const k = (2 * Math.PI * freqHz) / soundSpeedMps;
  const range = geometry.directM;
  const scaleM = TURBULENCE_SCALE_M;
  const a = range > k * scaleM * scaleM ? 0.5 : 1;
  const sigma2 = a * Math.sqrt(Math.PI) * ground.turbulenceMu2 * k * k * range * scaleM;
  const hs = ground.sourceHeightM;
  const hr = ground.receiverHeightM;
  const separationM = (2 * hs * hr) / (hs + hr);
  const rho = separationM > 0 ? ((Math.sqrt(Math.PI) / 2) * (scaleM / separationM) * erf(separationM / scaleM)) : 1;
  return Math.exp(-sigma2 * (1 - rho));
}

/**
 * |p_total / p_direct| at `freqHz`: the gain the ground adds to the free-field
 * direct wave (about 2 over hard ground at low frequency, near 0 in a dip).
 */
export function groundGain(freqHz: number, horizontalM: number, ground: Readonly<GroundParams>, soundSpeedMps: number): number {
  const g = groundGeometry(horizontalM, ground);
  const q = scale(sphericalReflectionCoefficient(freqHz, g, ground.flowResistivityKpaSPerM2, soundSpeedMps), g.directM / g.reflectedM);
  const phase = ((2 * Math.PI * freqHz) / soundSpeedMps) * (g.reflectedM - g.directM);
  const cross = q.re * Math.cos(phase) - q.im * Math.sin(phase); // Re(q e^{i k dR})
  const coherence = turbulenceCoherence(freqHz, g, ground, soundSpeedMps);
  const qMag = abs(q);
  return Math.sqrt(Math.max(0, 1 + qMag * qMag + 2 * coherence * cross));
}

/** Delay of the reflected wave behind the direct one, s. */
export function reflectionDelaySec(horizontalM: number, ground: Readonly<GroundParams>, soundSpeedMps: number): number {
  const g = groundGeometry(horizontalM, ground);
  return (g.reflectedM - g.directM) / soundSpeedMps;
}

/** Error function (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return sign * y;
}
