import { describe, expect, it } from 'vitest';
import { createRandom } from '#shared/util/random.js';
import { mixPatches, mixTargets } from './mix-patches.js';
import { LOG_MEL_FLOOR, specAugment } from './spec-augment.js';

const FRAMES = 96;
const BANDS = 64;

function randomPatch(seed: number): Float32Array {
  const r = createRandom(seed);
  return Float32Array.from({ length: FRAMES * BANDS }, () => r.uniform(-6.9, 2));
}

describe('specAugment', () => {
  it('masks exactly the regions it reports, and nothing else', () => {
    const patch = randomPatch(1);
    const { patch: out, timeMasks, freqMasks, fillValue } = specAugment(patch, FRAMES, BANDS, createRandom(2), {
      timeMasks: 2, freqMasks: 2, maxTimeWidth: 12, maxFreqWidth: 8,
    });
    expect(timeMasks).toHaveLength(2);
    expect(freqMasks).toHaveLength(2);
    const inTime = (f: number): boolean => timeMasks.some((m) => f >= m.start && f < m.start + m.width);
    const inFreq = (b: number): boolean => freqMasks.some((m) => b >= m.start && b < m.start + m.width);
    let wrong = 0;
    let masked = 0;
    for (let f = 0; f < FRAMES; f++) {
      for (let b = 0; b < BANDS; b++) {
        const i = f * BANDS + b;
        const inMask = inTime(f) || inFreq(b);
        if (inMask) masked++;
        if (out[i] !== (inMask ? fillValue : patch[i])) wrong++;
      }
    }
    expect(wrong).toBe(0);
    expect(masked).toBeGreaterThan(0);
    for (const m of timeMasks) {
      expect(m.width).toBeGreaterThanOrEqual(1);
      expect(m.width).toBeLessThanOrEqual(12);
      expect(m.start + m.width).toBeLessThanOrEqual(FRAMES);
    }
    for (const m of freqMasks) expect(m.start + m.width).toBeLessThanOrEqual(BANDS);
  });

  it('fills with the patch mean by default, or with the log-mel floor', () => {
    const patch = randomPatch(3);
    const mean = patch.reduce((a, v) => a + v, 0) / patch.length;
    expect(specAugment(patch, FRAMES, BANDS, createRandom(1), { timeMasks: 1, freqMasks: 0, maxTimeWidth: 5, maxFreqWidth: 0 }).fillValue)
      .toBeCloseTo(mean, 5);
    const floor = specAugment(patch, FRAMES, BANDS, createRandom(1), { timeMasks: 1, freqMasks: 1, maxTimeWidth: 5, maxFreqWidth: 5, fill: 'floor' });
    expect(floor.fillValue).toBe(Math.fround(Math.log(0.001)));
    expect(LOG_MEL_FLOOR).toBeCloseTo(-6.907755, 5);
  });

  it('leaves the input alone unless asked to mask in place, and is deterministic', () => {
    const patch = randomPatch(4);
    const copy = patch.slice();
    const opts = { timeMasks: 2, freqMasks: 2, maxTimeWidth: 10, maxFreqWidth: 10 };
    const a = specAugment(patch, FRAMES, BANDS, createRandom(9), opts);
    expect(patch).toEqual(copy);
    expect(specAugment(patch, FRAMES, BANDS, createRandom(9), opts).patch).toEqual(a.patch);
    const inPlace = specAugment(patch, FRAMES, BANDS, createRandom(9), { ...opts, out: patch });
    expect(inPlace.patch).toBe(patch);
    expect(patch).toEqual(a.patch);
  });

  it('rejects a patch of the wrong shape', () => {
    expect(() => specAugment(new Float32Array(10), FRAMES, BANDS, createRandom(1), { timeMasks: 1, freqMasks: 1, maxTimeWidth: 1, maxFreqWidth: 1 }))
      .toThrow(RangeError);
  });
});

describe('mixPatches', () => {
  it('returns the same patch when both inputs are identical, for any lambda', () => {
    const p = randomPatch(5);
    for (const lambda of [0, 0.3, 0.5, 1]) {
      const { patch, labels } = mixPatches(p, p, ['bird'], ['bird'], lambda);
      let maxError = 0;
      for (let i = 0; i < p.length; i++) maxError = Math.max(maxError, Math.abs(patch[i] - p[i]));
      expect(maxError).toBeLessThan(1e-5);
      expect(labels).toEqual(['bird']);
    }
  });

  it('mixes in the linear (exp) domain and returns the union of the labels', () => {
    const a = Float32Array.of(Math.log(1), Math.log(0.001), 50);
    const b = Float32Array.of(Math.log(3), Math.log(0.001), -50);
    const { patch, labels } = mixPatches(a, b, ['gunshot'], ['rain', 'gunshot'], 0.25);
    expect(patch[0]).toBeCloseTo(Math.log(0.25 * 1 + 0.75 * 3), 6);
    expect(patch[1]).toBeCloseTo(Math.log(0.001), 6); // silence stays at the floor
    expect(patch[2]).toBeCloseTo(50 + Math.log(0.25), 4); // no overflow
    expect(labels).toEqual(['gunshot', 'rain']);
  });

  it('reduces to either input at lambda 1 or 0', () => {
    const a = randomPatch(6);
    const b = randomPatch(7);
    const one = mixPatches(a, b, [], [], 1).patch;
    const zero = mixPatches(a, b, [], [], 0).patch;
    for (let i = 0; i < a.length; i += 97) {
      expect(one[i]).toBeCloseTo(a[i], 5);
      expect(zero[i]).toBeCloseTo(b[i], 5);
    }
    expect(() => mixPatches(a, b, [], [], 1.5)).toThrow(RangeError);
    expect(() => mixPatches(a, new Float32Array(3), [], [], 0.5)).toThrow(RangeError);
  });

  it('mixes multi-hot targets by element-wise max', () => {
    expect(Array.from(mixTargets(Float32Array.of(1, 0, 0), Float32Array.of(0, 0, 1)))).toEqual([1, 0, 1]);
  });
});
