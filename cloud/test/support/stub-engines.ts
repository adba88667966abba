/**
 * STUBS FOR THE TRAINING STEP ONLY (and a pass-through augmenter), used until
 * shared/src/train (trainModel) and shared/src/augment (augmentOriginal) land.
 * Everything around them in the retrain job is real: storage, split, features,
 * evaluation through the station pipeline, gate, signing, publishing.
 */
import type { Augmenter, FeatureSet, Trainer, TrainOptions } from '../../src/jobs/retrain/ports.js';
import { tf } from '../../../shared/src/model/tf.js';

/** What the stub trainer was given, for assertions about the pipeline before it. */
export interface TrainCall {
  train: FeatureSet;
  valid: FeatureSet;
  options: Omit<TrainOptions, 'signal' | 'onProgress'>;
}

/**
 * STUB trainer: returns a copy of the base model. `worse` makes the copy call
 * everything background (so the gate must reject it).
 */
export function stubTrainer(calls: TrainCall[], behaviour: { worse: boolean }): Trainer {
  return {
    async train(train, valid, options) {
      calls.push({ train, valid, options: { mode: options.mode, base: options.base, version: options.version } });
      for (let epoch = 1; epoch <= 3; epoch++) options.onProgress(epoch / 3, `stub epoch ${epoch}/3`);
      const model = await cloneModel(options.base.model);
      if (behaviour.worse) {
        const head = model.getLayer('head');
        const [kernel] = head.getWeights();
        head.setWeights([kernel, tf.tensor1d([60, -5, -60])]);
      }
      return { model, metadata: { ...options.base.metadata } };
    },
  };
}

/** Pass-through augmenter: variants are the original at slightly different gains. */
export const passThroughAugmenter: Augmenter = {
  async augment(original, variants) {
    return Array.from({ length: variants }, (_, k) => original.samples.map((x) => x * (1 - 0.05 * (k + 1))));
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
