import { tf } from '#shared/model/tf.js';

/** Name of the embedding layer (metadata.embeddingLayer). */
export const EMBEDDING_LAYER = 'embedding';
/** Name of the final sigmoid layer: the head that head-only retraining replaces. */
export const HEAD_LAYER = 'scores';
export const EMBEDDING_SIZE = 128;

/** Fixed input normalisation baked into the model: x' = (x - mean) / std. */
export interface InputNormalisation {
  /** Mean log-mel value over the training patches. */
  mean: number;
  /** Standard deviation of the log-mel values over the training patches. */
  std: number;
}

export interface ArchitectureOptions {
  classCount: number;
  /** [frames, melBands]; 96 x 64 for the YAMNet front end. */
  patchShape: [number, number];
  normalisation: InputNormalisation;
  /** Seeds the weight initialisers and dropout so a run can be repeated. */
  seed: number;
  /** Dropout before the head, 0..1. Default 0.3. */
  dropoutRate?: number;
}

const CONV_FILTERS = [16, 32, 64, 128];

/**
 * The EcoSight classifier: a small strided CNN over one log-mel patch.
 *
 *   input 96x64x1 (raw log-mel, as the front end gives it)
 *   normalise     Rescaling with fixed (mean, std) from the training data, so the
 *                 station feeds raw patches and cannot get normalisation wrong
 *   conv1..conv4  3x3, stride 2, ReLU, 16/32/64/128 filters -> 6x4x128
 *                 (ReLU is fused into the conv: a linear conv + BatchNorm would
 *                 need a kernel the wasm backend does not have)
 *   pool_avg/max  average and max over time (6 frames), keeping frequency:
 *                 max catches a 5 ms gunshot in a 0.96 s patch, average catches
 *                 steady sounds; frequency position separates bird from insect
 *   embedding     Dense 128, ReLU: what head-only retraining starts from
 *   dropout       training only
 *   scores        Dense (classes), sigmoid: multi-label outputs
 *
 * ~230 k parameters, ~0.45 ms per window on wasm SIMD in batches of 32.
 */
export function buildModel(opts: ArchitectureOptions): tf.LayersModel {
  const [frames, bands] = opts.patchShape;
  const seeds = seedSequence(opts.seed);
  const input = tf.input({ shape: [frames, bands, 1], name: 'log_mel' });
  let x = tf.layers.rescaling({
    name: 'normalise',
    scale: 1 / opts.normalisation.std,
    offset: -opts.normalisation.mean / opts.normalisation.std,
  }).apply(input) as tf.SymbolicTensor;
  CONV_FILTERS.forEach((filters, i) => {
    x = tf.layers.conv2d({
      name: `conv${i + 1}`,
      filters,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed: seeds() }),
    }).apply(x) as tf.SymbolicTensor;
  });
  const timeSteps = x.shape[1] as number;
  const pooled = (['avg', 'max'] as const).map((kind) => {
    const poolArgs = { name: `pool_${kind}`, poolSize: [timeSteps, 1] as [number, number], strides: [timeSteps, 1] as [number, number] };
    const p = kind === 'avg' ? tf.layers.averagePooling2d(poolArgs) : tf.layers.maxPooling2d(poolArgs);
    return tf.layers.flatten({ name: `flatten_${kind}` }).apply(p.apply(x)) as tf.SymbolicTensor;
  });
  const joined = tf.layers.concatenate({ name: 'pooled' }).apply(pooled) as tf.SymbolicTensor;
  const embedding = tf.layers.dense({
    name: EMBEDDING_LAYER,
    units: EMBEDDING_SIZE,
    activation: 'relu',
    kernelInitializer: tf.initializers.heNormal({ seed: seeds() }),
  }).apply(joined) as tf.SymbolicTensor;
  const dropped = tf.layers.dropout({ name: 'dropout', rate: opts.dropoutRate ?? 0.3, seed: seeds() })
    .apply(embedding) as tf.SymbolicTensor;
  const scores = headLayer(opts.classCount, seeds()).apply(dropped) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: scores, name: 'ecosight_cnn' });
}

/** The head: one Dense with sigmoid outputs, named HEAD_LAYER. */
export function headLayer(classCount: number, seed: number): tf.layers.Layer {
  return tf.layers.dense({
    name: HEAD_LAYER,
    units: classCount,
    activation: 'sigmoid',
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    // Start every class near "absent" (sigmoid(-3) ~ 0.05): most windows hold nothing.
    biasInitializer: tf.initializers.constant({ value: -3 }),
  });
}

/** A model sharing `model`'s layers that outputs the embedding (for head-only retraining). */
export function embeddingModel(model: tf.LayersModel, layerName = EMBEDDING_LAYER): tf.LayersModel {
  const layer = model.getLayer(layerName);
  return tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
}

/** The normalisation baked into a model built here (read back for metadata and retraining). */
export function normalisationOf(model: tf.LayersModel): InputNormalisation {
  const config = model.getLayer('normalise').getConfig() as { scale: number; offset: number };
  const std = 1 / config.scale;
  return { mean: -config.offset * std, std };
}

/** Deterministic seeds for successive initialisers. */
function seedSequence(seed: number): () => number {
  let n = 0;
  return () => (Math.imul(seed | 0, 0x9e3779b1) + Math.imul(++n, 0x85ebca6b)) >>> 0;
}
