import { beforeAll, describe, expect, it } from 'vitest';
import { ONSET_FEATURES } from '#shared/detect/onset-features.js';
import { OnsetModel } from '#shared/detect/onset-model.js';
import { tf } from '#shared/model/tf.js';
import { createLogger } from '#shared/util/logger.js';
import { createRandom } from '#shared/util/random.js';
import { initTrainingBackend } from '../train/training-backend.js';
import type { OnsetExamples } from './onset-data.js';
import { SeededDropout } from './seeded-dropout.js';
import { DEFAULT_ONSET_NET, trainOnsetNet } from './train-onset.js';

const logger = createLogger({ name: 'test', level: 'silent' });

/** Separable toy examples: the label follows the sign of feature 3. */
function toyExamples(n: number): OnsetExamples {
  const rand = createRandom('toy-onsets');
  const features = Float32Array.from({ length: n * ONSET_FEATURES }, () => rand.normal());
  const labels = Uint8Array.from({ length: n }, (_, i) => (features[i * ONSET_FEATURES + 3] > 0.8 ? 1 : 0));
  return { features, labels, count: n, sources: new Array<string>(n).fill('toy') };
}

describe('stage-2 training', () => {
  beforeAll(async () => {
    await initTrainingBackend(logger);
  });

  it('SeededDropout draws a new mask at every step, the same sequence for the same seed, and passes through at inference', () => {
    const x = tf.ones([4, 64]);
    const masks = (seed: string) => {
      const layer = new SeededDropout(0.5, createRandom(seed));
      return [0, 1].map(() => Array.from((layer.apply(x, { training: true }) as tf.Tensor).dataSync()));
    };
    const [a1, a2] = masks('s');
    const [b1, b2] = masks('s');
    expect(a1).not.toEqual(a2);
    expect([b1, b2]).toEqual([a1, a2]);
    expect(new Set(a1)).toEqual(new Set([0, 2]));
    const inference = new SeededDropout(0.5, createRandom('s')).apply(x) as tf.Tensor;
    expect(Array.from(inference.dataSync()).every((v) => v === 1)).toBe(true);
  });

  it('trains the same net twice from the same seed and data, and learns the toy rule', async () => {
    const ex = toyExamples(600);
    const options = { ...DEFAULT_ONSET_NET, hidden: [16], epochs: 10, batchSize: 64, logger };
    const first = await trainOnsetNet(ex, options);
    const second = await trainOnsetNet(ex, options);
    expect(second.layers).toEqual(first.layers);
    const other = await trainOnsetNet(ex, { ...options, seed: options.seed + 1 });
    expect(other.layers[0].weights).not.toEqual(first.layers[0].weights);
    const model = new OnsetModel({ format: 'ecosight-onset-mlp/1', version: 't', ...first, threshold: 0.5, burstGapSec: 1 });
    const scores = Array.from({ length: ex.count }, (_, i) => model.score(ex.features.subarray(i * ONSET_FEATURES, (i + 1) * ONSET_FEATURES)));
    const mean = (label: number) => scores.filter((_, i) => ex.labels[i] === label).reduce((s, v, _, a) => s + v / a.length, 0);
    expect(mean(1) - mean(0)).toBeGreaterThan(0.3);
  });
});
