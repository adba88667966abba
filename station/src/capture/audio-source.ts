import type { SegmentInfo, SourceGap } from '../core/segment.js';

/** What every audio source yields: segments of audio (see core/segment.ts), gaps between them, rejected inputs. */
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
