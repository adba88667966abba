import { LogMelFrontEnd } from '../../../shared/src/features/log-mel.js';
import type { FrontEndParams } from '../../../shared/src/features/params.js';
import type { ModelPackage } from '../../../shared/src/model/model-package.js';
import { tf } from '../../../shared/src/model/tf.js';

/** The scores of one analysis window (one 0.96 s log-mel patch). */
export interface WindowScores {
  startSec: number;
  endSec: number;
  /** Per class, in the model's class order. */
  scores: Float32Array;
}

/** The part of a loaded model the scorer needs. */
export type ScoringModel = Pick<ModelPackage, 'model' | 'metadata'>;

/**
 * decode -> log-mel patches -> model, as the station does it: patches of the
 * model's front end, hopped by `hopSec`, classified in batches of `maxBatch`.
 */
export function scoreWindows(pkg: ScoringModel, samples16k: Float32Array, hopSec?: number, maxBatch = 32): WindowScores[] {
  const params: FrontEndParams = { ...pkg.metadata.frontEnd, patchHopSec: hopSec ?? pkg.metadata.frontEnd.patchHopSec };
  const frontEnd = new LogMelFrontEnd(params);
  const patches = frontEnd.patches(samples16k);
  const windowSec = frontEnd.geometry.patchSamples / params.sampleRateHz;
  const hopActualSec = frontEnd.geometry.patchHopSamples / params.sampleRateHz;
  const scores = classifyPatches(pkg, patches, maxBatch);
  return scores.map((s, i) => ({ startSec: i * hopActualSec, endSec: i * hopActualSec + windowSec, scores: s }));
}

/** Runs the model on patches (frames x melBands each) in batches; one score vector per patch. */
export function classifyPatches(pkg: ScoringModel, patches: Float32Array[], maxBatch = 32): Float32Array[] {
  const [frames, bands] = pkg.metadata.inputShape;
  const size = frames * bands;
  const out: Float32Array[] = [];
  for (let i = 0; i < patches.length; i += maxBatch) {
    const batch = patches.slice(i, i + maxBatch);
    const flat = new Float32Array(batch.length * size);
    batch.forEach((p, j) => flat.set(p.subarray(0, size), j * size));
    const result = tf.tidy(() => {
      const y = pkg.model.predict(tf.tensor4d(flat, [batch.length, frames, bands, 1])) as tf.Tensor;
      return y.dataSync() as Float32Array;
    });
    const classes = result.length / batch.length;
    for (let j = 0; j < batch.length; j++) out.push(result.slice(j * classes, (j + 1) * classes));
  }
  return out;
}
