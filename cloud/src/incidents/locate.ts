import { eigen2, insideHull, spreadRatio } from './geometry.js';
import { solveTdoa, type TdoaFit, type TdoaObservation } from './tdoa-solver.js';

/** One station's onset in the incident's local frame. */
export interface LocateStation {
  id: string;
  eastM: number;
  northM: number;
  upM: number;
  /** Onset relative to the incident's reference time, s. */
  onsetSec: number;
  /** The station's estimated clock error, ms (1 sigma). */
  clockErrorMs: number;
}

export interface LocateOptions {
  speedOfSoundMps: number;
  /** Onset picking error, ms (1 sigma), added in quadrature to each clock error. Default 0.5. */
  onsetErrorMs?: number;
  /** Residual (in sigmas) above which a station is suspect. Default 3. */
  outlierSigmas?: number;
}

export interface LocateResult {
  kind: 'point' | 'bearing';
  eastM: number;
  northM: number;
  ellipse: { semiMajorM: number; semiMinorM: number; orientationDeg: number } | null;
  bearingsDeg: number[] | null;
  rmsResidualMs: number;
  /** Per station id: time residual, ms, or null when it was left out. */
  residualsMs: Map<string, number | null>;
  flags: string[];
}

/** A layout whose minor spread is below this fraction of its major one is 'collinear'. */
const COLLINEAR_RATIO = 0.15;
/** How far outside the hull still counts as inside, m (onset errors blur the edge). */
const HULL_MARGIN_M = 25;

/** Locates a source from 2+ stations; undefined for fewer. */
export function locateSource(stations: readonly LocateStation[], options: LocateOptions): LocateResult | undefined {
  if (stations.length < 2) return undefined;
  if (stations.length === 2) return bearingFromPair(stations, options);
  const sigmaMs = Math.sqrt(stations.reduce((s, st) => s + st.clockErrorMs ** 2, 0) / stations.length + (options.onsetErrorMs ?? 0.5) ** 2);
  const limitMs = (options.outlierSigmas ?? 3) * sigmaMs;
  let used = [...stations];
  let fit = solve(used, options.speedOfSoundMps);
  const flags: string[] = [];
  // Robust to one bad station: with 5+ stations a leave-one-out fit can be checked by the rest
  // (with 4, dropping one leaves an exactly determined fit that proves nothing).
  if (rmsMs(fit) > limitMs && stations.length >= 5) {
    const candidates = stations.map((left) => {
      const rest = stations.filter((s) => s !== left);
      return { rest, fit: solve(rest, options.speedOfSoundMps) };
    }).sort((a, b) => rmsMs(a.fit) - rmsMs(b.fit));
    if (rmsMs(candidates[0].fit) <= limitMs) {
      used = candidates[0].rest;
      fit = candidates[0].fit;
      flags.push('outlier-removed');
    }
  }
  if (rmsMs(fit) > limitMs) flags.push('large-residual');
  const points = used.map((s) => ({ x: s.eastM, y: s.northM }));
  if (spreadRatio(points) < COLLINEAR_RATIO) flags.push('collinear');
  if (!insideHull(points, { x: fit.eastM, y: fit.northM }, HULL_MARGIN_M)) flags.push('outside-hull');
  const residualsMs = new Map<string, number | null>(stations.map((s) => [s.id, null]));
  used.forEach((s, i) => residualsMs.set(s.id, fit.residualsSec[i] * 1000));
  return {
    kind: 'point', eastM: fit.eastM, northM: fit.northM, ellipse: ellipseOf(fit, used.length, sigmaMs, options.speedOfSoundMps),
    bearingsDeg: null, rmsResidualMs: rmsMs(fit), residualsMs, flags,
  };
}

function solve(stations: readonly LocateStation[], c: number): TdoaFit {
  const obs: TdoaObservation[] = stations.map((s) => ({ eastM: s.eastM, northM: s.northM, upM: s.upM, timeSec: s.onsetSec }));
  return solveTdoa(obs, c);
}

function rmsMs(fit: TdoaFit): number {
  return Math.sqrt(fit.residualsSec.reduce((s, r) => s + r * r, 0) / fit.residualsSec.length) * 1000;
}

/**
 * 1-sigma ellipse of (east, north) from sigma^2 (J^T J)^-1. Sigma is the
 * a-priori timing error, raised to the fit's own residual scatter when there
 * are more stations than unknowns and they disagree more than expected.
 */
function ellipseOf(fit: TdoaFit, n: number, aprioriMs: number, c: number): LocateResult['ellipse'] {
  if (!fit.normalInverse) return null;
  const aprioriM2 = (aprioriMs / 1000 * c) ** 2;
  const posteriorM2 = n > 3 ? fit.costM2 / (n - 3) : 0;
  // Trust the stations' own error estimates unless the residuals show errors twice as large.
  const sigma2 = posteriorM2 > 4 * aprioriM2 ? posteriorM2 : aprioriM2;
  const [[a, b], [, d]] = fit.normalInverse;
  const { major, minor, angleRad } = eigen2(a * sigma2, b * sigma2, d * sigma2);
  // angleRad is from east, counter-clockwise; report compass degrees (clockwise from north) in [0, 180).
  const compass = ((90 - (angleRad * 180) / Math.PI) % 180 + 180) % 180;
  return { semiMajorM: Math.sqrt(Math.max(major, 0)), semiMinorM: Math.sqrt(Math.max(minor, 0)), orientationDeg: compass };
}

/**
 * Two stations fix only a hyperbola: the range difference d2 - d1 = c (t2 - t1).
 * Far from the pair it runs along two bearings from the midpoint, at angle
 * acos(-(d2 - d1) / D) from the direction 1 -> 2, one on each side of the baseline.
 */
function bearingFromPair(stations: readonly LocateStation[], options: LocateOptions): LocateResult {
  const [s1, s2] = stations;
  const dx = s2.eastM - s1.eastM;
  const dy = s2.northM - s1.northM;
  const baselineM = Math.max(Math.hypot(dx, dy), 1e-6);
  const rangeDiffM = options.speedOfSoundMps * (s2.onsetSec - s1.onsetSec);
  const flags = ['two-stations'];
  if (Math.abs(rangeDiffM) > baselineM + options.speedOfSoundMps * ((s1.clockErrorMs + s2.clockErrorMs) / 1000 + 0.002)) flags.push('large-residual');
  const theta = Math.acos(Math.max(-1, Math.min(1, -rangeDiffM / baselineM)));
  const baselineAzimuth = Math.atan2(dx, dy);
  const toCompass = (rad: number) => ((((rad * 180) / Math.PI) % 360) + 360) % 360;
  return {
    kind: 'bearing', eastM: (s1.eastM + s2.eastM) / 2, northM: (s1.northM + s2.northM) / 2, ellipse: null,
    bearingsDeg: [toCompass(baselineAzimuth - theta), toCompass(baselineAzimuth + theta)],
    rmsResidualMs: 0, residualsMs: new Map(stations.map((s) => [s.id, null])), flags,
  };
}
