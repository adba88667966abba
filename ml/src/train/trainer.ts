import { tf } from '#shared/model/tf.js';
import type { Random } from '#shared/util/random.js';
import { augmentExample, type BatchAugmentOptions } from './batch-augment.js';
import type { PatchSet } from './patch-set.js';
import { predictPatches, predictPatchSet } from './score-signal.js';
import { BalancedSampler } from './sampler.js';
import { throwIfAborted } from './train-errors.js';
import type { EpochRecord, HardNegativeOptions, SamplingOptions, TrainProgress } from './types.js';

export interface FitOptions {
  epochs: number;
  batchSize: number;
  patience: number;
  learningRate: number;
  rand: Random;
  /** Label smoothing: targets become eps/2 and 1 - eps/2. Default 0. */
  labelSmoothing?: number;
  sampling?: SamplingOptions;
  /** Feature-domain augmentation; undefined = none. */
  augment?: BatchAugmentOptions;
  maxStepsPerEpoch?: number;
  maxSteps?: number;
  /** Which epoch's weights to keep; default the lowest validation loss. */
  select?: EpochSelection;
  signal?: AbortSignal;
  /** Progress is reported as percent in [base, base + span]. */
  progressBase?: number;
  progressSpan?: number;
  onProgress?: (p: TrainProgress) => void;
}

/**
 * How the kept epoch is chosen: the lowest validation loss over all classes, or
 * the highest validation recall of one class at a fixed false-positive rate
 * (the share of that class's negative patches allowed to score above the
 * threshold), which tracks "recall at a false-alarm budget" rather than how
 * well every class is calibrated.
 */
export type EpochSelection = { metric: 'loss' } | { metric: 'recall'; classIndex: number; falsePositiveRate: number };

export interface FitResult {
  history: EpochRecord[];
  bestEpoch: number;
  /** Mean loss of the first and last few steps (the CI check that learning happens). */
  firstLoss: number;
  lastLoss: number;
}

/**
 * Trains `model` on balanced, augmented batches with Adam (learning rate decaying
 * by cosine to a tenth), keeps the weights of the epoch with the lowest
 * validation loss and stops after `patience` epochs without improvement.
 * Yields to the event loop between steps so a server can keep answering.
 */
export async function fitNetwork(model: tf.LayersModel, train: PatchSet, valid: PatchSet, o: FitOptions): Promise<FitResult> {
  const sampler = new BalancedSampler(train, o.rand.fork('sampler'), o.sampling);
  const augmentRand = o.rand.fork('augment');
  const optimizer = tf.train.adam(o.learningRate);
  const stepsPerEpoch = Math.max(1, Math.min(Math.ceil(train.count / o.batchSize), o.maxStepsPerEpoch ?? Infinity));
  const plannedSteps = Math.min(stepsPerEpoch * o.epochs, o.maxSteps ?? Infinity);
  const history: EpochRecord[] = [];
  const stepLosses: number[] = [];
  const select = o.select ?? { metric: 'loss' };
  // Higher is better: minus the loss, or the recall.
  let best = { score: -Infinity, epoch: 0, weights: [] as tf.Tensor[] };
  let step = 0;
  try {
    for (let epoch = 1; epoch <= o.epochs && step < plannedSteps; epoch++) {
      const started = performance.now();
      const hardNegativeScore = mineHardNegatives(model, train, sampler, o.sampling?.hardNegatives, epoch);
      let lossSum = 0;
      let steps = 0;
      let lr = o.learningRate;
      for (let s = 0; s < stepsPerEpoch && step < plannedSteps; s++, step++) {
        throwIfAborted(o.signal);
        lr = cosineRate(o.learningRate, step, plannedSteps);
        (optimizer as unknown as { learningRate: number }).learningRate = lr;
        const { x, y } = makeBatch(train, sampler, o.batchSize, augmentRand, o.augment);
        const eps = o.labelSmoothing ?? 0;
        const loss = optimizer.minimize(() => bce(tf.add(tf.mul(y, 1 - eps), eps / 2), model.apply(x, { training: true }) as tf.Tensor), true) as tf.Scalar;
        const value = (await loss.data())[0];
        tf.dispose([x, y, loss]);
        lossSum += value;
        steps++;
        stepLosses.push(value);
        report(o, step / plannedSteps, { stage: 'train', epoch, step, loss: lossSum / steps, message: `epoch ${epoch} step ${s + 1}/${stepsPerEpoch}` });
        await new Promise((r) => setImmediate(r));
      }
      const trainLoss = lossSum / Math.max(1, steps);
      const valLoss = valid.count > 0 ? datasetLoss(model, valid) : trainLoss;
      const valRecall = select.metric === 'recall' && valid.count > 0
        ? recallAtFalsePositiveRate(predictPatchSet(model, valid), valid, select.classIndex, select.falsePositiveRate)
        : undefined;
      history.push({ epoch, steps, loss: trainLoss, valLoss, ...(valRecall !== undefined ? { valRecall } : {}), ...(hardNegativeScore !== undefined ? { hardNegativeScore } : {}), learningRate: lr, seconds: (performance.now() - started) / 1000 });
      report(o, step / plannedSteps, {
        stage: 'train', epoch, step, loss: trainLoss, valLoss,
        message: `epoch ${epoch}: loss ${trainLoss.toFixed(4)}, validation loss ${valLoss.toFixed(4)}${valRecall !== undefined ? `, validation recall ${valRecall.toFixed(3)}` : ''}`,
      });
      const score = valRecall ?? -valLoss;
      if (score > best.score) {
        tf.dispose(best.weights);
        best = { score, epoch, weights: model.getWeights().map((w) => w.clone()) };
      } else if (epoch - best.epoch >= o.patience) {
        break;
      }
    }
    if (best.weights.length > 0) model.setWeights(best.weights);
  } finally {
    tf.dispose(best.weights);
    optimizer.dispose();
  }
  const k = Math.max(1, Math.min(20, Math.floor(stepLosses.length / 4)));
  return {
    history,
    bestEpoch: best.epoch,
    firstLoss: mean(stepLosses.slice(0, k)),
    lastLoss: mean(stepLosses.slice(-k)),
  };
}

/** Mean binary cross-entropy of the model over a whole patch set (no augmentation). */
export function datasetLoss(model: tf.LayersModel, set: PatchSet, batchSize = 128): number {
  let sum = 0;
  for (let start = 0; start < set.count; start += batchSize) {
    const n = Math.min(batchSize, set.count - start);
    sum += tf.tidy(() => {
      const { x, y } = batchOf(set, range(start, n));
      return bce(y, model.predict(x) as tf.Tensor).dataSync()[0] * n;
    });
  }
  return sum / Math.max(1, set.count);
}

/**
 * Refills the sampler's hard-negative pool at the start of an epoch (see
 * HardNegativeOptions); returns the pool's mean score, undefined when mining
 * is off or has not started.
 */
export function mineHardNegatives(model: tf.LayersModel, train: PatchSet, sampler: BalancedSampler, h: HardNegativeOptions | undefined, epoch: number): number | undefined {
  if (!h || epoch < h.fromEpoch) return undefined;
  const k = train.classes.indexOf(h.class);
  if (k < 0) throw new RangeError(`hard-negative mining names an unknown class: ${h.class}`);
  const candidates: number[] = [];
  for (let i = 0; i < train.count; i++) if (!train.labels(i)[k]) candidates.push(i);
  const classes = train.classes.length;
  const scores = new Float32Array(candidates.length);
  const chunk = 1024;
  for (let start = 0; start < candidates.length; start += chunk) {
    const part = candidates.slice(start, start + chunk);
    const out = predictPatches(model, part.map((i) => train.patch(i)), 128);
    for (let j = 0; j < part.length; j++) scores[start + j] = out[j * classes + k];
  }
  const order = candidates.map((_, j) => j).sort((a, b) => scores[b] - scores[a] || candidates[a] - candidates[b]).slice(0, h.count);
  sampler.setHardPool(Int32Array.from(order, (j) => candidates[j]), h.share);
  return order.length === 0 ? undefined : order.reduce((s, j) => s + scores[j], 0) / order.length;
}

/**
 * Share of the class's positive patches scoring above the threshold that lets
 * at most `fpr` of its negative patches through (ties count against recall).
 * `scores` holds every patch's scores for every class, row by row. 0 when the
 * set has no positives.
 */
export function recallAtFalsePositiveRate(scores: Float32Array, set: PatchSet, classIndex: number, fpr: number): number {
  const c = set.classes.length;
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < set.count; i++) (set.labels(i)[classIndex] ? pos : neg).push(scores[i * c + classIndex]);
  if (pos.length === 0) return 0;
  neg.sort((a, b) => b - a);
  const allowed = Math.floor(fpr * neg.length);
  const threshold = allowed < neg.length ? neg[allowed] : -Infinity;
  return pos.filter((s) => s > threshold).length / pos.length;
}

/** Mean binary cross-entropy over a batch and its classes; probabilities are clipped like Keras. */
export function bce(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.clipByValue(yPred, 1e-7, 1 - 1e-7);
    const terms = tf.add(tf.mul(yTrue, tf.log(p)), tf.mul(tf.sub(1, yTrue), tf.log(tf.sub(1, p))));
    return tf.neg(tf.mean(terms)) as tf.Scalar;
  });
}

function makeBatch(set: PatchSet, sampler: BalancedSampler, size: number, rand: Random, augment: BatchAugmentOptions | undefined): { x: tf.Tensor4D; y: tf.Tensor2D } {
  if (!augment) return batchOf(set, sampler.batch(size));
  const p = set.patchSize;
  const c = set.classes.length;
  const xs = new Float32Array(size * p);
  const ys = new Float32Array(size * c);
  for (let b = 0; b < size; b++) {
    const i = sampler.draw();
    const patch = xs.subarray(b * p, b * p + p);
    patch.set(set.patch(i));
    const labels = ys.subarray(b * c, b * c + c);
    labels.set(set.labels(i));
    const j = sampler.draw();
    augmentExample(patch, labels, j === i ? undefined : { patch: set.patch(j), labels: set.labels(j) }, rand, augment);
  }
  return tensors(xs, ys, size, set);
}

/** Stacks the given patches and labels into tensors. */
export function batchOf(set: PatchSet, indices: number[]): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const p = set.patchSize;
  const c = set.classes.length;
  const xs = new Float32Array(indices.length * p);
  const ys = new Float32Array(indices.length * c);
  indices.forEach((i, b) => {
    xs.set(set.patch(i), b * p);
    ys.set(set.labels(i), b * c);
  });
  return tensors(xs, ys, indices.length, set);
}

function tensors(xs: Float32Array, ys: Float32Array, n: number, set: PatchSet): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return {
    x: tf.tensor4d(xs, [n, set.frames, set.bands, 1]),
    y: tf.tensor2d(ys, [n, set.classes.length]),
  };
}

function cosineRate(base: number, step: number, total: number): number {
  const floor = base / 10;
  return floor + 0.5 * (base - floor) * (1 + Math.cos((Math.PI * step) / Math.max(1, total)));
}

function report(o: FitOptions, fraction: number, p: Omit<TrainProgress, 'percent'>): void {
  o.onProgress?.({ ...p, percent: (o.progressBase ?? 0) + (o.progressSpan ?? 100) * fraction });
}

function range(start: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => start + i);
}

function mean(xs: number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}
