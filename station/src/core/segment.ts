/**
 * What every audio source (mic, file, folder) produces and every later stage
 * refers to: a segment is one continuous run of mono audio at SAMPLE_RATE_HZ
 * (#shared/audio/sample-rate.js): a file, or one recorder process lifetime;
 * windows never span two segments, and the time between two live segments
 * is reported as a gap.
 */
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
