import type { DetectionEvent } from '#shared/pipeline/types.js';
import { findShots, type ShotOnsets } from './shot-counter.js';

/**
 * The shots of an alerting event: the two-stage detector's trigger onsets
 * when it made the event (to the sample, one per shot of a burst), else onsets
 * re-found in the event's audio and the `leadSamples` before it (the window
 * model's events: their first scoring window can start after the first shot).
 * `read(start, end)` returns what is still held of that stretch. The first
 * onset is relative to the event's start (negative when it came before it).
 */
export function eventShots(event: DetectionEvent, read: (start: number, end: number) => HeldAudio, sampleRateHz: number, leadSamples: number): ShotOnsets {
  if (event.shotSamples && event.shotSamples.length > 0) {
    return { count: event.shotSamples.length, firstOnsetSample: event.shotSamples[0] - event.startSample };
  }
  const span = read(Math.max(0, event.startSample - leadSamples), event.endSample);
  const found = findShots(span.samples, { sampleRateHz });
  return { count: found.count, firstOnsetSample: found.firstOnsetSample === undefined ? undefined : span.startSample + found.firstOnsetSample - event.startSample };
}

/** A stretch of audio and where it starts (sample index). */
export interface HeldAudio {
  samples: Float32Array;
  startSample: number;
}
