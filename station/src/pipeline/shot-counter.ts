import { SHOT_FRAME_MS, shotOnsetFrames } from './shot-frames.js';

/**
 * Counts the shots in a stretch of audio (an alerting event's): the onset
 * picker's frame rule (`shot-frames.ts`), so a shot with its echoes and
 * reverb flutter counts once and a burst counts shot by shot.
 */
export interface ShotCounterOptions {
  sampleRateHz: number;
  /** Rise over the median frame energy that counts as an onset. Default 12 dB. */
  riseDb?: number;
  /** Minimum time between two onsets. Default 50 ms. */
  refractoryMs?: number;
}

export interface ShotOnsets {
  count: number;
  /** Sample (relative to the stretch) of the first onset, or undefined when none. */
  firstOnsetSample: number | undefined;
}

export function findShots(samples: Float32Array, options: ShotCounterOptions): ShotOnsets {
  const frame = Math.max(1, Math.round((options.sampleRateHz * SHOT_FRAME_MS) / 1000));
  const onsets = shotOnsetFrames(samples, frame, options);
  return { count: onsets.length, firstOnsetSample: onsets.length > 0 ? onsets[0] * frame : undefined };
}
