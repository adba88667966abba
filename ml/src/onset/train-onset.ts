import { ONSET_FEATURES } from '#shared/detect/onset-features.js';
import type { OnsetModelFile } from '#shared/detect/onset-model.js';
import { tf } from '#shared/model/tf.js';
import type { Logger } from '#shared/util/logger.js';
import { createRandom, shuffledIndices } from '#shared/util/random.js';
import type { OnsetExamples } from './onset-examples.js';
import { SeededDropout } from './seeded-dropout.js';

export interface OnsetNetOptions {
  hidden: readonly number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Positives weigh this share of the loss overall (class weighting against ~20 negatives per positive). */
  positiveShare: number;
  /** Dropout rate after each hidden layer (a new, seeded mask at every step). */
  dropout: number;
  seed: number;
  logger: Logger;
  /**
   * Warm start (fine-tuning, e.g. the cloud retrain): start from these layers
   * and keep their standardisation; `hidden` is then taken from the layers.
   */
  initial?: Pick<OnsetModelFile, 'mean' | 'std' | 'layers'>;
}

export const DEFAULT_ONSET_NET: Omit<OnsetNetOptions, 'logger'> = {
  hidden: [128, 32], epochs: 25, batchSize: 256, learningRate: 1e-3, positiveShare: 0.3, dropout: 0.2, seed: 20261,
};

/** Trained layers and normalisation, ready for an OnsetModelFile. */
export type TrainedOnsetNet = Pick<OnsetModelFile, 'mean' | 'std' | 'layers' | 'inputSize'> & { finalLoss: number };

/**
 * Trains the stage-2 dense network (ReLU hidden layers, sigmoid output,
 * binary cross-entropy, Adam) on standardised onset features. The weights
 * leave tfjs as plain arrays: the station evaluates them in TypeScript.
 */
export async function trainOnsetNet(ex: OnsetExamples, o: OnsetNetOptions): Promise<TrainedOnsetNet> {
  // A warm start keeps the base's standardisation: its weights were learnt on that scale.
  const { mean, std } = o.initial ? { mean: [...o.initial.mean], std: [...o.initial.std] } : standardisation(ex);
  const hidden = o.initial ? o.initial.layers.slice(0, -1).map((l) => l.outputs) : o.hidden;
  const x = new Float32Array(ex.features.length);
  for (let i = 0; i < ex.count; i++) {
    for (let f = 0; f < ONSET_FEATURES; f++) x[i * ONSET_FEATURES + f] = (ex.features[i * ONSET_FEATURES + f] - mean[f]) / std[f];
  }
  const positives = ex.labels.reduce((s, l) => s + l, 0);
  const negatives = ex.count - positives;
  const model = tf.sequential();
  hidden.forEach((units, i) => {
    model.add(tf.layers.dense({
      units, activation: 'relu', inputShape: i === 0 ? [ONSET_FEATURES] : undefined,
      kernelInitializer: tf.initializers.heNormal({ seed: o.seed + i }),
      kernelRegularizer: tf.regularizers.l2({ l2: 1e-4 }),
    }));
    model.add(new SeededDropout(o.dropout, createRandom(`onset-dropout-${o.seed}-${i}`)));
  });
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: o.seed + 99 }) }));
  if (o.initial) setDenseWeights(model, o.initial.layers);
  model.compile({ optimizer: tf.train.adam(o.learningRate), loss: 'binaryCrossentropy' });
  const xs = tf.tensor2d(x, [ex.count, ONSET_FEATURES]);
  const ys = tf.tensor2d(Float32Array.from(ex.labels), [ex.count, 1]);
  const positiveWeight = (o.positiveShare / (1 - o.positiveShare)) * (negatives / Math.max(1, positives));
  let finalLoss = Number.NaN;
  // tf.fit would shuffle with Math.random; a seeded order per epoch makes a retrain on the same data the same net.
  const order = createRandom(`onset-order-${o.seed}`);
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const idx = tf.tensor1d(Int32Array.from(shuffledIndices(ex.count, order.fork(epoch))), 'int32');
    const xe = tf.gather(xs, idx);
    const ye = tf.gather(ys, idx);
    const h = await model.fit(xe, ye, { epochs: 1, batchSize: o.batchSize, shuffle: false, verbose: 0, classWeight: { 0: 1, 1: positiveWeight } });
    tf.dispose([idx, xe, ye]);
    finalLoss = Number(h.history.loss[0]);
    o.logger.info({ epoch, loss: finalLoss }, 'onset net epoch');
  }
  xs.dispose();
  ys.dispose();
  const layers: OnsetModelFile['layers'] = [];
  for (const layer of model.layers) {
    const w = layer.getWeights();
    if (w.length !== 2) continue;
    const [inputs, outputs] = w[0].shape;
    layers.push({
      inputs, outputs,
      weights: Array.from(w[0].dataSync()),
      bias: Array.from(w[1].dataSync()),
      activation: layers.length === hidden.length ? 'sigmoid' : 'relu',
    });
  }
  model.dispose();
  return { inputSize: ONSET_FEATURES, mean, std, layers, finalLoss };
}

/** Copies plain-array layers into the model's dense layers (same order and shapes). */
function setDenseWeights(model: tf.Sequential, layers: OnsetModelFile['layers']): void {
  const dense = model.layers.filter((l) => l.getWeights().length === 2);
  if (dense.length !== layers.length) throw new Error(`warm start: ${layers.length} layers given, the net has ${dense.length}`);
  dense.forEach((l, i) => {
    const { inputs, outputs, weights, bias } = layers[i];
    const tensors = [tf.tensor2d(weights, [inputs, outputs]), tf.tensor1d(bias)];
    l.setWeights(tensors);
    tensors.forEach((t) => t.dispose());
  });
}

function standardisation(ex: OnsetExamples): { mean: number[]; std: number[] } {
  const mean = new Array<number>(ONSET_FEATURES).fill(0);
  const sq = new Array<number>(ONSET_FEATURES).fill(0);
  for (let i = 0; i < ex.count; i++) {
    for (let f = 0; f < ONSET_FEATURES; f++) {
      const v = ex.features[i * ONSET_FEATURES + f];
      mean[f] += v;
      sq[f] += v * v;
    }
  }
  const n = Math.max(1, ex.count);
  const std = mean.map((m, f) => Math.max(1e-3, Math.sqrt(Math.max(0, sq[f] / n - (m / n) ** 2))));
  return { mean: mean.map((m) => m / n), std };
}
