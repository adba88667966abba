import type { AlertLocationFields } from '#shared/mqtt/location.js';
import type { AlertPayload, EventPayload } from '#shared/mqtt/payloads.js';
import { clipObjectKey } from '#shared/mqtt/sidecar.js';
import type { Logger } from '#shared/util/logger.js';
import type { SegmentInfo, SourceGap } from '../capture/audio-source.js';
import { describeError } from '#shared/errors.js';
import type { Clipper, PendingClip, WrittenClip } from '../pipeline/clipper.js';
import { pickShotOnsets } from '../pipeline/onset-picker.js';
import { countShots, findShots } from '../pipeline/shot-counter.js';
import type { PipelineSink } from '../pipeline/sink.js';
import type { DetectionEvent, DetectionMessage, ScoredWindow } from '#shared/pipeline/types.js';
import type { Clock } from '../system/clock.js';
import type { AlertStore } from './alert-store.js';
import type { Db } from './database.js';
import type { DetectionRecord, DetectionStore } from './detection-store.js';
import type { Outbox } from './outbox.js';
import type { SegmentStore } from './segment-store.js';

export interface RecorderOptions {
  stationId: string;
  clipsDir: string;
  sampleRateHz: number;
  /** Labels that raise alerts (gunshot plus configured ones). */
  alertLabels: ReadonlySet<string>;
  /** Clip priority per label under disk pressure (higher survives longer); default 1. */
  priorities: Readonly<Record<string, number>>;
  alertCooldownSec: number;
  /** Whether MQTT / uploads are configured: otherwise items are kept as `local`. */
  mqttEnabled: boolean;
  uploadEnabled: boolean;
}

export interface RecorderStores {
  db: Db;
  segments: SegmentStore;
  detections: DetectionStore;
  alerts: AlertStore;
  outbox: Outbox;
}

/** Housekeeping the recorder triggers around clip writes (disk quota). */
export interface RecorderHooks {
  /** Free room for about `samples` more audio (called after a failed write). */
  makeRoom(samples: number): Promise<void>;
  /** Called after clips were committed. */
  afterClips(): Promise<void>;
}

/** Adds what the cloud needs to locate a shot (position, clock state, shot onsets in UTC) to alerts. */
export interface AlertLocator {
  audio(segment: SegmentInfo, startSample: number, sampleCount: number): void;
  alertFields(segment: SegmentInfo, onsetSamples: readonly number[]): AlertLocationFields;
}

/** Upload outbox payload: everything else is read from the clip and detection rows. */
export interface UploadJob {
  clipId: string;
}

/**
 * The station's pipeline sink: detections, alerts, clips and the outbox items
 * they cause, each committed in one transaction. The clip file is on disk
 * (fsynced) before its row exists, so a row never points at a missing file.
 */
export class DetectionRecorder implements PipelineSink {
  private modelVersion = 'unknown';
  /** Samples received in the current segment. */
  private segmentSamples = 0;

  constructor(
    private readonly options: RecorderOptions,
    private readonly stores: RecorderStores,
    private readonly clipper: Clipper,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly classNames: () => readonly string[],
    private readonly currentModelVersion: () => string,
    private readonly hooks: RecorderHooks,
    private readonly locator?: AlertLocator,
  ) {}

  segmentStart(segment: SegmentInfo): void {
    this.clipper.reset();
    this.segmentSamples = 0;
    this.stores.segments.open(segment, this.clock.now());
  }

  audio(segment: SegmentInfo, startSample: number, samples: Float32Array): void {
    this.clipper.audio(startSample, samples);
    this.locator?.audio(segment, startSample, samples.length);
    this.segmentSamples = Math.max(this.segmentSamples, startSample + samples.length);
  }

  async windows(segment: SegmentInfo, _scored: readonly ScoredWindow[]): Promise<void> {
    await this.writeClips(segment, this.clipper.takeReady(false));
  }

  detection(segment: SegmentInfo, message: DetectionMessage): void {
    this.modelVersion = this.currentModelVersion();
    if (message.type === 'start') this.onStart(segment, message.event);
    else if (message.type === 'update') this.onUpdate(segment, message.event);
    else this.onEnd(segment, message.event);
  }

  async segmentEnd(segment: SegmentInfo, reason: string, error?: string): Promise<void> {
    await this.writeClips(segment, this.clipper.takeReady(true));
    this.stores.segments.close(segment.id, this.segmentSamples, error ? `error: ${error}` : reason, this.clock.now());
    if (error) this.logger.warn({ segment: segment.source, error }, 'segment ended with an error; detections so far are kept');
  }

  gap(gap: SourceGap): void {
    this.stores.segments.recordGap(gap, this.clock.now());
    this.logger.warn({ source: gap.source, durationMs: Math.round(gap.endTimeMs - gap.startTimeMs), reason: gap.reason }, 'audio gap recorded');
  }

  rejected(path: string, error: string): void {
    this.logger.error({ path, error }, 'audio file rejected (kept aside, not deleted)');
  }

  private onStart(segment: SegmentInfo, event: DetectionEvent): void {
    const now = this.clock.now();
    const isAlert = this.options.alertLabels.has(event.label);
    // A window turns on for a sound anywhere in its 0.96 s; for impulsive alert classes the
    // first onset inside it says when the first shot was actually heard.
    const onsets = isAlert ? findShots(this.clipper.read(event.startSample, event.endSample), { sampleRateHz: this.options.sampleRateHz }) : undefined;
    const startSample = event.startSample + (onsets?.firstOnsetSample ?? 0);
    const startTimeMs = this.timeOf(segment, startSample);
    const shots = onsets ? Math.max(1, onsets.count) : null;
    const { db, detections, outbox } = this.stores;
    db.transaction(() => {
      const stored = detections.insertOpen({
        id: event.id, segmentId: segment.id, label: event.label, startTimeMs, endTimeMs: this.timeOf(segment, event.endSample),
        startSample, endSample: event.endSample, peakConfidence: event.peakConfidence,
        peakTimeMs: this.timeOf(segment, event.peakSample), windowCount: event.windowCount, shotCount: shots,
        scores: this.scoresOf(event.peakScores), status: 'open', modelVersion: this.modelVersion, alertId: null,
        clipKey: clipObjectKey(this.options.stationId, event.id, startTimeMs), source: segment.source,
      }, now);
      if (isAlert) this.raiseAlert(segment, stored, event, shots ?? 1, now);
      const record = detections.get(event.id) as DetectionRecord;
      outbox.enqueue('event', `event:${event.id}:start`, this.eventPayload('start', record), now, this.messageOptions(isAlert));
    })();
  }

  private onUpdate(segment: SegmentInfo, event: DetectionEvent): void {
    const now = this.clock.now();
    const { db, detections, outbox } = this.stores;
    db.transaction(() => {
      const offset = this.offsetOf(segment, event);
      if (offset === undefined) return;
      detections.update(event.id, this.progress(segment, event, offset), now);
      const record = detections.get(event.id) as DetectionRecord;
      if (this.options.mqttEnabled) outbox.upsertPending('event', `event:${event.id}:update`, this.eventPayload('update', record), now);
    })();
  }

  private onEnd(segment: SegmentInfo, event: DetectionEvent): void {
    const stored = this.stores.detections.get(event.id);
    if (!stored) return;
    // The clip folder mirrors the object key below `stations/<id>/`.
    this.clipper.schedule(event, stored.clipKey.split('/').slice(2).join('/'));
  }

  /**
   * Writes clips whose audio is complete. A failed write (disk full) frees space
   * through the quota hook and retries once; if it still fails the detection is
   * closed without a clip: the detection and its alert are never lost for it.
   */
  private async writeClips(segment: SegmentInfo, ready: PendingClip[]): Promise<void> {
    for (const pending of ready) {
      let clip: WrittenClip | undefined;
      let error: string | undefined;
      for (let attempt = 0; attempt < 2 && !clip; attempt++) {
        try {
          clip = await this.clipper.write(pending);
        } catch (err) {
          error = describeError(err);
          if (attempt === 0) await this.hooks.makeRoom(pending.endSample - pending.startSample).catch(() => undefined);
        }
      }
      if (clip) this.commitClip(segment, clip);
      else this.commitWithoutClip(segment, pending.event, error ?? 'unknown error');
    }
    if (ready.length > 0) await this.hooks.afterClips().catch((err: unknown) => this.logger.warn({ err: describeError(err) }, 'clip housekeeping failed'));
  }

  private commitWithoutClip(segment: SegmentInfo, event: DetectionEvent, error: string): void {
    this.logger.error({ eventId: event.id, label: event.label, error }, 'clip could not be written; detection kept without a clip');
    const now = this.clock.now();
    const { db, detections, outbox } = this.stores;
    db.transaction(() => {
      const offset = this.offsetOf(segment, event);
      if (offset === undefined) return;
      detections.update(event.id, { ...this.progress(segment, event, offset), status: 'closed' }, now);
      const record = detections.get(event.id) as DetectionRecord;
      outbox.enqueue('event', `event:${event.id}:end`, this.eventPayload('end', record), now, this.messageOptions(record.alertId !== null));
    })();
  }

  /** A clip is on disk: close detection, add clip, queue upload and `end` message, in one transaction. */
  private commitClip(segment: SegmentInfo, clip: WrittenClip): void {
    const { event } = clip;
    const isAlert = this.options.alertLabels.has(event.label);
    const shots = isAlert ? Math.max(1, countShots(this.clipper.read(event.startSample, event.endSample), { sampleRateHz: this.options.sampleRateHz })) : null;
    const now = this.clock.now();
    const { db, detections, alerts, outbox } = this.stores;
    db.transaction(() => {
      const offset = this.offsetOf(segment, event);
      if (offset === undefined) return;
      detections.update(event.id, { ...this.progress(segment, event, offset), shotCount: shots, status: 'closed' }, now);
      const record = detections.get(event.id) as DetectionRecord;
      if (record.alertId) alerts.recountShots(record.alertId);
      detections.insertClip({
        id: event.id, detectionId: event.id, path: clip.path, objectKey: record.clipKey, bytes: clip.bytes, sha256: clip.sha256,
        durationSec: clip.durationSec, priority: this.options.priorities[event.label] ?? 1,
        uploadState: this.options.uploadEnabled ? 'pending' : 'local', createdAtMs: now,
      });
      outbox.enqueue('upload', `upload:${event.id}`, { clipId: event.id } satisfies UploadJob, now, {
        priority: this.options.priorities[event.label] ?? 1, state: this.options.uploadEnabled ? 'pending' : 'local',
      });
      outbox.enqueue('event', `event:${event.id}:end`, this.eventPayload('end', record), now, this.messageOptions(isAlert));
    })();
  }

  private raiseAlert(segment: SegmentInfo, detection: DetectionRecord, event: DetectionEvent, shots: number, now: number): void {
    const { alerts, detections, outbox } = this.stores;
    if (detection.alertId) return; // replay of an event that already has its alert
    const cooldownSamples = this.options.alertCooldownSec * this.options.sampleRateHz;
    const joinable = alerts.findJoinable(event.label, segment.id, event.startSample, cooldownSamples, detection.startTimeMs, this.options.alertCooldownSec * 1000);
    if (joinable && joinable.detectionId !== detection.id) {
      detections.setAlert(detection.id, joinable.id);
      alerts.extend(joinable.id, event.endSample, detection.endTimeMs, event.peakConfidence);
      return;
    }
    const alertId = 'al-' + detection.id.slice(3);
    alerts.insert({
      id: alertId, label: event.label, detectionId: detection.id, segmentId: segment.id, lastSample: event.endSample,
      firstTimeMs: detection.startTimeMs, lastTimeMs: detection.endTimeMs, shotCount: shots, confidence: event.peakConfidence, raisedAtMs: now,
    });
    detections.setAlert(detection.id, alertId);
    const payload: Omit<AlertPayload, 'delayed' | 'sentAt'> = {
      v: 1, alertId, stationId: this.options.stationId, label: event.label, confidence: round(event.peakConfidence),
      startTime: iso(detection.startTimeMs), windowEndTime: iso(detection.endTimeMs), shotCount: shots, clipKey: detection.clipKey, modelVersion: detection.modelVersion,
      eventId: detection.id, raisedAt: iso(now), ...this.locator?.alertFields(segment, this.onsetsOf(event)),
    };
    outbox.enqueue('alert', `alert:${alertId}`, payload, now, { priority: 10, state: this.options.mqttEnabled ? 'pending' : 'local' });
  }

  /** Sample-precise shot onsets of an alert's first window (segment sample indices); a little pre-roll lets the picker see the noise before. */
  private onsetsOf(event: DetectionEvent): number[] {
    const span = this.clipper.readSpan(Math.max(0, event.startSample - Math.round(ONSET_PRE_ROLL_SEC * this.options.sampleRateHz)), event.endSample);
    return pickShotOnsets(span.samples, { sampleRateHz: this.options.sampleRateHz }).map((s) => span.startSample + s);
  }

  private eventPayload(type: EventPayload['type'], d: DetectionRecord): Omit<EventPayload, 'delayed'> {
    return {
      v: 1, type, stationId: this.options.stationId, eventId: d.id, label: d.label, confidence: round(d.peakConfidence),
      startTime: iso(d.startTimeMs), endTime: type === 'start' ? undefined : iso(d.endTimeMs), peakTime: iso(d.peakTimeMs),
      windowCount: d.windowCount, shotCount: d.shotCount ?? undefined, clipKey: d.clipKey, modelVersion: d.modelVersion,
      source: d.source, alert: d.alertId !== null,
    };
  }

  private messageOptions(isAlert: boolean): { priority: number; state: 'pending' | 'local' } {
    return { priority: isAlert ? 5 : 0, state: this.options.mqttEnabled ? 'pending' : 'local' };
  }

  /** Stored start minus computed start: a replay keeps the first run's timeline. */
  private offsetOf(segment: SegmentInfo, event: DetectionEvent): number | undefined {
    const stored = this.stores.detections.get(event.id);
    return stored ? stored.startTimeMs - this.timeOf(segment, stored.startSample) : undefined;
  }

  private progress(segment: SegmentInfo, event: DetectionEvent, offset: number) {
    return {
      endTimeMs: this.timeOf(segment, event.endSample) + offset, endSample: event.endSample, peakConfidence: event.peakConfidence,
      peakTimeMs: this.timeOf(segment, event.peakSample) + offset, windowCount: event.windowCount, scores: this.scoresOf(event.peakScores),
    };
  }

  private scoresOf(scores: Float32Array): Record<string, number> {
    const names = this.classNames();
    return Object.fromEntries(names.map((n, i) => [n, round(scores[i] ?? 0)]));
  }

  private timeOf(segment: SegmentInfo, sample: number): number {
    return Math.round(segment.startTimeMs + (sample * 1000) / segment.sampleRateHz);
  }
}

const ONSET_PRE_ROLL_SEC = 0.1;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
