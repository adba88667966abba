import { augmentOriginal } from '#ml/augment/index.js';
import { createRandom } from '#shared/util/random.js';
import type { Augmenter } from './ports.js';

/** The Augmenter port over ml/src/augment's augmentOriginal (1 -> 6; the original is dropped here). */
export const sharedAugmenter: Augmenter = {
  async augment(original, seed, backgrounds) {
    const all = augmentOriginal({ id: original.id, samples: original.samples, labels: [original.label] }, { rand: createRandom(seed), backgrounds });
    return all.filter((c) => c.kind !== 'original').map((c) => ({ samples: c.samples, labels: c.labels }));
  },
};
