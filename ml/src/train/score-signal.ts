import type { LogMelFrontEnd } from '#shared/features/log-mel.js';
import { tf } from '#shared/model/tf.js';
import type { PatchSet } from './patch-set.js';

/**
 * Windows scored per segment: 64 (one inference batch, 31 s of audio, 1.6 MB of
 * patches). Any size gives the same scores (a segment starts on a window
 * boundary and a window's patch depends only on its own samples); 256 held
 * ~50 MB more at the peak of a 30-minute pass (transient patches and joined
 * chunks), for nothing.
 */
const SEGMENT_PATCHES = 64;

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
  return scoreStream(model, frontEnd, { lengthSamples: samples.length, chunks: () => [samples] }, batchSize);
}

/** A signal read in pieces (a LongAudio fits). */
export interface ChunkedSignal {
  lengthSamples: number;
  chunks(chunkSamples?: number): Iterable<Float32Array>;
}

/**
 * scoreSignal over a signal that arrives in chunks: the same segments of
 * SEGMENT_PATCHES windows are scored as soon as their samples are in, and the
 * samples no later segment needs are dropped, so only one segment's audio
 * (about half a minute) is held however long the signal. Same scores as
 * scoreSignal on the whole signal.
 */
export function scoreStream(model: tf.LayersModel, frontEnd: LogMelFrontEnd, signal: ChunkedSignal, batchSize = 64): SignalScores {
  const { patchSamples, patchHopSamples } = frontEnd.geometry;
  const classes = (model.outputs[0].shape[1] as number);
  const length = signal.lengthSamples;
  const windows = length < patchSamples ? 1 : 1 + Math.floor((length - patchSamples) / patchHopSamples);
  const scores = new Float32Array(windows * classes);
  const held = new HeldSamples();
  let first = 0;
  const scoreReady = () => {
    while (first < windows) {
      const count = Math.min(SEGMENT_PATCHES, windows - first);
      const start = first * patchHopSamples;
      const end = Math.min(length, start + (count - 1) * patchHopSamples + patchSamples);
      if (held.end < end) return;
      const patches = frontEnd.patches(held.view(start, end)).slice(0, count);
      scores.set(predictPatches(model, patches, batchSize), first * classes);
      first += SEGMENT_PATCHES;
      held.dropBefore(Math.min(length, first * patchHopSamples));
    }
  };
  scoreReady();
  for (const chunk of signal.chunks(SEGMENT_PATCHES * patchHopSamples)) {
    held.push(chunk);
    scoreReady();
  }
  return { scores, windows, classes };
}

/** The not yet scored tail of a chunked signal: samples [base, end). */
class HeldSamples {
  private samples: Float32Array = new Float32Array(0);
  private base = 0;

  get end(): number {
    return this.base + this.samples.length;
  }

  push(chunk: Float32Array): void {
    if (this.samples.length === 0) {
      this.samples = chunk;
      return;
    }
    const joined = new Float32Array(this.samples.length + chunk.length);
    joined.set(this.samples);
    joined.set(chunk, this.samples.length);
    this.samples = joined;
  }

  view(from: number, to: number): Float32Array {
    return this.samples.subarray(from - this.base, to - this.base);
  }

  dropBefore(at: number): void {
    const keep = this.samples.subarray(Math.min(this.samples.length, at - this.base));
    this.samples = keep.length === 0 ? new Float32Array(0) : keep;
    this.base = Math.max(this.base, at);
  }
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

