import type { AlertLocationFields } from '#shared/mqtt/location.js';
import type { ClipCodec } from '#shared/audio/clip-codec.js';
import { clipObjectKey } from '#shared/bucket/layout.js';
import type { DetectionEvent } from '#shared/pipeline/types.js';
import { eventPayload, roundScore } from '../actions/message-payloads.js';
import type { UploadJob } from '../actions/upload-clips.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db.js';
import type { SegmentInfo } from '../core/segment.js';
import type { DetectionRecord, DetectionStore } from '../store/detection-store.js';
import type { AlertStore } from '../store/alert-store.js';
import type { Outbox } from '../store/outbox.js';
import type { AlertJoiner } from './alert-joiner.js';
import type { WrittenClip } from './clipper.js';
import type { ShotOnsets } from './shot-counter.js';

export interface DetectionLogOptions {
  stationId: string;
  /** Clip priority per label under disk pressure (higher survives longer); default 1. */
  priorities: Readonly<Record<string, number>>;
  /** Whether MQTT / uploads are configured: otherwise items are kept as `local`. */
  mqttEnabled: boolean;
  uploadEnabled: boolean;
  /** Codec of the clips (names the clip key's extension); default wav. */
  clipCodec?: ClipCodec;
}

export interface DetectionLogStores {
  db: Db;
  detections: DetectionStore;
  alerts: AlertStore;
  outbox: Outbox;
}

/**
 * A detection's life in the database: opened, grown, closed with or without
 * its clip. Each step and the outbox items it causes (event messages, the
 * alert, the upload) commit in one transaction. Times are wall-clock times
 * of samples; a replayed event keeps the first run's timeline.
 */
export class DetectionLog {
  constructor(
    private readonly options: DetectionLogOptions,
    private readonly stores: DetectionLogStores,
    private readonly alerts: AlertJoiner,
    private readonly clock: Clock,
    private readonly classNames: () => readonly string[],
    private readonly modelVersion: () => string,
  ) {}

  /** A new event; `shots` is given for alerting classes (their onsets in the event's audio). */
  opened(segment: SegmentInfo, event: DetectionEvent, shots: ShotOnsets | undefined, alertExtras?: AlertLocationFields): void {
    const now = this.clock.now();
    const isAlert = shots !== undefined;
    // A window turns on for a sound anywhere in its 0.96 s; for impulsive alert classes the
    // first onset inside it says when the first shot was actually heard.
    const startSample = event.startSample + (shots?.firstOnsetSample ?? 0);
    const startTimeMs = timeOf(segment, startSample);
    const shotCount = shots ? Math.max(1, shots.count) : null;
    const { db, detections, outbox } = this.stores;
    const modelVersion = this.modelVersion();
    db.transaction(() => {
      const stored = detections.insertOpen({
        id: event.id, segmentId: segment.id, label: event.label, startTimeMs, endTimeMs: timeOf(segment, event.endSample),
        startSample, endSample: event.endSample, peakConfidence: event.peakConfidence,
        peakTimeMs: timeOf(segment, event.peakSample), windowCount: event.windowCount, shotCount,
        scores: this.scoresOf(event.peakScores), status: 'open', modelVersion, alertId: null,
        clipKey: clipObjectKey(this.options.stationId, event.id, startTimeMs, this.options.clipCodec), source: segment.source,
      }, now);
      if (isAlert) this.alerts.raiseOrJoin(segment, stored, event, shotCount ?? 1, now, alertExtras);
      const record = detections.get(event.id) as DetectionRecord;
      outbox.enqueue('event', `event:${event.id}:start`, eventPayload(this.options.stationId, 'start', record), now, this.messageOptions(isAlert));
    })();
  }

  grown(segment: SegmentInfo, event: DetectionEvent): void {
    const now = this.clock.now();
    const { db, detections, outbox } = this.stores;
    db.transaction(() => {
      const offset = this.offsetOf(segment, event);
      if (offset === undefined) return;
      detections.update(event.id, this.progress(segment, event, offset), now);
      const record = detections.get(event.id) as DetectionRecord;
      if (this.options.mqttEnabled) outbox.upsertPending('event', `event:${event.id}:update`, eventPayload(this.options.stationId, 'update', record), now);
    })();
  }

  /** Where the event's clip goes below the clip folder (mirrors its object key below `stations/<id>/`); undefined if never opened. */
  clipPathOf(eventId: string): string | undefined {
    return this.stores.detections.get(eventId)?.clipKey.split('/').slice(2).join('/');
  }

  /** The clip could not be written: the detection and its alert are kept without it. */
  closedWithoutClip(segment: SegmentInfo, event: DetectionEvent): void {
    const now = this.clock.now();
    const { db, detections, outbox } = this.stores;
    db.transaction(() => {
      const offset = this.offsetOf(segment, event);
      if (offset === undefined) return;
      detections.update(event.id, { ...this.progress(segment, event, offset), status: 'closed' }, now);
      const record = detections.get(event.id) as DetectionRecord;
      outbox.enqueue('event', `event:${event.id}:end`, eventPayload(this.options.stationId, 'end', record), now, this.messageOptions(record.alertId !== null));
    })();
  }

  /** A clip is on disk: close the detection, add the clip, queue its upload and the `end` message. `shots` is set for alerting classes. */
  closedWithClip(segment: SegmentInfo, clip: WrittenClip, shots: number | null): void {
    const { event } = clip;
    const isAlert = shots !== null;
    const now = this.clock.now();
    const { db, detections, alerts, outbox } = this.stores;
    const priority = this.options.priorities[event.label] ?? 1;
    const uploadState = this.options.uploadEnabled ? 'pending' : 'local';
    db.transaction(() => {
      const offset = this.offsetOf(segment, event);
      if (offset === undefined) return;
      detections.update(event.id, { ...this.progress(segment, event, offset), shotCount: shots, status: 'closed' }, now);
      const record = detections.get(event.id) as DetectionRecord;
      if (record.alertId) alerts.recountShots(record.alertId);
      detections.insertClip({
        id: event.id, detectionId: event.id, path: clip.path, objectKey: record.clipKey, bytes: clip.bytes, sha256: clip.sha256,
        durationSec: clip.durationSec, priority, uploadState, createdAtMs: now,
      });
      outbox.enqueue('upload', `upload:${event.id}`, { clipId: event.id } satisfies UploadJob, now, { priority, state: uploadState });
      outbox.enqueue('event', `event:${event.id}:end`, eventPayload(this.options.stationId, 'end', record), now, this.messageOptions(isAlert));
    })();
  }

  private messageOptions(isAlert: boolean): { priority: number; state: 'pending' | 'local' } {
    return { priority: isAlert ? 5 : 0, state: this.options.mqttEnabled ? 'pending' : 'local' };
  }

  /** Stored start minus computed start: a replay keeps the first run's timeline. */
  private offsetOf(segment: SegmentInfo, event: DetectionEvent): number | undefined {
    const stored = this.stores.detections.get(event.id);
    return stored ? stored.startTimeMs - timeOf(segment, stored.startSample) : undefined;
  }

  private progress(segment: SegmentInfo, event: DetectionEvent, offset: number) {
    return {
      endTimeMs: timeOf(segment, event.endSample) + offset, endSample: event.endSample, peakConfidence: event.peakConfidence,
      peakTimeMs: timeOf(segment, event.peakSample) + offset, windowCount: event.windowCount, scores: this.scoresOf(event.peakScores),
    };
  }

  private scoresOf(scores: Float32Array): Record<string, number> {
    const names = this.classNames();
    return Object.fromEntries(names.map((n, i) => [n, roundScore(scores[i] ?? 0)]));
  }
}

/** Wall-clock time (epoch ms) of a sample of the segment. */
function timeOf(segment: SegmentInfo, sample: number): number {
  return Math.round(segment.startTimeMs + (sample * 1000) / segment.sampleRateHz);
}
