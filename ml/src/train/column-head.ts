import { tf } from '#shared/model/tf.js';
import { HEAD_LAYER } from './architecture.js';
import { TrainError } from './train-errors.js';

/**
 * One class's column of the sigmoid head, trained alone on the frozen
 * backbone's embeddings (logistic regression, full-batch Adam): every other
 * class's column, and the whole backbone, stay exactly as they were, so the
 * model's other outputs are bit-for-bit those of the base. Used to teach a
 * shipped model a class it never heard (chainsaw) without a full retrain.
 */
export interface ColumnFitOptions {
  epochs: number;
  learningRate: number;
  /** L2 penalty on the weights (not the bias). */
  l2: number;
}

export interface ColumnFit {
  weights: Float32Array;
  bias: number;
  /** Weighted log loss per epoch. */
  losses: number[];
}

/**
 * Fits p = sigmoid(w . x + b) to labels y with per-example weights.
 * `embeddings` holds n rows of `size` values.
 */
export function fitColumn(embeddings: Float32Array, size: number, y: Uint8Array, weights: Float32Array, o: ColumnFitOptions): ColumnFit {
  const n = y.length;
  if (embeddings.length !== n * size || weights.length !== n) throw new TrainError('fitColumn: embeddings, labels and weights disagree in length');
  const w = new Float64Array(size + 1);
  const m = new Float64Array(size + 1);
  const v = new Float64Array(size + 1);
  const grad = new Float64Array(size + 1);
  const totalWeight = weights.reduce((s, x) => s + x, 0);
  const losses: number[] = [];
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const row = i * size;
      let z = w[size];
      for (let k = 0; k < size; k++) z += w[k] * embeddings[row + k];
      const p = 1 / (1 + Math.exp(-z));
      const err = (p - y[i]) * weights[i];
      loss -= weights[i] * (y[i] ? Math.log(Math.max(p, 1e-12)) : Math.log(Math.max(1 - p, 1e-12)));
      for (let k = 0; k < size; k++) grad[k] += err * embeddings[row + k];
      grad[size] += err;
    }
    losses.push(loss / totalWeight);
    for (let k = 0; k <= size; k++) {
      const g = grad[k] / totalWeight + (k < size ? o.l2 * w[k] : 0);
      m[k] = b1 * m[k] + (1 - b1) * g;
      v[k] = b2 * v[k] + (1 - b2) * g * g;
      w[k] -= (o.learningRate * (m[k] / (1 - b1 ** epoch))) / (Math.sqrt(v[k] / (1 - b2 ** epoch)) + eps);
    }
  }
  return { weights: Float32Array.from(w.subarray(0, size)), bias: w[size], losses };
}

/** Writes the fitted column `classIndex` into the model's head (in place); the other columns are untouched. */
export function spliceColumn(model: tf.LayersModel, classIndex: number, fit: ColumnFit): void {
  const head = model.getLayer(HEAD_LAYER);
  const [kernel, bias] = head.getWeights();
  const [inputs, classes] = kernel.shape;
  if (classIndex < 0 || classIndex >= classes || fit.weights.length !== inputs) throw new TrainError(`cannot splice a ${fit.weights.length}-input column into a ${inputs}x${classes} head at ${classIndex}`);
  const k = kernel.dataSync().slice();
  const b = bias.dataSync().slice();
  for (let i = 0; i < inputs; i++) k[i * classes + classIndex] = fit.weights[i];
  b[classIndex] = fit.bias;
  head.setWeights([tf.tensor2d(k, [inputs, classes]), tf.tensor1d(b)]);
}

/** Rows of the class's scores for the given embeddings (to check a fit without rebuilding the model). */
export function columnScores(embeddings: Float32Array, size: number, fit: ColumnFit): Float32Array {
  const n = embeddings.length / size;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let z = fit.bias;
    for (let k = 0; k < size; k++) z += fit.weights[k] * embeddings[i * size + k];
    out[i] = 1 / (1 + Math.exp(-z));
  }
  return out;
}
