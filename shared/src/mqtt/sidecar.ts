/**
 * The JSON sidecar uploaded next to every clip (`<clipKey minus .wav>.json`).
 * The cloud can rebuild its whole index of station clips from these alone.
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

/** `stations/<stationId>/<yyyy>/<mm>/<dd>/<clipId>.wav`, from the detection's UTC start date. */
export function clipObjectKey(stationId: string, clipId: string, startTimeMs: number): string {
  const d = new Date(startTimeMs);
  const yyyy = d.getUTCFullYear().toString().padStart(4, '0');
  const mm = (d.getUTCMonth() + 1).toString().padStart(2, '0');
  const dd = d.getUTCDate().toString().padStart(2, '0');
  return `stations/${stationId}/${yyyy}/${mm}/${dd}/${clipId}.wav`;
}

export function sidecarKeyFor(clipKey: string): string {
  return clipKey.replace(/\.wav$/, '.json');
}
