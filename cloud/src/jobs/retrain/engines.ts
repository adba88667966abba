import type { Augmenter, Trainer } from './ports.js';

/**
 * Defaults until the shared engines land (shared/src/train: trainModel,
 * shared/src/augment: augmentOriginal). The composition root uses these unless
 * given others; they are honest placeholders, not fakes: training fails with a
 * clear message, and no variants are made.
 * TODO(wire): replace with adapters over trainModel / augmentOriginal.
 */
export const unavailableTrainer: Trainer = {
  train: async () => {
    throw new Error('the training engine (shared/src/train) is not installed in this build');
  },
};

export const noAugmentation: Augmenter = {
  augment: async () => [],
};
