import { describe, expect, it } from 'vitest';
import { crackGeometry, whithamNWave } from './bullet.js';
import { sourceStage96k } from './gunshot.js';
import { SOURCE_RATE_HZ, friedlanderWave, nWave } from './source.js';

const SAMPLE_SEC = 1 / SOURCE_RATE_HZ;

/** Shock-to-shock duration of an N-wave: first sample above +peak/2 to last below -peak/2. */
function measureNWaveSec(x: Float32Array): number {
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  let first = -1;
  let last = -1;
  for (let i = 0; i < x.length; i++) {
    if (first < 0 && x[i] > peak / 2) first = i;
    if (x[i] < -peak / 2) last = i;
  }
  return (last - first + 1) / SOURCE_RATE_HZ;
}

/** Time of the first positive-to-negative zero crossing, interpolated. */
function firstZeroCrossingSec(x: Float32Array): number {
  for (let i = 1; i < x.length; i++) {
    if (x[i - 1] > 0 && x[i] <= 0) return (i - 1 + x[i - 1] / (x[i - 1] - x[i])) / SOURCE_RATE_HZ;
  }
  return NaN;
}

describe('Friedlander muzzle blast (96 kHz stage)', () => {
  it.each([3e-3, 4e-3, 5e-3])('has a positive phase of t+ = %f s', (tPlus) => {
    const blast = { peakPaAt1m: 2000, positivePhaseSec: tPlus, decayB: 1.5 };
    const x = sourceStage96k({ fireTimeSec: 0, blast }, null).blast;
    expect(x[0]).toBeCloseTo(2000, 3);
    expect(Math.abs(firstZeroCrossingSec(x) - tPlus)).toBeLessThan(SAMPLE_SEC / 10);
  });

  it('follows (1 - t/t+) exp(-b t/t+) and has a negative phase', () => {
    const x = friedlanderWave({ peakPaAt1m: 1000, positivePhaseSec: 4e-3, decayB: 2 });
    const i = Math.round(0.002 * SOURCE_RATE_HZ); // t = t+/2
    expect(x[i]).toBeCloseTo(1000 * 0.5 * Math.exp(-1), 2);
    let min = 0;
    for (const v of x) min = Math.min(min, v);
    // Minimum at t = t+ (1 + 1/b): -Ps (1/b) exp(-(b + 1)).
    expect(min).toBeCloseTo(-1000 * 0.5 * Math.exp(-3), 1);
    // Rendered until the tail is below 1e-4 Ps: several positive phases long.
    expect(x.length / SOURCE_RATE_HZ).toBeGreaterThan(4 * 4e-3);
    expect(Math.abs(x[x.length - 1])).toBeLessThan(1000 * 1e-4);
  });

  it('rejects a non-positive t+', () => {
    expect(() => friedlanderWave({ peakPaAt1m: 1, positivePhaseSec: 0, decayB: 1 })).toThrow(RangeError);
  });
});

describe('bullet N-wave (96 kHz stage)', () => {
  it.each([200e-6, 275e-6, 350e-6, 500e-6])('lasts the requested %f s', (durationSec) => {
    const bullet = { muzzleSpeedMps: 850, dragLengthM: 1000, missDistanceM: 10, crack: { durationSec, peakPa: 120 } };
    const crack = sourceStage96k({ fireTimeSec: 0, blast: { peakPaAt1m: 1, positivePhaseSec: 4e-3, decayB: 1 } }, bullet).crack;
    expect(crack).not.toBeNull();
    expect(Math.abs(measureNWaveSec(crack as Float32Array) - durationSec)).toBeLessThanOrEqual(SAMPLE_SEC);
  });

  it('is antisymmetric: a jump to +peak, a linear fall, ending near -peak', () => {
    const x = nWave({ durationSec: 400e-6, peakPa: 100 });
    expect(x[0]).toBe(100);
    expect(x[x.length - 1]).toBeLessThan(-90);
    const mid = x[Math.round(x.length / 2)];
    expect(Math.abs(mid)).toBeLessThan(100 * 2 * SAMPLE_SEC / 400e-6 + 1e-6);
  });

  it('follows Whitham: stronger and shorter closer to the trajectory', () => {
    const shape = { diameterM: 7.62e-3, lengthM: 0.03 };
    const near = whithamNWave(shape, 2, 5, 343);
    const far = whithamNWave(shape, 2, 80, 343);
    expect(near.peakPa / far.peakPa).toBeCloseTo(16 ** 0.75, 6);
    expect(far.durationSec / near.durationSec).toBeCloseTo(16 ** 0.25, 6);
    // 7.62 mm at Mach 2, 10 m: ~200 Pa, ~230 us.
    const ten = whithamNWave(shape, 2, 10, 343);
    expect(ten.peakPa).toBeGreaterThan(150);
    expect(ten.peakPa).toBeLessThan(250);
    expect(ten.durationSec).toBeGreaterThan(200e-6);
    expect(ten.durationSec).toBeLessThan(260e-6);
  });
});

describe('crack timing', () => {
  const c = 343;

  it('matches the closed form for a bullet without drag', () => {
    const v = 900;
    const m = v / c;
    const miss = 20;
    const distanceM = 300;
    const along = Math.sqrt(distanceM ** 2 - miss ** 2);
    const geo = crackGeometry(distanceM, { muzzleSpeedMps: v, dragLengthM: 1e9, missDistanceM: miss }, c);
    const root = Math.sqrt(m * m - 1);
    const expected = (along - miss / root) / v + (miss * m) / (c * root);
    expect(geo?.arrivalSec).toBeCloseTo(expected, 5);
    expect(geo?.pathM).toBeCloseTo((miss * m) / root, 2);
  });

  it('arrives ahead of the muzzle blast, by more at longer range', () => {
    const bullet = { muzzleSpeedMps: 850, dragLengthM: 1000, missDistanceM: 5 };
    let previousLead = 0;
    for (const d of [20, 50, 100, 300, 600]) {
      const geo = crackGeometry(d, bullet, c);
      expect(geo).not.toBeNull();
      const lead = d / c - (geo?.arrivalSec ?? 0);
      expect(lead).toBeGreaterThan(previousLead);
      previousLead = lead;
    }
  });

  it('has no crack once drag has made the bullet subsonic', () => {
    expect(crackGeometry(1500, { muzzleSpeedMps: 800, dragLengthM: 600, missDistanceM: 10 }, c)).toBeNull();
    expect(crackGeometry(100, { muzzleSpeedMps: 300, dragLengthM: 1000, missDistanceM: 10 }, c)).toBeNull();
  });
});
