import type { Random } from '#shared/util/random.js';

/**
 * SpecAugment-style masking on one log-mel patch (Park et al. 2019, without
 * time warping): whole frames (time masks) and whole mel bands (frequency
 * masks) are overwritten, so the model cannot lean on any one moment or band.
 * Patches are Float32Array, frames x bands, row-major (frame f, band b at f * bands + b),
 * as LogMelFrontEnd.patches() produces them.
 */
export interface SpecAugmentOptions {
  /** Number of time masks. */
  timeMasks: number;
  /** Number of frequency masks. */
  freqMasks: number;
  /** Widest time mask, frames; each width is drawn from 1..maxTimeWidth (capped at `frames`). */
  maxTimeWidth: number;
  /** Widest frequency mask, bands; each width is drawn from 1..maxFreqWidth (capped at `bands`). */
  maxFreqWidth: number;
  /**
   * Value written into the masks: 'mean' (default) = the unmasked patch's mean,
   * so masks add no energy and no silence; 'floor' = log(0.001), the front end's
   * value for silence; or a number.
   */
  fill?: 'mean' | 'floor' | number;
  /** Write here instead of a new array (may be the input itself: masking in place). */
  out?: Float32Array;
}

/** A masked stretch: [start, start + width) frames or bands. */
export interface MaskRegion {
  start: number;
  width: number;
}

export interface SpecAugmentResult {
  patch: Float32Array;
  timeMasks: MaskRegion[];
  freqMasks: MaskRegion[];
  fillValue: number;
}

/** log(0.001): what the YAMNet front end outputs for silence. */
export const LOG_MEL_FLOOR = Math.log(0.001);

/** Masks may overlap, as in SpecAugment. Draws starts and widths from `rand`. */
export function specAugment(
  patch: Float32Array, frames: number, bands: number, rand: Random, options: SpecAugmentOptions,
): SpecAugmentResult {
  if (patch.length !== frames * bands) throw new RangeError(`patch has ${patch.length} values, expected ${frames} x ${bands}`);
  const out = options.out ?? new Float32Array(patch.length);
  if (out.length !== patch.length) throw new RangeError('out has the wrong length');
  // Reported as stored: rounded to float32.
  const fillValue = Math.fround(fillFor(patch, options.fill ?? 'mean'));
  if (out !== patch) out.set(patch);
  const timeMasks = drawRegions(rand, options.timeMasks, options.maxTimeWidth, frames);
  const freqMasks = drawRegions(rand, options.freqMasks, options.maxFreqWidth, bands);
  for (const m of timeMasks) out.fill(fillValue, m.start * bands, (m.start + m.width) * bands);
  for (const m of freqMasks) {
    for (let f = 0; f < frames; f++) out.fill(fillValue, f * bands + m.start, f * bands + m.start + m.width);
  }
  return { patch: out, timeMasks, freqMasks, fillValue };
}

function drawRegions(rand: Random, count: number, maxWidth: number, size: number): MaskRegion[] {
  const regions: MaskRegion[] = [];
  const widest = Math.min(Math.floor(maxWidth), size);
  if (widest < 1) return regions;
  for (let i = 0; i < count; i++) {
    const width = rand.int(1, widest + 1);
    regions.push({ start: rand.int(0, size - width + 1), width });
  }
  return regions;
}

function fillFor(patch: Float32Array, fill: 'mean' | 'floor' | number): number {
  if (typeof fill === 'number') return fill;
  if (fill === 'floor') return LOG_MEL_FLOOR;
  let sum = 0;
  for (let i = 0; i < patch.length; i++) sum += patch[i];
  return patch.length ? sum / patch.length : 0;
}
