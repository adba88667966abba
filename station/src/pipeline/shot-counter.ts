import { frameEnergies } from './frame-energy.js';

/**
 * Finds impulsive onsets (shots) in a stretch of audio: 5 ms energy frames,
 * an onset where a frame jumps well above the median level of the stretch,
 * with a refractory period shorter than the cycle of automatic fire
 * (900 rounds/min = 67 ms), so a burst counts shot by shot.
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
  const frame = Math.max(1, Math.round(options.sampleRateHz * 0.005));
  const frames = Math.floor(samples.length / frame);
  if (frames < 3) return { count: 0, firstOnsetSample: undefined };
  const energy = frameEnergies(samples, frame);
  const median = Float64Array.from(energy).sort()[Math.floor(frames / 2)];
  const rise = 10 ** ((options.riseDb ?? 12) / 10);
  const refractory = Math.ceil((options.refractoryMs ?? 50) / 5);
  let count = 0;
  let first: number | undefined;
  let last = -Infinity;
  for (let f = 1; f < frames; f++) {
    const jump = energy[f] > rise * median && energy[f] > 4 * energy[f - 1];
    if (jump && f - last >= refractory) {
      count++;
      first ??= f * frame;
      last = f;
    }
  }
  return { count, firstOnsetSample: first };
}
