import type { LogMelFrontEnd } from '#shared/features/log-mel.js';
import type { Random } from '#shared/util/random.js';

/** Patches of one clip and which of them carry the clip's labels. */
export interface ClipPatches {
  patches: Float32Array[];
  /** Per patch: loud enough (relative to the clip's loudest patch) to carry the clip's labels. */
  active: boolean[];
  /** Per patch: peak frame level, natural log of summed mel magnitude. */
  levels: number[];
}

export interface PatchOptions {
  /**
   * A patch carries the clip's labels when its loudest frame is within this many
   * dB of the clip's loudest frame. Quieter patches of a labelled clip (the tail
   * of a reverberant shot, the silence before a bark) are left out rather than
   * taught as either present or absent. Default 20 dB.
   */
  activityRangeDb?: number;
}

/**
 * Log-mel patches of a clip (the front end zero-pads clips shorter than one
 * patch), with an activity flag per patch for weakly labelled clips.
 */
export function clipPatches(frontEnd: LogMelFrontEnd, samples: Float32Array, opts: PatchOptions = {}): ClipPatches {
  const patches = frontEnd.patches(samples);
  const bands = frontEnd.params.melBands;
  const levels = patches.map((p) => patchPeakLevel(p, bands));
  const peak = Math.max(...levels);
  // Amplitude dB to natural-log units: the front end logs magnitudes, not powers.
  const range = ((opts.activityRangeDb ?? 20) / 20) * Math.LN10;
  const floor = Math.log(frontEnd.params.logOffset * bands) + 0.5;
  const active = levels.map((l) => l >= peak - range && l > floor);
  return { patches, active, levels };
}

/** Loudest frame of a patch: log of the summed mel magnitudes. */
export function patchPeakLevel(patch: Float32Array, melBands: number): number {
  let best = -Infinity;
  for (let f = 0; f < patch.length; f += melBands) {
    let sum = 0;
    for (let b = 0; b < melBands; b++) sum += Math.exp(patch[f + b]);
    if (sum > best) best = sum;
  }
  return Math.log(best);
}

/**
 * Places a clip on a time line the way a station's windows would meet it, so
 * no audio is lost and events do not always sit at a window's start:
 * - a clip shorter than one window goes at a random offset inside a stretch of
 *   one window plus one hop (two overlapping windows: the event lands early in
 *   one and late in the other, as on the station);
 * - a longer clip gets a random lead of up to one hop and is padded at the end
 *   to the next window boundary (the front end only emits whole windows).
 * Padding is digital silence; withDither() adds the noise floor afterwards.
 */
export function placeOnWindows(samples: Float32Array, patchSamples: number, hopSamples: number, rand: Random): Float32Array {
  if (samples.length < patchSamples) {
    const out = new Float32Array(patchSamples + hopSamples);
    out.set(samples, rand.int(0, out.length - samples.length + 1));
    return out;
  }
  const lead = rand.int(0, hopSamples);
  const body = lead + samples.length;
  const windows = Math.ceil(Math.max(0, body - patchSamples) / hopSamples) + 1;
  const out = new Float32Array(patchSamples + (windows - 1) * hopSamples);
  out.set(samples, lead);
  return out;
}

/**
 * A copy of `samples` with white noise at a random level between minDb and maxDb
 * (dBFS RMS). Real microphones never deliver digital silence; without this the
 * model would learn that the exact log(0.001) floor around an event means
 * "training clip", a cue no station ever sees.
 */
export function withDither(samples: Float32Array, rand: Random, minDb = -90, maxDb = -55): Float32Array {
  const rms = 10 ** (rand.uniform(minDb, maxDb) / 20);
  const out = new Float32Array(samples.length);
  // Uniform noise in [-a, a] has RMS a / sqrt(3).
  const a = rms * Math.sqrt(3);
  for (let i = 0; i < out.length; i++) out[i] = samples[i] + a * (rand.next() * 2 - 1);
  return out;
}
