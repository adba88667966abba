import { describe, expect, it } from 'vitest';
import { ONSET_FEATURES } from '#shared/detect/onset-features.js';
import { OnsetModel } from '#shared/detect/onset-model.js';
import { mineHardNegatives, selectExamples, withHardNegatives } from './hard-negatives.js';
import type { OnsetExamples } from './onset-examples.js';

/** A one-layer model whose score rises with feature 0 (sigmoid(4 * x0)). */
const model = new OnsetModel({
  format: 'ecosight-onset-mlp/1', version: 'rule', inputSize: ONSET_FEATURES,
  mean: new Array<number>(ONSET_FEATURES).fill(0), std: new Array<number>(ONSET_FEATURES).fill(1),
  layers: [{ inputs: ONSET_FEATURES, outputs: 1, weights: Array.from({ length: ONSET_FEATURES }, (_, i) => (i === 0 ? 4 : 0)), bias: [0], activation: 'sigmoid' }],
  threshold: 0.5, burstGapSec: 1,
});

/** Ten examples, feature 0 = i / 10 - 0.5; examples 3 and 8 are gunshots. */
function examples(): OnsetExamples {
  const count = 10;
  const features = new Float32Array(count * ONSET_FEATURES);
  for (let i = 0; i < count; i++) features[i * ONSET_FEATURES] = i / 10 - 0.5;
  const labels = Uint8Array.from({ length: count }, (_, i) => (i === 3 || i === 8 ? 1 : 0));
  return { features, labels, count, sources: Array.from({ length: count }, (_, i) => `s${i}`) };
}

describe('hard-negative mining', () => {
  it('returns the negatives the model scores highest, never a positive', () => {
    const { mined, minScore } = mineHardNegatives(examples(), model, 0.25);
    // 8 negatives, a quarter of them: the two highest-scoring (9 and 7; 8 is a gunshot).
    expect(mined.sources).toEqual(['s9', 's7']);
    expect([...mined.labels]).toEqual([0, 0]);
    expect(mined.features[ONSET_FEATURES]).toBeCloseTo(0.2, 6);
    expect(minScore).toBeCloseTo(1 / (1 + Math.exp(-0.8)), 6);
  });

  it('appends the copies and keeps the original examples first', () => {
    const ex = examples();
    const { mined } = mineHardNegatives(ex, model, 0.25);
    const out = withHardNegatives(ex, mined, 3);
    expect(out.count).toBe(16);
    expect(out.sources.slice(0, 10)).toEqual(ex.sources);
    expect(out.sources.slice(10)).toEqual(['s9', 's7', 's9', 's7', 's9', 's7']);
    expect(out.labels.reduce((s, l) => s + l, 0)).toBe(2);
  });

  it('selects rows in the order given and refuses a share outside (0, 1]', () => {
    const picked = selectExamples(examples(), [8, 0]);
    expect(picked.sources).toEqual(['s8', 's0']);
    expect([...picked.labels]).toEqual([1, 0]);
    expect(picked.features[0]).toBeCloseTo(0.3, 6);
    expect(() => mineHardNegatives(examples(), model, 0)).toThrow(/share/);
    expect(() => mineHardNegatives(examples(), model, 1.5)).toThrow(/share/);
  });
});
