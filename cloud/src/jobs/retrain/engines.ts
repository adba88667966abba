import type { Trainer } from './ports.js';

/**
 * Default trainer until shared/src/train (trainModel) is committed: an honest
 * placeholder, not a fake: the job fails with a clear message at the train stage.
 * TODO(wire): replace with an adapter over trainModel (train-adapter.ts).
 */
export const unavailableTrainer: Trainer = {
  train: async () => {
    throw new Error('the training engine (shared/src/train) is not installed in this build');
  },
};
