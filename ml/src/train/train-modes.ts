import type { ModelPackage } from '#shared/model/model-package.js';
import { trainModel } from './train-model.js';
import type { LabelledClip, TrainOptions, TrainResult } from './types.js';

/**
 * Head-only retraining on `base`'s frozen backbone: embeddings computed once,
 * a new sigmoid head trained on them (minutes on a CPU). The class list may
 * differ from the base's.
 */
export function trainHead(base: ModelPackage, train: LabelledClip[], valid: LabelledClip[], opts: Omit<TrainOptions, 'mode' | 'base'>): Promise<TrainResult> {
  return trainModel(train, valid, { ...opts, mode: 'head', base });
}

/** Full training: from scratch, or fine-tuning `opts.base` when its classes match. */
export function trainFull(train: LabelledClip[], valid: LabelledClip[], opts: Omit<TrainOptions, 'mode'>): Promise<TrainResult> {
  return trainModel(train, valid, { ...opts, mode: 'full' });
}
