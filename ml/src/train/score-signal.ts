import type { LogMelFrontEnd } from '#shared/features/log-mel.js';
import { tf } from '#shared/model/tf.js';
import type { PatchSet } from './patch-set.js';

const SEGMENT_PATCHES = 256;

/** Window scores of a signal: scores[w * classes + k], windows every patchHopSec. */
export interface SignalScores {
  scores: Float32Array;
  windows: number;
  classes: number;
}

/**
 * Runs the model over a signal of any length the way the station does (log-mel
 * patches with the front end's hop, batched), a few minutes at a time so an
 * hour of audio never needs all its patches in memory at once.
 */
export function scoreSignal(model: tf.LayersModel, frontEnd: LogMelFrontEnd, samples: Float32Array, batchSize = 64): SignalScores {
  const { patchSamples, patchHopSamples } = frontEnd.geometry;
  const classes = (model.outputs[0].shape[1] as number);
  const windows = samples.length < patchSamples ? 1 : 1 + Math.floor((samples.length - patchSamples) / patchHopSamples);
  const scores = new Float32Array(windows * classes);
  for (let first = 0; first < windows; first += SEGMENT_PATCHES) {
    const count = Math.min(SEGMENT_PATCHES, windows - first);
    const start = first * patchHopSamples;
    const end = Math.min(samples.length, start + (count - 1) * patchHopSamples + patchSamples);
    const patches = frontEnd.patches(samples.subarray(start, end)).slice(0, count);
    scores.set(predictPatches(model, patches, batchSize), first * classes);
  }
  return { scores, windows, classes };
}

/** Scores for a list of patches, batched. */
export function predictPatches(model: tf.LayersModel, patches: readonly Float32Array[], batchSize = 64): Float32Array {
  const [, frames, bands] = model.inputs[0].shape as number[];
  const classes = model.outputs[0].shape[1] as number;
  const out = new Float32Array(patches.length * classes);
  for (let b = 0; b < patches.length; b += batchSize) {
    const n = Math.min(batchSize, patches.length - b);
    const flat = new Float32Array(n * frames * bands);
    for (let i = 0; i < n; i++) flat.set(patches[b + i], i * frames * bands);
    const y = tf.tidy(() => model.predict(tf.tensor4d(flat, [n, frames, bands, 1])) as tf.Tensor);
    out.set(y.dataSync() as Float32Array, b * classes);
    y.dispose();
  }
  return out;
}

/** Scores for every patch of a PatchSet. */
export function predictPatchSet(model: tf.LayersModel, set: PatchSet, batchSize = 128): Float32Array {
  const classes = model.outputs[0].shape[1] as number;
  const out = new Float32Array(set.count * classes);
  for (let b = 0; b < set.count; b += batchSize) {
    const n = Math.min(batchSize, set.count - b);
    const patches = Array.from({ length: n }, (_, i) => set.patch(b + i));
    out.set(predictPatches(model, patches, batchSize), b * classes);
  }
  return out;
}

