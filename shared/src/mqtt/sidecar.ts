import type { ClipCodec } from '../audio/clip-codec.js';

/**
 * The JSON sidecar uploaded next to every clip (`<clipKey minus .wav/.flac/.opus>.json`).
 * The cloud can rebuild its whole index of station clips from these alone.
 * Its key (and the clip's) comes from the bucket layout, #shared/bucket/layout.js.
 */
export interface ClipSidecar {
  v: 1;
  stationId: string;
  clipId: string;
  clipKey: string;
  /** sha256 of the clip file's bytes (as encoded), hex. */
  sha256: string;
  /** Size of the clip file as encoded and uploaded. */
  bytes: number;
  /** How the clip file is encoded; absent in sidecars from stations before codecs (then `wav`). */
  codec?: ClipCodec;
  sampleRateHz: number;
  durationSec: number;
  /** Clip start relative to the detection start (negative: pre-roll). */
  clipStartTime: string;
  detection: {
    eventId: string;
    label: string;
    confidence: number;
    startTime: string;
    endTime: string;
    peakTime: string;
    windowCount: number;
    shotCount: number | null;
    /** Every class score of the peak window. */
    scores: Record<string, number>;
  };
  modelVersion: string;
  source: string;
  createdAt: string;
}
