import type { SegmentInfo, SourceGap } from '../core/segment.js';
import type { DetectionMessage, ScoredWindow } from '#shared/pipeline/types.js';

/**
 * Where the pipeline's results go: the station's detection sink (clips, store,
 * outbox) or the offline `classify` printer. Methods are awaited in order.
 */
export interface PipelineSink {
  segmentStart(segment: SegmentInfo): Promise<void> | void;
  /**
   * Raw audio as it arrives (the clipper keeps a ring buffer of it). A stage
   * that decides on raw audio (the two-stage gunshot detector) delivers its
   * detections from here, before the audio's windows.
   */
  audio(segment: SegmentInfo, startSample: number, samples: Float32Array): Promise<void> | void;
  /** Every scored window (heartbeat, per-window consumers). */
  windows(segment: SegmentInfo, scored: readonly ScoredWindow[]): Promise<void> | void;
  detection(segment: SegmentInfo, message: DetectionMessage): Promise<void> | void;
  /** All detections of the segment have been delivered. */
  segmentEnd(segment: SegmentInfo, reason: string, error?: string): Promise<void> | void;
  gap(gap: SourceGap): Promise<void> | void;
  rejected(path: string, error: string): Promise<void> | void;
}
