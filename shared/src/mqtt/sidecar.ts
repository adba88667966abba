/**
 * The JSON sidecar uploaded next to every clip (`<clipKey minus .wav>.json`).
 * The cloud can rebuild its whole index of station clips from these alone.
 * Its key (and the clip's) comes from the bucket layout, #shared/bucket/layout.js.
 */
export interface ClipSidecar {
  v: 1;
  stationId: string;
  clipId: string;
  clipKey: string;
  /** sha256 of the WAV bytes, hex. */
  sha256: string;
  bytes: number;
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
