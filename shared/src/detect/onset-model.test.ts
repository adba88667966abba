import { describe, expect, it } from 'vitest';
import { createRandom } from '../util/random.js';
import { ONSET_FEATURES } from './onset-features.js';
import { parseOnsetModel, type OnsetModelFile } from './onset-model.js';

type Layer = OnsetModelFile['layers'][number];

/** The plain loop the shipped format describes: y = act(b + x W), W row-major inputs x outputs. */
function reference(file: OnsetModelFile, features: Float32Array): number {
  let x = Array.from(features, (v, i) => (v - file.mean[i]) / file.std[i]);
  for (const l of file.layers) {
    const y = [...l.bias];
    for (let i = 0; i < l.inputs; i++) for (let o = 0; o < l.outputs; o++) y[o] += x[i] * l.weights[i * l.outputs + o];
    x = y.map((v) => (l.activation === 'relu' ? Math.max(0, v) : 1 / (1 + Math.exp(-v))));
  }
  return x[0];
}

describe('OnsetModel.score', () => {
  it('computes the network the file describes, block-diagonal layers and zero rows included', () => {
    const r = createRandom('onset-model');
    const dense = (inputs: number, outputs: number, activation: Layer['activation'], zero?: (i: number, o: number) => boolean): Layer => ({
      inputs, outputs, activation,
      weights: Array.from({ length: inputs * outputs }, (_, k) => (zero?.(Math.floor(k / outputs), k % outputs) ? 0 : r.normal(0, 0.2))),
      bias: Array.from({ length: outputs }, () => r.normal(0, 0.1)),
    });
    // Like a merged ensemble of two 24 -> 8 nets: the second layer block-diagonal; and one input row all zero.
    const file: OnsetModelFile = {
      format: 'ecosight-onset-mlp/1', version: 'test', inputSize: ONSET_FEATURES,
      mean: Array.from({ length: ONSET_FEATURES }, () => r.normal(0, 1)),
      std: Array.from({ length: ONSET_FEATURES }, () => 0.5 + r.next()),
      layers: [
        dense(ONSET_FEATURES, 48, 'relu', (i) => i === 7),
        dense(48, 16, 'relu', (i, o) => (i < 24) !== (o < 8)),
        dense(16, 1, 'sigmoid'),
      ],
      threshold: 0.5, burstGapSec: 1,
    };
    const model = parseOnsetModel(file, 'test');
    for (let n = 0; n < 50; n++) {
      const features = Float32Array.from({ length: ONSET_FEATURES }, () => r.normal(0, 2));
      const want = reference(file, features);
      expect(Math.abs(model.score(features) - want)).toBeLessThan(1e-12);
    }
    // Scores spread over (0, 1): the comparison is not of saturated outputs.
    const scores = Array.from({ length: 50 }, () => model.score(Float32Array.from({ length: ONSET_FEATURES }, () => r.normal(0, 2))));
    expect(Math.max(...scores) - Math.min(...scores)).toBeGreaterThan(0.2);
  });
});
