import { mixPatches, specAugment } from '../augment/index.js';
import type { Random } from '#shared/util/random.js';

/** Feature-domain augmentation applied while a training batch is assembled. */
export interface BatchAugmentOptions {
  frames: number;
  melBands: number;
  /** The front end's log offset: log-mel = log(magnitude + offset). */
  logOffset: number;
  /** Probability of mixing in a second patch (labels become the union). Default 0.3. */
  mixProbability?: number;
  /** Probability of one time mask and one frequency mask. Default 0.5. */
  maskProbability?: number;
  /** Widest time mask in frames. Default 8 (80 ms, shorter than most events). */
  maxTimeMaskFrames?: number;
  /** Widest frequency mask in mel bands. Default 8. */
  maxFreqMaskBands?: number;
  /** Probability of a random gain. Default 0.5. */
  gainProbability?: number;
  /** Gain range, +/- dB. Default 12. */
  maxGainDb?: number;
  /**
   * Probability of a random equaliser: a spectral tilt of up to +/-12 dB across
   * the mel range and, a third of the time, a low-pass. Recordings differ in
   * microphones and (game sound effects especially) in band limits; a model
   * that only knows its training sources' colouring fails on the next source.
   * Default 0.5.
   */
  eqProbability?: number;
}

/** Applies a per-band gain (dB) to a log-mel patch, in place. */
export function equalisePatch(patch: Float32Array, bands: number, gainDb: Float32Array, logOffset: number): void {
  const g = gainDb.map((db) => 10 ** (db / 20));
  for (let i = 0; i < patch.length; i++) {
    const b = i % bands;
    patch[i] = Math.log(Math.max(Math.exp(patch[i]) - logOffset, 0) * g[b] + logOffset);
  }
}

/** A random equaliser curve over the mel bands, dB. */
export function randomEq(bands: number, rand: Random): Float32Array {
  const tilt = rand.uniform(-12, 12);
  const curve = new Float32Array(bands);
  const lowPass = rand.chance(1 / 3);
  const cutoff = rand.int(Math.floor(bands * 0.4), bands - 2);
  const depth = rand.uniform(20, 50);
  for (let b = 0; b < bands; b++) {
    curve[b] = tilt * (b / (bands - 1) - 0.5);
    // A 4-band slope into the stop band, like a real low-pass filter's skirt.
    if (lowPass && b > cutoff) curve[b] -= Math.min(1, (b - cutoff) / 4) * depth;
  }
  return curve;
}

/** Scales the audio behind a log-mel patch by gainDb, in place. */
export function gainPatch(patch: Float32Array, gainDb: number, logOffset: number): void {
  const g = 10 ** (gainDb / 20);
  for (let i = 0; i < patch.length; i++) patch[i] = Math.log(Math.max(Math.exp(patch[i]) - logOffset, 0) * g + logOffset);
}

/**
 * Augments one training example in place: random gain, random equaliser, maybe a second patch mixed
 * in (between-class mixing, ml/src/augment mixPatches; its labels OR-ed into
 * `labels`), maybe one time and one frequency mask (ml/src/augment specAugment).
 */
export function augmentExample(
  patch: Float32Array,
  labels: Float32Array,
  partner: { patch: Float32Array; labels: Uint8Array } | undefined,
  rand: Random,
  o: BatchAugmentOptions,
): void {
  if (rand.chance(o.gainProbability ?? 0.5)) {
    const max = o.maxGainDb ?? 12;
    gainPatch(patch, rand.uniform(-max, max), o.logOffset);
  }
  if (rand.chance(o.eqProbability ?? 0.5)) equalisePatch(patch, o.melBands, randomEq(o.melBands, rand), o.logOffset);
  if (partner && rand.chance(o.mixProbability ?? 0.3)) {
    // Lambda in 0.3..0.7 keeps both sounds within ~7 dB: both stay audible, so both labels hold.
    mixPatches(patch, partner.patch, [], [], rand.uniform(0.3, 0.7), patch);
    for (let k = 0; k < labels.length; k++) if (partner.labels[k]) labels[k] = 1;
  }
  if (rand.chance(o.maskProbability ?? 0.5)) {
    specAugment(patch, o.frames, o.melBands, rand, {
      timeMasks: 1, freqMasks: 1, maxTimeWidth: o.maxTimeMaskFrames ?? 8, maxFreqWidth: o.maxFreqMaskBands ?? 8, out: patch,
    });
  }
}
