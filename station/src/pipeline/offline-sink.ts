import type { DetectionMessage, ScoredWindow } from '#shared/pipeline/types.js';
import type { SegmentInfo } from '../core/segment.js';
import type { PipelineSink } from './sink.js';

/** One detection as the offline `classify` command reports it. */
export interface OfflineDetection {
  file: string;
  label: string;
  startSec: number;
  endSec: number;
  confidence: number;
}

/** The offline `classify` command's sink: collects the ended events of one file, nothing is stored. */
export class OfflineSink implements PipelineSink {
  readonly detections: OfflineDetection[] = [];
  error: string | undefined;
  private samples = 0;

  constructor(private readonly file: string, private readonly onProgress: (seconds: number) => void) {}

  segmentStart(): void {}

  audio(segment: SegmentInfo, startSample: number, samples: Float32Array): void {
    this.samples = startSample + samples.length;
    this.onProgress(this.samples / segment.sampleRateHz);
  }

  windows(_segment: SegmentInfo, _scored: readonly ScoredWindow[]): void {}

  detection(segment: SegmentInfo, message: DetectionMessage): void {
    if (message.type !== 'end') return;
    const e = message.event;
    this.detections.push({
      file: this.file,
      label: e.label,
      startSec: e.startSample / segment.sampleRateHz,
      endSec: Math.min(e.endSample, this.samples) / segment.sampleRateHz,
      confidence: e.peakConfidence,
    });
  }

  segmentEnd(_segment: SegmentInfo, _reason: string, error?: string): void {
    if (error) this.error = error;
  }

  gap(): void {}

  rejected(_path: string, error: string): void {
    this.error = error;
  }
}
