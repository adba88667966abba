/**
 * What every audio source (mic, file, folder) produces: a stream of segments.
 * A segment is one continuous run of 16 kHz mono audio (a file, or one recorder
 * process lifetime); windows never span two segments, and the time between
 * two live segments is reported as a gap.
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

export type SourceEvent =
  | { type: 'segment-start'; segment: SegmentInfo }
  /**
   * Samples at `startSample` (index within the segment). Normally this follows
   * on from the previous chunk; a jump means audio was dropped in between.
   */
  | { type: 'audio'; startSample: number; samples: Float32Array }
  | { type: 'segment-end'; reason: 'eof' | 'stopped' | 'recorder-exit' | 'error'; error?: string }
  | { type: 'gap'; gap: SourceGap }
  /** A file or chunk that could not be used; the source carries on. */
  | { type: 'rejected'; path: string; error: string };

export interface AudioSource {
  readonly kind: SegmentInfo['kind'];
  /**
   * Yields events until the source is exhausted (file, folder with exit-when-idle)
   * or `signal` aborts. A consumer that awaits its work between events gets
   * back-pressure for free: file sources only read on demand.
   */
  events(signal: AbortSignal): AsyncIterable<SourceEvent>;
  /** Counters for telemetry. */
  stats(): SourceStats;
}

export interface SourceStats {
  /** Audio chunks dropped because the consumer fell behind (live sources only). */
  droppedChunks: number;
  restarts: number;
  gaps: number;
  /** Wall-clock time of the newest sample delivered, epoch ms. */
  lastAudioTimeMs: number | null;
}
