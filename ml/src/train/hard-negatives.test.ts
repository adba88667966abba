import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '#shared/model/tf.js';
import { createLogger } from '#shared/util/logger.js';
import { createRandom } from '#shared/util/random.js';
import { initTrainingBackend } from './training-backend.js';
import { PatchSet } from './patch-set.js';
import { BalancedSampler } from './sampler.js';
import { mineHardNegatives } from './trainer.js';

const CLASSES = ['gunshot', 'bird'];

/** A model whose gunshot score rises with the patch's mean value (bird: constant). */
function meanModel(): tf.LayersModel {
  const input = tf.input({ shape: [2, 2, 1] });
  const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: 2, activation: 'sigmoid', weights: [tf.tensor2d([[1, 0], [1, 0], [1, 0], [1, 0]]), tf.zeros([2])] });
  return tf.model({ inputs: input, outputs: dense.apply(flat) as tf.SymbolicTensor });
}

describe('mineHardNegatives', () => {
  beforeAll(async () => {
    await initTrainingBackend(createLogger({ name: 'test', level: 'silent' }));
  });

  it('fills the pool with the highest-scoring patches that are not labelled with the class', () => {
    const set = new PatchSet(CLASSES, 2, 2);
    // Patch i has value i/10 everywhere; patches 0-9 unlabelled, 10-14 gunshot (scoring highest), 15 bird.
    for (let i = 0; i < 16; i++) {
      set.clipIds.push(`c${i}`);
      set.clipLabels.push([]);
      set.clipGroups.push('pkg');
      set.add(new Float32Array(4).fill(i / 10), Uint8Array.of(i >= 10 && i < 15 ? 1 : 0, i === 15 ? 1 : 0), i);
    }
    const sampler = new BalancedSampler(set, createRandom('m'));
    const model = meanModel();
    const h = { class: 'gunshot', count: 3, share: 0.5, fromEpoch: 2 };
    expect(mineHardNegatives(model, set, sampler, h, 1)).toBeUndefined();
    const mean = mineHardNegatives(model, set, sampler, h, 2);
    // The bird patch (15) and unlabelled 9, 8: never the gunshot patches.
    const expected = [15, 9, 8].map((i) => 1 / (1 + Math.exp(-0.4 * i)));
    expect(mean).toBeCloseTo(expected.reduce((a, b) => a + b) / 3, 4);
    const drawn = new Set<number>();
    for (let d = 0; d < 2000; d++) drawn.add(sampler.draw());
    for (const i of [15, 9, 8]) expect(drawn.has(i)).toBe(true);
    let pooled = 0;
    for (let d = 0; d < 4000; d++) if ([15, 9, 8].includes(sampler.draw())) pooled++;
    expect(pooled / 4000).toBeGreaterThan(0.45);
    model.dispose();
  });

  it('refuses an unknown class', () => {
    const set = new PatchSet(CLASSES, 2, 2);
    const sampler = new BalancedSampler(set, createRandom('m'));
    expect(() => mineHardNegatives(meanModel(), set, sampler, { class: 'chainsaw', count: 1, share: 0.1, fromEpoch: 1 }, 1)).toThrow(/unknown class/);
  });
});
