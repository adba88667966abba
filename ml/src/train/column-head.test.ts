import { describe, expect, it } from 'vitest';
import { createRandom } from '#shared/util/random.js';
import { buildModel, HEAD_LAYER } from './architecture.js';
import { columnScores, fitColumn, spliceColumn } from './column-head.js';

describe('one head column on frozen embeddings', () => {
  it('learns a class the embeddings separate, weighting hard negatives', () => {
    const rand = createRandom('column');
    const size = 8;
    const n = 400;
    const x = new Float32Array(n * size);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 2;
      for (let k = 0; k < size; k++) x[i * size + k] = rand.normal() * 0.5 + (k === 2 && y[i] ? 2 : 0);
    }
    const fit = fitColumn(x, size, y, new Float32Array(n).fill(1), { epochs: 200, learningRate: 0.05, l2: 1e-4 });
    expect(fit.losses.at(-1)).toBeLessThan(fit.losses[0] / 3);
    const p = columnScores(x, size, fit);
    const correct = Array.from(p).filter((s, i) => (s >= 0.5 ? 1 : 0) === y[i]).length;
    expect(correct / n).toBeGreaterThan(0.95);
  });

  it('splices the column into the head and leaves every other weight untouched', () => {
    const model = buildModel({ classCount: 3, patchShape: [96, 64], normalisation: { mean: 0, std: 1 }, seed: 1 });
    const before = model.getLayer(HEAD_LAYER).getWeights().map((t) => t.dataSync().slice());
    const size = before[0].length / 3;
    spliceColumn(model, 1, { weights: new Float32Array(size).fill(0.25), bias: -3, losses: [] });
    const [kernel, bias] = model.getLayer(HEAD_LAYER).getWeights().map((t) => t.dataSync());
    for (let i = 0; i < kernel.length; i++) expect(kernel[i]).toBe(i % 3 === 1 ? 0.25 : before[0][i]);
    expect(Array.from(bias)).toEqual([before[1][0], -3, before[1][2]]);
    model.dispose();
  });
});
