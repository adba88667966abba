import type { AlertLocationFields } from '#shared/mqtt/location.js';
import type { DetectionEvent, DetectionMessage, ScoredWindow } from '#shared/pipeline/types.js';
import type { Logger } from '#shared/util/logger.js';
import type { Clock } from '../core/clock.js';
import type { SegmentInfo, SourceGap } from '../core/segment.js';
import type { SegmentStore } from '../store/segment-store.js';
import type { ClipWriter } from './clip-writer.js';
import type { Clipper, PendingClip } from './clipper.js';
import type { DetectionLog } from './detection-log.js';
import type { RecentAudio } from './recent-audio.js';
import { eventShots } from './event-shots.js';
import { pickShotOnsets } from './onset-picker.js';
import type { PipelineSink } from './sink.js';

/** Audio read before an event's start for its shot onsets, s: a trigger's event / a window model's event. */
const TRIGGER_EVENT_LEAD_SEC = 0.1;
const WINDOW_EVENT_LEAD_SEC = 0.5;

export interface DetectionSinkOptions {
  sampleRateHz: number;
  /** Labels that raise alerts (gunshot plus configured ones): their shots are counted. */
  alertLabels: ReadonlySet<string>;
}

/** The stages behind the detector, in the order the data reaches them. */
export interface DetectionStages {
  recent: RecentAudio;
  clipper: Clipper;
  clipWriter: ClipWriter;
  log: DetectionLog;
  /** Adds position, clock state and UTC shot onsets to alerts (location/location-reporter.ts). */
  locator?: AlertLocator;
}

/** What locating a shot across stations needs from the sink. */
export interface AlertLocator {
  audio(segment: SegmentInfo, startSample: number, sampleCount: number): void;
  alertFields(segment: SegmentInfo, onsetSamples: readonly number[]): AlertLocationFields;
}

/**
 * The station's pipeline sink: audio goes to the recent-audio buffer; an event's
 * start is logged with its shot onsets (read from that buffer), its end
 * schedules a clip; clips whose post-roll has arrived are written, then logged
 * with the upload and the `end` message. The clip file is on disk (fsynced)
 * before its row exists, so a row never points at a missing file.
 */
export class DetectionSink implements PipelineSink {
  /** Samples received in the current segment. */
  private segmentSamples = 0;

  constructor(
    private readonly options: DetectionSinkOptions,
    private readonly stages: DetectionStages,
    private readonly segments: SegmentStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  segmentStart(segment: SegmentInfo): void {
    this.stages.recent.reset();
    this.stages.clipper.reset();
    this.segmentSamples = 0;
    this.segments.open(segment, this.clock.now());
  }

  audio(segment: SegmentInfo, startSample: number, samples: Float32Array): void {
    this.stages.recent.write(startSample, samples);
    this.stages.locator?.audio(segment, startSample, samples.length);
    this.segmentSamples = Math.max(this.segmentSamples, startSample + samples.length);
  }

  async windows(segment: SegmentInfo, _scored: readonly ScoredWindow[]): Promise<void> {
    await this.writeClips(segment, this.stages.clipper.takeReady(false));
  }

  detection(segment: SegmentInfo, message: DetectionMessage): void {
    const { event } = message;
    if (message.type === 'start') {
      const alerting = this.isAlert(event);
      this.stages.log.opened(segment, event, alerting ? this.shotsOf(event) : undefined, alerting ? this.locationOf(segment, event) : undefined);
    }
    else if (message.type === 'update') this.stages.log.grown(segment, event);
    else {
      const clipPath = this.stages.log.clipPathOf(event.id);
      if (clipPath !== undefined) this.stages.clipper.schedule(event, clipPath);
    }
  }

  async segmentEnd(segment: SegmentInfo, reason: string, error?: string): Promise<void> {
    await this.writeClips(segment, this.stages.clipper.takeReady(true));
    this.segments.close(segment.id, this.segmentSamples, error ? `error: ${error}` : reason, this.clock.now());
    if (error) this.logger.warn({ segment: segment.source, error }, 'segment ended with an error; detections so far are kept');
  }

  gap(gap: SourceGap): void {
    this.segments.recordGap(gap, this.clock.now());
    this.logger.warn({ source: gap.source, durationMs: Math.round(gap.endTimeMs - gap.startTimeMs), reason: gap.reason }, 'audio gap recorded');
  }

  rejected(path: string, error: string): void {
    this.logger.error({ path, error }, 'audio file rejected (kept aside, not deleted)');
  }

  /** Each clip is committed before the next is written, so a later write's quota pass sees it. */
  private async writeClips(segment: SegmentInfo, ready: PendingClip[]): Promise<void> {
    const { clipWriter, log } = this.stages;
    for (const pending of ready) {
      const { event } = pending;
      const outcome = await clipWriter.write(pending);
      if (outcome.clip) {
        log.closedWithClip(segment, outcome.clip, this.isAlert(event) ? Math.max(1, this.shotsOf(event).count) : null);
      } else {
        this.logger.error({ eventId: event.id, label: event.label, error: outcome.error }, 'clip could not be written; detection kept without a clip');
        log.closedWithoutClip(segment, event);
      }
    }
    if (ready.length > 0) await clipWriter.afterClips();
  }

  private isAlert(event: DetectionEvent): boolean {
    return this.options.alertLabels.has(event.label);
  }

  /** Sample-precise onsets (AIC picker) of the event's first window and the audio before it (leadOf). */
  private locationOf(segment: SegmentInfo, event: DetectionEvent): AlertLocationFields | undefined {
    const locator = this.stages.locator;
    if (!locator) return undefined;
    const span = this.stages.recent.read(Math.max(0, event.startSample - this.leadOf(event)), event.endSample);
    const onsets = pickShotOnsets(span.samples, { sampleRateHz: this.options.sampleRateHz }).map((s) => span.startSample + s);
    return locator.alertFields(segment, onsets);
  }

  /**
   * Audio read before an event's start for its shots, in samples, so the
   * picker sees the noise before the first: 0.1 s before a trigger's onset (the
   * two-stage detector's events start there), half a second before a window
   * model's event: its first scoring window can start after the shot (on its
   * reverb), by up to a hop (0.48 s). Short, so that what the stretch holds
   * before the shot lies within the 2 s in which a much louder onset drops a
   * lesser one (shot-frames.ts).
   */
  private leadOf(event: DetectionEvent): number {
    const leadSec = event.shotSamples && event.shotSamples.length > 0 ? TRIGGER_EVENT_LEAD_SEC : WINDOW_EVENT_LEAD_SEC;
    return Math.round(leadSec * this.options.sampleRateHz);
  }

  /** Shot onsets: the two-stage detector's trigger onsets, else re-found in the event's audio and the lead before it (without the clip's rolls). */
  private shotsOf(event: DetectionEvent) {
    return eventShots(event, (a, b) => this.stages.recent.read(a, b), this.options.sampleRateHz, this.leadOf(event));
  }
}
