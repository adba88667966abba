import type { BulletCrack } from './source.js';

/**
 * Where and when a supersonic bullet's shock wave (the "crack") reaches the
 * microphone, and how strong and long it is there.
 *
 * The bullet flies along a straight line that passes `missDistanceM` from the
 * microphone, slowing with drag: v(x) = v0 exp(-x / dragLength). The shock
 * leaving the trajectory at x reaches the microphone at t(x) + |P(x) M| / c; the
 * first arrival minimises that sum (it is the Mach-cone condition
 * cos(angle) = c / v(x)). Because the bullet outruns sound, the crack arrives
 * before the muzzle blast, increasingly so with distance.
 */
export interface BulletTrajectory {
  /** Muzzle speed, m/s (rifles 700..1000; must exceed the speed of sound for a crack). */
  muzzleSpeedMps: number;
  /** Distance over which drag slows the bullet by a factor e, m (about 500..1500). */
  dragLengthM: number;
  /** Closest distance between the trajectory and the microphone, m (> 0, < the shooter's distance). */
  missDistanceM: number;
}

export interface CrackGeometry {
  /** Time from firing to the crack's arrival at the microphone, s. */
  arrivalSec: number;
  /** Length of the shock's path from the trajectory to the microphone, m. */
  pathM: number;
  /** Bullet Mach number where that shock left the trajectory. */
  mach: number;
}

/** Minimum Mach number for which a crack is modelled (Whitham's law diverges at M = 1). */
const MIN_MACH = 1.02;

/** Time of flight to distance x along the trajectory, s. */
function flightTimeSec(xM: number, b: Readonly<BulletTrajectory>): number {
  return (b.dragLengthM / b.muzzleSpeedMps) * Math.expm1(xM / b.dragLengthM);
}

/**
 * Crack arrival for a shooter at horizontal `distanceM` (muzzle to microphone),
 * or null when no crack reaches the microphone (bullet subsonic by then).
 */
export function crackGeometry(distanceM: number, bullet: Readonly<BulletTrajectory>, soundSpeedMps: number): CrackGeometry | null {
  const miss = bullet.missDistanceM;
  if (!(miss > 0) || miss >= distanceM) throw new RangeError(`miss distance must be in (0, ${distanceM}), got ${miss}`);
  const along = Math.sqrt(distanceM * distanceM - miss * miss);
  const arrival = (x: number): number => flightTimeSec(x, bullet) + Math.hypot(miss, along - x) / soundSpeedMps;
  // arrival(x) is convex (a convex flight time plus a convex distance): golden-section search.
  let lo = 0;
  let hi = along;
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - g * (hi - lo);
  let x2 = lo + g * (hi - lo);
  let f1 = arrival(x1);
  let f2 = arrival(x2);
  for (let i = 0; i < 80 && hi - lo > 1e-4; i++) {
    if (f1 < f2) {
      hi = x2; x2 = x1; f2 = f1; x1 = hi - g * (hi - lo); f1 = arrival(x1);
    } else {
      lo = x1; x1 = x2; f1 = f2; x2 = lo + g * (hi - lo); f2 = arrival(x2);
    }
  }
  const x = (lo + hi) / 2;
  const mach = (bullet.muzzleSpeedMps * Math.exp(-x / bullet.dragLengthM)) / soundSpeedMps;
  if (mach < MIN_MACH) return null;
  return { arrivalSec: arrival(x), pathM: Math.hypot(miss, along - x), mach };
}

/** Calibre and length of a bullet, for Whitham's N-wave law. */
export interface BulletShape {
  /** Diameter, m (5.56e-3 .. 7.82e-3 for common rifles). */
  diameterM: number;
  /** Length, m (about 3.5..4.5 diameters). */
  lengthM: number;
}

/**
 * Whitham's far-field N-wave (Whitham 1952; as used in acoustic gunshot
 * localisation): peak overpressure 0.53 p0 (M^2 - 1)^(1/8) d / (b^(3/4) l^(1/4))
 * and duration 1.82 M b^(1/4) d / (c (M^2 - 1)^(3/8) l^(1/4)), with b the miss
 * distance. Typical rifle values: 100-300 Pa and 150-500 us at 10-50 m.
 */
export function whithamNWave(
  shape: Readonly<BulletShape>, mach: number, missDistanceM: number, soundSpeedMps: number, ambientPressurePa = 101_325,
): BulletCrack {
  const m2 = mach * mach - 1;
  if (!(m2 > 0)) throw new RangeError(`Whitham's law needs a supersonic bullet, got M = ${mach}`);
  const l14 = shape.lengthM ** 0.25;
  const peakPa = (0.53 * ambientPressurePa * m2 ** 0.125 * shape.diameterM) / (missDistanceM ** 0.75 * l14);
  const durationSec = (1.82 * mach * missDistanceM ** 0.25 * shape.diameterM) / (soundSpeedMps * m2 ** 0.375 * l14);
  return { peakPa, durationSec };
}
