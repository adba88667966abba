import type { SegmentInfo, SourceGap } from '../core/segment.js';
import { OnsetStream, type GunshotAlarmMessage } from '#shared/detect/onset-stream.js';
import type { OnsetModel } from '#shared/detect/onset-model.js';
import { ONSET_POST_SEC } from '#shared/detect/onset-features.js';
import { eventId } from '#shared/pipeline/event-detector.js';
import type { DetectionEvent, DetectionMessage, ScoredWindow } from '#shared/pipeline/types.js';
import type { PipelineSink } from './sink.js';

export const GUNSHOT_LABEL = 'gunshot';

/**
 * Makes the two-stage detector (impulse trigger -> onset classifier) the
 * station's gunshot path, as a stage between the runner and the real sink:
 * raw audio goes through an OnsetStream, its alarms become `gunshot`
 * detections whose start is the first shot's onset (to the sample) and
 * whose shotSamples are the burst's onsets; the window model's own gunshot
 * detections are dropped (its other classes pass untouched). Alarms found
 * while audio arrives are delivered with that audio, before its windows, in order.
 */
export class GunshotOnsetSink implements PipelineSink {
  private readonly stream: OnsetStream;

  constructor(
    private readonly inner: PipelineSink,
    model: OnsetModel,
    private readonly classNames: () => readonly string[],
    private readonly sampleRateHz = 16000,
  ) {
    this.stream = new OnsetStream(model, sampleRateHz);
  }

  /** Version of the stage-2 model in use. */
  get onsetModelVersion(): string {
    return this.stream.modelVersion;
  }

  /** Switches stage 2 (a model update brought its own); see OnsetStream.useModel. */
  useOnsetModel(model: OnsetModel): void {
    this.stream.useModel(model);
  }

  /** Onsets stage 2 has scored (telemetry). */
  get scoredOnsets(): number {
    return this.stream.scored;
  }

  async segmentStart(segment: SegmentInfo): Promise<void> {
    this.stream.reset();
    await this.inner.segmentStart(segment);
  }

  /** Stage 2 decides as soon as it has 0.6 s after an onset: its alarms go out now, not with the next windows (up to 0.48 s later). */
  async audio(segment: SegmentInfo, startSample: number, samples: Float32Array): Promise<void> {
    await this.inner.audio(segment, startSample, samples);
    await this.deliver(segment, this.stream.push(samples));
  }

  async windows(segment: SegmentInfo, scored: readonly ScoredWindow[]): Promise<void> {
    await this.inner.windows(segment, scored);
  }

  async detection(segment: SegmentInfo, message: DetectionMessage): Promise<void> {
    if (message.event.label === GUNSHOT_LABEL) return;
    await this.inner.detection(segment, message);
  }

  async segmentEnd(segment: SegmentInfo, reason: string, error?: string): Promise<void> {
    await this.deliver(segment, this.stream.end());
    await this.inner.segmentEnd(segment, reason, error);
  }

  async gap(gap: SourceGap): Promise<void> {
    await this.inner.gap(gap);
  }

  async rejected(path: string, error: string): Promise<void> {
    await this.inner.rejected(path, error);
  }

  private async deliver(segment: SegmentInfo, messages: readonly GunshotAlarmMessage[]): Promise<void> {
    for (const m of messages) await this.inner.detection(segment, this.toDetection(segment, m));
  }

  private toDetection(segment: SegmentInfo, m: GunshotAlarmMessage): DetectionMessage {
    const names = this.classNames();
    const k = names.indexOf(GUNSHOT_LABEL);
    const peakScores = new Float32Array(names.length);
    if (k >= 0) peakScores[k] = m.alarm.peakScore;
    const event: DetectionEvent = {
      id: eventId(segment.id, GUNSHOT_LABEL, m.alarm.onsetSample),
      label: GUNSHOT_LABEL,
      classIndex: k,
      startSample: m.alarm.onsetSample,
      endSample: m.alarm.lastOnsetSample + Math.round(ONSET_POST_SEC * this.sampleRateHz),
      peakSample: m.alarm.onsetSample,
      peakConfidence: m.alarm.peakScore,
      windowCount: m.alarm.shotSamples.length,
      peakScores,
      shotSamples: [...m.alarm.shotSamples],
    };
    return { type: m.type, event };
  }
}
