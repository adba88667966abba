/**
 * Source waveforms of a gunshot, rendered at a high sample rate (96 kHz by
 * default) so their sharp shock fronts and sub-millisecond durations are
 * resolved before band-limiting to the 16 kHz the detector hears.
 */

/** Synthesis rate of the source waveforms, Hz. */
export const SOURCE_RATE_HZ = 96_000;

/** Muzzle blast, modelled as a Friedlander wave p(t) = Ps (1 - t/t+) exp(-b t/t+). */
export interface MuzzleBlast {
  /** Peak overpressure Ps referred to 1 m from the muzzle, Pa (rifles: about 500..5000). */
  peakPaAt1m: number;
  /** Positive-phase duration t+, s (3e-3..5e-3 for small arms). */
  positivePhaseSec: number;
  /** Decay constant b (dimensionless, about 1..2.5): larger means a faster decay and a shallower negative phase. */
  decayB: number;
}

/** Ballistic shock wave of a supersonic bullet as heard at the microphone: an N-wave. */
export interface BulletCrack {
  /** Time from the leading to the trailing shock, s (200e-6..500e-6). */
  durationSec: number;
  /** Peak overpressure at the microphone, Pa (the trailing shock reaches -peakPa). */
  peakPa: number;
}

/** Relative level at which the Friedlander tail is cut (it decays exponentially). */
const TAIL_CUTOFF = 1e-4;
/** Upper bound on the rendered length, in positive phases. */
const MAX_POSITIVE_PHASES = 40;

/**
 * The Friedlander wave from t = 0 (the shock, sample 0 = Ps) until its
 * envelope has decayed below 1e-4 Ps. The zero crossing is at t+ exactly.
 */
export function friedlanderWave(blast: Readonly<MuzzleBlast>, sampleRateHz = SOURCE_RATE_HZ): Float32Array {
  const { peakPaAt1m: ps, positivePhaseSec: tPlus, decayB: b } = blast;
  if (!(tPlus > 0) || !(b > 0)) throw new RangeError(`Friedlander wave needs t+ > 0 and b > 0, got ${tPlus}, ${b}`);
  // |1 - x| e^{-b x} with x = t/t+ peaks (negatively) at x = 1 + 1/b and then
  // decays; render until it drops below the cutoff.
  let x = 1 + 1 / b;
  while (x < MAX_POSITIVE_PHASES && (x - 1) * Math.exp(-b * x) > TAIL_CUTOFF) x += 0.25;
  const n = Math.ceil(x * tPlus * sampleRateHz) + 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = i / sampleRateHz / tPlus;
    out[i] = ps * (1 - r) * Math.exp(-b * r);
  }
  // Fade the last few samples so the cut leaves no step.
  const fade = Math.min(n, Math.round(0.0005 * sampleRateHz));
  for (let i = 0; i < fade; i++) out[n - 1 - i] *= i / fade;
  return out;
}

/**
 * The N-wave: a jump to +peak, a linear fall to -peak over `durationSec`, and a
 * jump back to zero. Sample i holds p(i / rate) for 0 <= i / rate < duration,
 * so the measured shock-to-shock time is within one sample of the request.
 */
export function nWave(crack: Readonly<BulletCrack>, sampleRateHz = SOURCE_RATE_HZ): Float32Array {
  const { durationSec: t, peakPa: p } = crack;
  if (!(t > 0)) throw new RangeError(`N-wave needs a positive duration, got ${t}`);
  const n = Math.ceil(t * sampleRateHz);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = p * (1 - (2 * i) / sampleRateHz / t);
  return out;
}
