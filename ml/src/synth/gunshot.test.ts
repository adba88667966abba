import { describe, expect, it } from 'vitest';
import { createRandom } from '#shared/util/random.js';
import { STANDARD_ATMOSPHERE } from './atmosphere.js';
import { synthesizeGunshot, type GunshotParams } from './gunshot.js';
import { randomGunshotParams } from './random-params.js';
import { bandPass, countOnsets, peakAbs } from '#testkit/spectral-measures.js';

function burst(count: number, roundsPerMinute: number, reverb: GunshotParams['reverb']): GunshotParams {
  const interval = 60 / roundsPerMinute;
  return {
    shots: Array.from({ length: count }, (_, i) => ({
      fireTimeSec: i * interval,
      blast: { peakPaAt1m: 2500, positivePhaseSec: 3.5e-3 + 0.2e-3 * (i % 3), decayB: 1.4 },
    })),
    bullet: null,
    propagation: {
      distanceM: 150,
      foliagePathM: 80,
      atmosphere: STANDARD_ATMOSPHERE,
      ground: { sourceHeightM: 1.5, receiverHeightM: 3, flowResistivityKpaSPerM2: 40, turbulenceMu2: 2e-6 },
    },
    reverb,
    leadInSec: 0.2,
    tailSec: 0.8,
  };
}

describe('synthesizeGunshot', () => {
  it.each([
    [1, 600],
    [3, 600],
    [5, 750],
    [8, 900],
  ])('contains the requested %i shot(s) at %i rpm (onset count)', (count, rpm) => {
    const g = synthesizeGunshot(burst(count, rpm, { t60Sec: 1.5, drrDb: 4 }), createRandom(count));
    // Count on the band above 1 kHz, where each shock front is sharp and the blasts' low-frequency bodies do not overlap.
    const onsets = countOnsets(bandPass(g.samples, 1000, 8000));
    expect(onsets.length).toBe(count);
    // 4 ms frames: within one frame plus a little of the ideal band-pass's pre-ringing.
    onsets.forEach((t, i) => expect(Math.abs(t - g.blastArrivalsSec[i])).toBeLessThan(0.006));
  });

  it('puts the first arrival at leadInSec and the crack ahead of each blast', () => {
    const params = burst(3, 700, null);
    params.bullet = { muzzleSpeedMps: 850, dragLengthM: 1000, missDistanceM: 8, crack: { durationSec: 300e-6, peakPa: 150 } };
    const g = synthesizeGunshot(params, createRandom(1));
    expect(g.crackArrivalsSec).toHaveLength(3);
    expect(g.crackArrivalsSec[0]).toBeCloseTo(0.2, 9);
    g.crackArrivalsSec.forEach((t, i) => expect(t).toBeLessThan(g.blastArrivalsSec[i]));
    // Nothing before the first arrival but the band-limited shock's pre-ringing.
    const firstSample = Math.floor(0.2 * 16000);
    expect(peakAbs(g.samples.subarray(0, firstSample - 40))).toBeLessThan(1e-3 * peakAbs(g.samples));
    expect(peakAbs(g.samples.subarray(firstSample, firstSample + 16))).toBeGreaterThan(0.1);
  });

  it('is deterministic for a seed, normalised to the requested peak, and reports its scale', () => {
    const params = randomGunshotParams(createRandom(42));
    const a = synthesizeGunshot(params, createRandom(7));
    const b = synthesizeGunshot(params, createRandom(7));
    expect(a.samples).toEqual(b.samples);
    expect(peakAbs(a.samples)).toBeCloseTo(0.5, 6);
    const physical = synthesizeGunshot(params, createRandom(7), { normalizePeak: null });
    expect(physical.paPerUnit).toBe(1);
    expect(peakAbs(physical.samples)).toBeCloseTo(0.5 * a.paPerUnit, 3);
  });

  it('honours an exact duration', () => {
    const params = { ...burst(2, 600, null), durationSec: 0.96 };
    expect(synthesizeGunshot(params, createRandom(1)).samples.length).toBe(15360);
  });

  it('refuses a scene without shots', () => {
    expect(() => synthesizeGunshot({ ...burst(1, 600, null), shots: [] }, createRandom(1))).toThrow(RangeError);
  });
});

describe('randomGunshotParams', () => {
  it('draws scenes inside the documented ranges', () => {
    const rand = createRandom(123);
    let cracks = 0;
    let bursts = 0;
    for (let i = 0; i < 300; i++) {
      const p = randomGunshotParams(rand);
      const d = p.propagation.distanceM;
      expect(d).toBeGreaterThanOrEqual(20);
      expect(d).toBeLessThanOrEqual(1500);
      expect(p.propagation.foliagePathM).toBeLessThanOrEqual(Math.min(d, 200));
      for (const shot of p.shots) {
        expect(shot.blast.positivePhaseSec).toBeGreaterThanOrEqual(3e-3);
        expect(shot.blast.positivePhaseSec).toBeLessThanOrEqual(5e-3);
      }
      if (p.shots.length > 1) bursts++;
      if (p.bullet) {
        cracks++;
        expect(p.bullet.crack.durationSec).toBeGreaterThanOrEqual(200e-6);
        expect(p.bullet.crack.durationSec).toBeLessThanOrEqual(500e-6);
        expect(p.bullet.missDistanceM).toBeLessThan(d);
      }
      if (p.reverb) {
        expect(p.reverb.t60Sec).toBeGreaterThanOrEqual(1);
        expect(p.reverb.t60Sec).toBeLessThanOrEqual(3);
      }
    }
    expect(cracks).toBeGreaterThan(30);
    expect(bursts).toBeGreaterThan(60);
  });

  it('applies overrides', () => {
    const p = randomGunshotParams(createRandom(1), {
      distanceM: 250, pattern: 'automatic', shotCount: 6, roundsPerMinute: 600, crackProbability: 0, reverbProbability: 1, t60Sec: 2,
    });
    expect(p.propagation.distanceM).toBe(250);
    expect(p.shots).toHaveLength(6);
    expect(p.shots[1].fireTimeSec).toBeGreaterThan(0.098);
    expect(p.shots[1].fireTimeSec).toBeLessThan(0.102);
    expect(p.bullet).toBeNull();
    expect(p.reverb?.t60Sec).toBe(2);
  });

  it('renders random scenes to finite audio', () => {
    const rand = createRandom(9);
    for (let i = 0; i < 6; i++) {
      const g = synthesizeGunshot(randomGunshotParams(rand), rand);
      expect(g.samples.every(Number.isFinite)).toBe(true);
      expect(peakAbs(g.samples)).toBeCloseTo(0.5, 6);
    }
  });
});
