import { frameEnergies } from './frame-energy.js';

/**
 * Which 5 ms energy frames start a shot: the one rule the shot counter and the
 * onset picker share. A frame starts a shot when its energy is
 * - well above the stretch's median (`riseDb`, default 12 dB),
 * - 4x the mean of the 20 ms before it (a jump over one frame alone is often
 *   reverb flutter),
 * - at least `refractoryMs` (default 50 ms, shorter than the 67 ms cycle of
 *   900 rounds/min automatic fire) after the previous shot, and
 * - not an echo: within 3 frames it peaks at no less than 0.35 of the loudest
 *   frame of the preceding second (the next shot of a burst, fired by the same
 *   gun at the same range, reaches that; most reflections do not), and when it
 *   stays below that loudest frame, the 50 ms from it hold at least 1.5 dB more
 *   energy than the 50 ms before it: a new shot adds energy, while reverb
 *   flutter only redistributes a decaying tail's, and
 * - not a lesser sound before a shot: a frame holding 10x (10 dB) the peak of
 *   an onset less than the refractory period before it replaces that onset,
 *   and an onset peaking below 1/10 of one in the 2 s after it is dropped
 *   (2 s spans an alert's stretch: its first window, up to 0.96 s before the
 *   shot, and the 0.5 s before that, detection-sink.ts). A bird's call just
 *   before a shot is usually far quieter than the shot, and taken for the
 *   first shot it moved the shot's located position by tens of metres to
 *   hundreds; the shots of a burst come from one gun at one range.
 * (A stricter 0.5 drops quieter shots of automatic fire; a sharper 20 ms rise
 * drops the shots of recorded bursts, which ride on each other's tails.
 * Measured on the field simulator's shots and recorded bursts in
 * tools-test/shot-count.test.ts.)
 */
export interface ShotFrameOptions {
  /** Rise over the median frame energy that counts as an onset. Default 12 dB. */
  riseDb?: number;
  /** Minimum time between two onsets. Default 50 ms. */
  refractoryMs?: number;
}

export const SHOT_FRAME_MS = 5;
const RECENT_FRAMES = 4;
const ECHO_LOOKBACK_MS = 1000;
/** A new shot's peak energy relative to the loudest frame of the second before it (-4.6 dB). */
const ECHO_FRACTION = 0.35;
/** Energy of the 50 ms from a quieter candidate over the 50 ms before it (+1.5 dB). */
const ADDED_ENERGY_FRAMES = 10;
const ADDED_ENERGY_RATIO = 10 ** (1.5 / 10);
/** A sound this much quieter (peak energy, -10 dB) than an onset within LESSER_HORIZON_MS after it is no shot. */
const LESSER_FRACTION = 0.1;
const LESSER_HORIZON_MS = 2000;

/** Frame indices (of `frameSamples` each) where shots start, in order. */
export function shotOnsetFrames(samples: Float32Array, frameSamples: number, options: ShotFrameOptions = {}): number[] {
  const frames = Math.floor(samples.length / frameSamples);
  if (frames < 3) return [];
  const energy = frameEnergies(samples, frameSamples);
  const median = Float64Array.from(energy).sort()[Math.floor(frames / 2)];
  const rise = 10 ** ((options.riseDb ?? 12) / 10);
  const refractory = Math.ceil((options.refractoryMs ?? 50) / SHOT_FRAME_MS);
  const lookback = Math.round(ECHO_LOOKBACK_MS / SHOT_FRAME_MS);
  const onsets: number[] = [];
  let last = -Infinity;
  for (let f = 1; f < frames; f++) {
    if (energy[f] <= rise * median || energy[f] <= 4 * recentMean(energy, f)) continue;
    const replaces = f - last < refractory;
    if ((replaces && peakAt(energy, last) >= LESSER_FRACTION * energy[f]) || isEcho(energy, f, lookback)) continue;
    if (replaces) onsets[onsets.length - 1] = f;
    else onsets.push(f);
    last = f;
  }
  return withoutLesserBefore(onsets, energy, Math.round(LESSER_HORIZON_MS / SHOT_FRAME_MS));
}

function recentMean(energy: Float64Array, f: number): number {
  const from = Math.max(0, f - RECENT_FRAMES);
  let s = 0;
  for (let g = from; g < f; g++) s += energy[g];
  return s / (f - from);
}

/** Drops onsets that peak below LESSER_FRACTION of an onset within `horizon` frames after them. */
function withoutLesserBefore(onsets: readonly number[], energy: Float64Array, horizon: number): number[] {
  const peaks = onsets.map((f) => peakAt(energy, f));
  return onsets.filter((f, i) => onsets.every((g, j) => j <= i || g - f > horizon || peaks[i] >= LESSER_FRACTION * peaks[j]));
}

/** Loudest of the frame and the two after it (a shot's peak). */
function peakAt(energy: Float64Array, f: number): number {
  let peak = 0;
  for (let g = f; g < Math.min(energy.length, f + 3); g++) peak = Math.max(peak, energy[g]);
  return peak;
}

function isEcho(energy: Float64Array, f: number, lookback: number): boolean {
  let before = 0;
  for (let g = Math.max(0, f - lookback); g < f; g++) before = Math.max(before, energy[g]);
  const peak = peakAt(energy, f);
  if (peak < ECHO_FRACTION * before) return true;
  if (peak >= before) return false;
  return sumOf(energy, f, f + ADDED_ENERGY_FRAMES) < ADDED_ENERGY_RATIO * sumOf(energy, f - ADDED_ENERGY_FRAMES, f);
}

function sumOf(energy: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let g = Math.max(0, from); g < Math.min(energy.length, to); g++) s += energy[g];
  return s;
}
