/**
 * What every audio source (mic, file, folder) produces and every later stage
 * refers to: a segment is one continuous run of 16 kHz mono audio (a file, or
 * one recorder process lifetime); windows never span two segments, and the
 * time between two live segments is reported as a gap.
 */
export const STATION_SAMPLE_RATE_HZ = 16000;

export interface SegmentInfo {
  /** Deterministic identity: reprocessing the same audio gives the same id (and event ids). */
  id: string;
  kind: 'mic' | 'file' | 'folder';
  /** Human-readable origin: device name or file path. */
  source: string;
  /** Wall-clock time of the segment's first sample (epoch ms). */
  startTimeMs: number;
  sampleRateHz: number;
  /** For file-backed segments. */
  file?: { path: string; sha256: string; sizeBytes: number };
}

export interface SourceGap {
  source: string;
  startTimeMs: number;
  endTimeMs: number;
  reason: string;
}
