import type { SegmentInfo, SourceGap } from '../core/segment.js';
import type { PipelineSink } from '../pipeline/sink.js';
import type { DetectionMessage, ScoredWindow } from '#shared/pipeline/types.js';
import type { AudioTap } from './audio-tap.js';

/**
 * The recorder with the status page's audio tap in front of it: every call goes on
 * to the recorder unchanged; raw audio is also handed to the tap (bounded, O(n) work).
 */
export class TappedSink implements PipelineSink {
  constructor(private readonly inner: PipelineSink, private readonly tap: AudioTap) {}

  segmentStart(segment: SegmentInfo): Promise<void> | void {
    return this.inner.segmentStart(segment);
  }

  async audio(segment: SegmentInfo, startSample: number, samples: Float32Array): Promise<void> {
    await this.inner.audio(segment, startSample, samples);
    const endTimeMs = segment.startTimeMs + ((startSample + samples.length) * 1000) / segment.sampleRateHz;
    try {
      this.tap.push(samples, endTimeMs);
    } catch {
      // The page's meter is never worth a pipeline failure.
    }
  }

  windows(segment: SegmentInfo, scored: readonly ScoredWindow[]): Promise<void> | void {
    return this.inner.windows(segment, scored);
  }

  detection(segment: SegmentInfo, message: DetectionMessage): Promise<void> | void {
    return this.inner.detection(segment, message);
  }

  segmentEnd(segment: SegmentInfo, reason: string, error?: string): Promise<void> | void {
    return this.inner.segmentEnd(segment, reason, error);
  }

  gap(gap: SourceGap): Promise<void> | void {
    return this.inner.gap(gap);
  }

  rejected(path: string, error: string): Promise<void> | void {
    return this.inner.rejected(path, error);
  }
}
