import type { DetectionEvent } from '#shared/pipeline/types.js';
import { findShots, type ShotOnsets } from './shot-counter.js';

/**
 * The shots of an alerting event: the two-stage detector's trigger onsets
 * when it made the event (to the sample, one per shot of a burst), else onsets
 * re-found in the event's audio (the window model's events).
 * `read(start, end)` returns the event's samples.
 */
export function eventShots(event: DetectionEvent, read: (start: number, end: number) => Float32Array, sampleRateHz: number): ShotOnsets {
  if (event.shotSamples && event.shotSamples.length > 0) {
    return { count: event.shotSamples.length, firstOnsetSample: event.shotSamples[0] - event.startSample };
  }
  return findShots(read(event.startSample, event.endSample), { sampleRateHz });
}
