import { ModelError } from '../errors.js';
import type { ModelPackage } from '../model/model-package.js';
import { tf } from '../model/tf.js';
import type { FeatureWindow, ScoredWindow } from './types.js';

/**
 * Runs the model on batches of patches. The model can be swapped between
 * batches (over-the-air update) without touching the other stages.
 */
export class Classifier {
  private current: ModelPackage;

  constructor(model: ModelPackage, private readonly maxBatch: number) {
    this.current = model;
  }

  get model(): ModelPackage {
    return this.current;
  }

  get classNames(): readonly string[] {
    return this.current.classNames;
  }

  /** Replaces the model; the caller disposes the old one when it is safe. */
  swap(model: ModelPackage): ModelPackage {
    const previous = this.current;
    this.current = model;
    return previous;
  }

  /** Scores every window; throws ModelError if the model produces non-finite scores. */
  classify(windows: readonly FeatureWindow[]): ScoredWindow[] {
    const out: ScoredWindow[] = [];
    for (let i = 0; i < windows.length; i += this.maxBatch) {
      const batch = windows.slice(i, i + this.maxBatch);
      const scores = predict(this.current, batch.map((w) => w.patch));
      batch.forEach((w, j) => out.push({ window: w.window, scores: scores[j] }));
    }
    return out;
  }
}

/** One forward pass over patches; returns one score vector per patch. */
export function predict(pkg: ModelPackage, patches: readonly Float32Array[]): Float32Array[] {
  if (patches.length === 0) return [];
  const [frames, bands] = pkg.metadata.inputShape;
  const size = frames * bands;
  const flat = new Float32Array(patches.length * size);
  patches.forEach((p, i) => {
    if (p.length !== size) throw new ModelError(`patch has ${p.length} values, model expects ${size}`);
    flat.set(p, i * size);
  });
  const data = tf.tidy(() => {
    const input = tf.tensor4d(flat, [patches.length, frames, bands, 1]);
    const output = pkg.model.predict(input) as tf.Tensor;
    return output.dataSync() as Float32Array;
  });
  const classes = pkg.classNames.length;
  if (data.length !== patches.length * classes) {
    throw new ModelError(`model returned ${data.length} scores for ${patches.length} windows x ${classes} classes`);
  }
  const result: Float32Array[] = [];
  for (let i = 0; i < patches.length; i++) {
    const row = data.slice(i * classes, (i + 1) * classes);
    for (const v of row) if (!Number.isFinite(v)) throw new ModelError('model produced a non-finite score (NaN or Infinity)');
    result.push(row);
  }
  return result;
}
