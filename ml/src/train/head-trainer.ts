import { tf } from '#shared/model/tf.js';
import { buildModel, EMBEDDING_LAYER, embeddingModel, HEAD_LAYER, headLayer, normalisationOf } from './architecture.js';
import { PatchSet } from './patch-set.js';
import { predictPatchSet } from './score-signal.js';
import { TrainError } from './train-errors.js';
import { fitNetwork, type FitOptions, type FitResult } from './trainer.js';

/*
 * Head-only training: the base model's backbone (everything up to the embedding)
 * stays frozen; its embeddings are computed once for every patch, and a new
 * sigmoid head is trained on them (seconds to minutes, not the hour a full run
 * takes). The result is a complete model of the same architecture: the base's
 * backbone weights plus the new head, for any class list.
 */
/** The frozen part of a base model built by this trainer (everything up to the embedding). */
export function headBackbone(base: tf.LayersModel): tf.LayersModel {
  for (const name of ['normalise', EMBEDDING_LAYER, HEAD_LAYER]) {
    if (!base.layers.some((l) => l.name === name)) {
      throw new TrainError(`head-only training needs a base model built by this trainer (no layer "${name}")`);
    }
  }
  return embeddingModel(base);
}

/**
 * Trains a new head on embeddings already computed by `headBackbone(base)`
 * (embeddingSet, or streamEmbeddings when the training audio is streamed).
 */
export async function fitHeadOnEmbeddings(base: tf.LayersModel, classes: string[], trainEmb: PatchSet, validEmb: PatchSet, seed: number, o: FitOptions): Promise<{ model: tf.LayersModel; fit: FitResult }> {
  const size = trainEmb.bands;
  const input = tf.input({ shape: [1, size, 1] });
  const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
  const dropped = tf.layers.dropout({ rate: 0.2, seed }).apply(flat) as tf.SymbolicTensor;
  const head = headLayer(classes.length, seed);
  const headModel = tf.model({ inputs: input, outputs: head.apply(dropped) as tf.SymbolicTensor });
  const fit = await fitNetwork(headModel, trainEmb, validEmb, { ...o, augment: undefined });

  const [frames, bands] = base.inputs[0].shape.slice(1, 3) as number[];
  const model = buildModel({ classCount: classes.length, patchShape: [frames, bands], normalisation: normalisationOf(base), seed });
  for (const layer of model.layers) {
    if (layer.name === HEAD_LAYER || layer.getWeights().length === 0) continue;
    layer.setWeights(base.getLayer(layer.name).getWeights());
  }
  model.getLayer(HEAD_LAYER).setWeights(head.getWeights());
  headModel.dispose();
  return { model, fit };
}

/** A PatchSet of 1 x embeddingSize "patches" holding the backbone's embeddings. */
export function embeddingSet(backbone: tf.LayersModel, set: PatchSet): PatchSet {
  const size = backbone.outputs[0].shape[1] as number;
  const out = new PatchSet(set.classes, 1, size);
  const embeddings = predictPatchSet(backbone, set);
  for (let i = 0; i < set.count; i++) out.add(embeddings.subarray(i * size, (i + 1) * size), set.labels(i), set.clipOf(i));
  out.clipIds.push(...set.clipIds);
  out.clipLabels.push(...set.clipLabels);
  out.clipGroups.push(...set.clipGroups);
  return out;
}
