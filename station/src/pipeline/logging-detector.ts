import { createHash } from 'node:crypto';
import type { LoggingAlertDraft } from '#shared/mqtt/payloads.js';
import { SustainedPresence, type PresenceTransition, type SustainedPresenceOptions } from '#shared/pipeline/sustained-presence.js';
import type { DetectionMessage, ScoredWindow } from '#shared/pipeline/types.js';
import type { SegmentInfo, SourceGap } from '../core/segment.js';
import type { PipelineSink } from './sink.js';

export interface LoggingDetectorOptions {
  stationId: string;
  /** The class whose sustained presence is logging (default config: chainsaw). */
  label: string;
  /** Span, presence and update settings (the threshold comes from `deps.threshold`). */
  presence: Omit<SustainedPresenceOptions, 'threshold'>;
}

export interface LoggingDetectorDeps {
  /** The current model's class names (the label's index can move with a model update). */
  classNames(): readonly string[];
  /** Threshold for the label under the current model and config. */
  threshold(): number;
  modelVersion(): string;
  /** The current model's caveat for the label (its `weakClasses` entry), or null. */
  caveat(): string | null;
  /** Object key of a detection's clip once the recorder has stored it. */
  clipKeyOf(eventId: string): string | undefined;
  /** Must make the message durable (outbox) before returning. */
  emit(message: LoggingAlertDraft): void;
  now(): number;
}

interface LabelEvent {
  id: string;
  startSample: number;
  endSample: number;
}

/** Most recent detections of the label kept to find the onset's clip. */
const RECENT_EVENTS = 32;

/**
 * The logging stage: a pipeline sink that passes everything on to the
 * station's recorder and watches one class's window scores for sustained
 * presence (shared/src/pipeline/sustained-presence.ts). Each start, update
 * and end becomes a logging alert message with the total duration so far and
 * the clip of the onset: the clip of the class's first detection in the alert,
 * which the recorder writes and uploads like any other.
 */
export class LoggingDetector implements PipelineSink {
  private readonly presence: SustainedPresence;
  private recent: LabelEvent[] = [];
  private alertId: string | undefined;
  private onsetEventId: string | null = null;
  /** One past the newest audio sample of the segment (where an alert open at its end stops). */
  private audioEndSample = 0;

  constructor(
    private readonly inner: PipelineSink,
    private readonly options: LoggingDetectorOptions,
    private readonly deps: LoggingDetectorDeps,
  ) {
    this.presence = new SustainedPresence({ ...options.presence, threshold: 0.5 });
  }

  async segmentStart(segment: SegmentInfo): Promise<void> {
    this.presence.reset();
    this.recent = [];
    this.alertId = undefined;
    this.audioEndSample = 0;
    await this.inner.segmentStart(segment);
  }

  async audio(segment: SegmentInfo, startSample: number, samples: Float32Array): Promise<void> {
    await this.inner.audio(segment, startSample, samples);
    this.audioEndSample = Math.max(this.audioEndSample, startSample + samples.length);
  }

  async windows(segment: SegmentInfo, scored: readonly ScoredWindow[]): Promise<void> {
    await this.inner.windows(segment, scored);
    const index = this.deps.classNames().indexOf(this.options.label);
    if (index < 0) return;
    this.presence.setThreshold(this.deps.threshold());
    for (const s of scored) {
      for (const t of this.presence.push(s.window.startSample, s.window.endSample, s.scores[index] ?? 0)) this.report(segment, t);
    }
  }

  async detection(segment: SegmentInfo, message: DetectionMessage): Promise<void> {
    await this.inner.detection(segment, message);
    const e = message.event;
    if (e.label !== this.options.label) return;
    const known = this.recent.find((r) => r.id === e.id);
    if (known) known.endSample = e.endSample;
    else this.recent = [...this.recent, { id: e.id, startSample: e.startSample, endSample: e.endSample }].slice(-RECENT_EVENTS);
  }

  async segmentEnd(segment: SegmentInfo, reason: string, error?: string): Promise<void> {
    for (const t of this.presence.end(this.audioEndSample)) this.report(segment, t);
    await this.inner.segmentEnd(segment, reason, error);
  }

  async gap(gap: SourceGap): Promise<void> {
    await this.inner.gap(gap);
  }

  async rejected(path: string, error: string): Promise<void> {
    await this.inner.rejected(path, error);
  }

  private report(segment: SegmentInfo, t: PresenceTransition): void {
    if (t.type === 'start') {
      this.alertId = 'lg-' + createHash('sha1').update(`${segment.id}|${this.options.label}|${t.run.onsetSample}`).digest('hex').slice(0, 20);
      this.onsetEventId = null;
    }
    if (!this.alertId) return;
    // The onset's clip: the detection open at the onset, else the first one after it.
    this.onsetEventId ??= this.recent.find((r) => r.endSample >= t.run.onsetSample)?.id ?? null;
    const time = (sample: number): number => segment.startTimeMs + (sample * 1000) / segment.sampleRateHz;
    this.deps.emit({
      v: 1, type: t.type, alertId: this.alertId, stationId: this.options.stationId, label: this.options.label,
      startTime: iso(time(t.run.onsetSample)), lastHeardTime: iso(time(t.run.lastPresentSample)),
      durationSec: round((t.run.lastPresentSample - t.run.onsetSample) / segment.sampleRateHz),
      presentSec: round(t.run.presentWindows * this.options.presence.hopSec),
      peakConfidence: round(t.run.peakScore), meanConfidence: round(t.run.meanScore),
      onsetClipKey: this.onsetEventId ? this.deps.clipKeyOf(this.onsetEventId) ?? null : null, onsetEventId: this.onsetEventId,
      modelVersion: this.deps.modelVersion(), caveat: this.deps.caveat(), raisedAt: iso(this.deps.now()),
    });
    if (t.type === 'end') this.alertId = undefined;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
