/**
 * Test doubles for the TRAINING STEP ONLY. Everything around them in the
 * retrain job is real (storage, split, augmentation, evaluation, gate, signing,
 * publishing), and the main retrain tests use the real trainer (ml/src/train).
 */
import { tf } from '#shared/model/tf.js';
import type { OnsetTrainer, Trainer, TrainingClip, TrainingClipStream, TrainOptions } from '../../src/jobs/retrain/ports.js';

/** What a trainer was given, for assertions about the pipeline before it. */
export interface TrainCall {
  /** The training clips the trainer read from its stream, in order. */
  train: TrainingClip[];
  valid: TrainingClip[];
  options: Omit<TrainOptions, 'signal' | 'onProgress' | 'base'> & { baseVersion: string };
}

/** Wraps a real trainer and records its inputs (not a stub: it trains). */
export function recordingTrainer(inner: Trainer, calls: TrainCall[]): Trainer {
  return {
    train(train, valid, options) {
      const { signal: _s, onProgress: _p, base, ...rest } = options;
      const read: TrainingClip[] = [];
      calls.push({ train: read, valid, options: { ...rest, baseVersion: base.metadata.version } });
      return inner.train(recorded(train, read), valid, options);
    },
  };
}

/** Passes a stream through, keeping every clip read from it. */
function recorded(stream: TrainingClipStream, read: TrainingClip[]): TrainingClipStream {
  return {
    count: stream.count,
    async *[Symbol.asyncIterator]() {
      for await (const clip of stream) {
        read.push(clip);
        yield clip;
      }
    },
  };
}

/** Lets a test change the trainer between jobs. */
export function switchableTrainer(initial: Trainer): Trainer & { use(t: Trainer): void } {
  let current = initial;
  return {
    train: (train, valid, options) => current.train(train, valid, options),
    use: (t) => {
      current = t;
    },
  };
}

/**
 * STUB of the training step: a copy of the base model whose output layer never
 * fires (bias -30), i.e. a candidate that is worse on gunshot recall, so the gate
 * must reject it. Works for the hand-set tiny model (`head`) and the real
 * architecture (`scores`).
 */
export const worseCandidateTrainer: Trainer = {
  async train(_train, _valid, options) {
    options.onProgress({ stage: 'train', fraction: 1, message: 'stub: copy of the base that never fires' });
    const model = await cloneModel(options.base.model);
    const head = model.layers.find((l) => l.name === 'scores' || l.name === 'head');
    if (!head) throw new Error('no output layer named scores or head');
    const [kernel, bias] = head.getWeights();
    head.setWeights([kernel, tf.fill(bias.shape, -30)]);
    return { model, metadata: { ...options.base.metadata, version: options.version } };
  },
};

async function cloneModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return tf.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
}

/** Lets a test change the stage-2 trainer between jobs. */
export function switchableOnsetTrainer(initial: OnsetTrainer): OnsetTrainer & { use(t: OnsetTrainer): void } {
  let current = initial;
  return {
    train: (input, options) => current.train(input, options),
    use: (t) => {
      current = t;
    },
  };
}

/**
 * STUB of the stage-2 training step only: the base net with its threshold at
 * 0, so every trigger is a gunshot alarm: a candidate that raises more false
 * alarms on the honest measure, which the gate must reject.
 */
export const worseOnsetTrainer: OnsetTrainer = {
  async train(input, options) {
    for await (const chunk of input.chunks) void chunk;
    return { ...options.base, version: options.version, threshold: 0, training: { stub: 'threshold 0: every trigger alarms' } };
  },
};
