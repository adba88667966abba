import { describe, expect, it } from 'vitest';
import { createRandom } from '#shared/util/random.js';
import { augmentExample, equalisePatch, gainPatch, randomEq } from './batch-augment.js';

const OFFSET = 0.001;

describe('feature-domain augmentation', () => {
  it('applies gains in the magnitude domain and leaves the silence floor alone', () => {
    const patch = Float32Array.from([Math.log(OFFSET), Math.log(1 + OFFSET), Math.log(0.1 + OFFSET)]);
    gainPatch(patch, 20, OFFSET);
    expect(patch[0]).toBeCloseTo(Math.log(OFFSET), 5);
    expect(Math.exp(patch[1]) - OFFSET).toBeCloseTo(10, 3);
    expect(Math.exp(patch[2]) - OFFSET).toBeCloseTo(1, 3);
  });

  it('equalises per band; a flat 0 dB curve changes nothing', () => {
    const patch = Float32Array.from({ length: 8 }, (_, i) => Math.log(0.5 * (i + 1) + OFFSET));
    const copy = patch.slice();
    equalisePatch(patch, 4, new Float32Array(4), OFFSET);
    patch.forEach((v, i) => expect(v).toBeCloseTo(copy[i], 5));
    equalisePatch(patch, 4, Float32Array.from([0, 0, -20, 0]), OFFSET);
    expect(Math.exp(patch[2]) - OFFSET).toBeCloseTo((Math.exp(copy[2]) - OFFSET) / 10, 4);
    expect(Math.exp(patch[6]) - OFFSET).toBeCloseTo((Math.exp(copy[6]) - OFFSET) / 10, 4);
  });

  it('draws equaliser curves within +/-6 dB of tilt, with low-pass cuts only at the top', () => {
    for (let s = 0; s < 50; s++) {
      const curve = randomEq(64, createRandom(s));
      expect(Math.max(...curve)).toBeLessThanOrEqual(6.0001);
      expect(Math.min(...curve.slice(0, 25))).toBeGreaterThanOrEqual(-6.0001);
    }
  });

  it('ORs the labels of a mixed-in partner', () => {
    const rand = createRandom(3);
    const patch = new Float32Array(96 * 64).fill(Math.log(0.01 + OFFSET));
    const labels = Float32Array.from([1, 0, 0]);
    const partner = { patch: new Float32Array(96 * 64).fill(Math.log(0.02 + OFFSET)), labels: Uint8Array.from([0, 0, 1]) };
    augmentExample(patch, labels, partner, rand, { frames: 96, melBands: 64, logOffset: OFFSET, mixProbability: 1, maskProbability: 0, gainProbability: 0, eqProbability: 0 });
    expect(Array.from(labels)).toEqual([1, 0, 1]);
    expect(Math.exp(patch[0]) - OFFSET).toBeGreaterThan(0.01);
    expect(Math.exp(patch[0]) - OFFSET).toBeLessThan(0.02);
  });
});
