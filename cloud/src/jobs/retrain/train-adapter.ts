import { trainModel } from '#ml/train/index.js';
import type { LabelledClip, TrainProgress } from '#ml/train/index.js';
import type { Trainer } from './ports.js';

/** Training settings of a retrain job (head-only runs take seconds to minutes). */
export interface RetrainTrainingSettings {
  epochs: number;
  batchSize: number;
  patience: number;
  /** Minutes of gunshot-free validation audio for the gunshot threshold (false-alarm budget). */
  longNegativeMinutes: number;
  /** Cap on optimiser steps (tests and quick runs). */
  maxSteps?: number;
}

export const DEFAULT_RETRAIN_TRAINING: Readonly<RetrainTrainingSettings> = Object.freeze({
  epochs: 30,
  batchSize: 64,
  patience: 5,
  longNegativeMinutes: 30,
});

/** The Trainer port over ml/src/train's trainModel. */
export function sharedTrainer(settings: RetrainTrainingSettings = DEFAULT_RETRAIN_TRAINING): Trainer {
  return {
    async train(train, valid, o) {
      let lastEpoch: number | undefined;
      const result = await trainModel(train, valid as LabelledClip[], {
        classes: o.classes,
        mode: o.mode,
        base: o.base,
        version: o.version,
        seed: o.seed,
        epochs: settings.epochs,
        batchSize: settings.batchSize,
        patience: settings.patience,
        longNegativeMinutes: settings.longNegativeMinutes,
        maxSteps: settings.maxSteps,
        scratchDir: o.scratchDir,
        signal: o.signal,
        onProgress: (p: TrainProgress) => {
          // One log line per epoch and per stage change; the percent moves on every report.
          const newEpoch = p.epoch !== undefined && p.epoch !== lastEpoch;
          lastEpoch = p.epoch ?? lastEpoch;
          o.onProgress({
            stage: p.stage === 'features' ? 'features' : 'train',
            fraction: p.percent / 100,
            message: newEpoch || p.stage !== 'train' ? p.message : undefined,
          });
        },
      });
      return { model: result.model, metadata: result.metadata };
    },
  };
}
