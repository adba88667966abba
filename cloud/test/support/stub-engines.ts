/**
 * A STUB FOR THE TRAINING STEP ONLY, used until shared/src/train (trainModel)
 * is committed. Everything around it in the retrain job is real: storage, the
 * split, augmentation (shared/src/augment), evaluation through the station
 * pipeline, the gate, signing, publishing.
 */
import { LogMelFrontEnd } from '../../../shared/src/features/log-mel.js';
import { tf } from '../../../shared/src/model/tf.js';
import type { Trainer, TrainingClip, TrainOptions } from '../../src/jobs/retrain/ports.js';

/** What the stub trainer was given, for assertions about the pipeline before it. */
export interface TrainCall {
  train: TrainingClip[];
  valid: TrainingClip[];
  options: Omit<TrainOptions, 'signal' | 'onProgress'>;
  trainPatches: number;
}

/**
 * STUB trainer: computes the log-mel patches (as trainModel would) and returns a
 * copy of the base model. `worse` makes the copy call everything background,
 * so the gate must reject it.
 */
export function stubTrainer(calls: TrainCall[], behaviour: { worse: boolean }): Trainer {
  return {
    async train(train, valid, options) {
      const { signal: _s, onProgress, ...rest } = options;
      const frontEnd = new LogMelFrontEnd(options.base.metadata.frontEnd);
      let trainPatches = 0;
      train.forEach((clip, i) => {
        trainPatches += frontEnd.patches(clip.samples).length;
        onProgress({ stage: 'features', fraction: (0.12 * (i + 1)) / train.length });
      });
      calls.push({ train, valid, options: rest, trainPatches });
      for (let epoch = 1; epoch <= 3; epoch++) onProgress({ stage: 'train', fraction: 0.12 + (0.88 * epoch) / 3, message: `stub epoch ${epoch}/3` });
      const model = await cloneModel(options.base.model);
      if (behaviour.worse) {
        const head = model.getLayer('head');
        const [kernel] = head.getWeights();
        head.setWeights([kernel, tf.tensor1d([60, -5, -60])]);
      }
      return { model, metadata: { ...options.base.metadata, version: options.version } };
    },
  };
}

async function cloneModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return tf.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
}
