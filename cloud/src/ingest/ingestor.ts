import { eventDocKey, isClipKey, isSidecarKey } from '#shared/bucket/layout.js';
import type { AlertPayload, EventPayload, StatusPayload, TelemetryPayload } from '#shared/mqtt/payloads.js';
import { decodePayload } from '#shared/mqtt/payloads.js';
import type { ClipSidecar } from '#shared/mqtt/sidecar.js';
import type { StationTopicKind } from '#shared/mqtt/topics.js';
import type { Logger } from '#shared/util/logger.js';
import { isoNow, type Clock } from '#shared/util/clock.js';
import type { DetectionRecord, DetectionsRepo } from '../adapters/db/detections-repo.js';
import type { StationsRepo } from '../adapters/db/stations-repo.js';
import type { LiveHub } from '../adapters/live-hub.js';
import { getJson, putJson, type ObjectStorage } from '../adapters/storage/object-storage.js';
import type { LoggingRepo } from '../adapters/db/logging-repo.js';
import { detectionView } from './detection-view.js';
import { ingestLoggingAlert } from './logging-ingest.js';
import { cleanAlert, cleanEvent, cleanSidecar, cleanStatus, cleanTelemetry } from './payload-clean.js';
import { checkAlert, checkEvent, checkSidecar, checkStatus, checkTelemetry, isSafeId, isStationClipKey } from './payload-checks.js';

export interface IngestorDeps {
  storage: ObjectStorage;
  detections: DetectionsRepo;
  stations: StationsRepo;
  live: LiveHub;
  logger: Logger;
  clock: Clock;
  /** Logging alerts (MQTT `logging`); without it those messages are dropped. */
  logging?: LoggingRepo;
}

/**
 * Turns what stations send (MQTT messages, clip sidecars, clip uploads) into
 * index rows and live pushes. Messages that fail their checks are logged and
 * dropped; they never throw back into the MQTT client.
 */
export class Ingestor {
  private readonly deps: IngestorDeps;
  private readonly writes = new Map<string, Promise<void>>();
  /** MQTT messages dropped because their station is not registered (or revoked): counted, not stored. */
  droppedUnregistered = 0;

  constructor(deps: IngestorDeps) {
    this.deps = deps;
  }

  async onStationMessage(kind: StationTopicKind, stationId: string, raw: Buffer): Promise<void> {
    if (!isSafeId(stationId)) return this.drop(kind, stationId, 'unsafe station id');
    // Only registered stations are believed: anyone else on the broker would otherwise create rows
    // without limit (and sidecar listings every minute for each).
    if (!(await this.deps.stations.isActive(stationId))) {
      if (this.droppedUnregistered++ % 1000 === 0) this.deps.logger.warn({ kind, stationId, dropped: this.droppedUnregistered }, 'MQTT message from an unregistered or revoked station dropped');
      return;
    }
    switch (kind) {
      case 'event': {
        const p = decodePayload<EventPayload>(raw, ['type', 'stationId', 'eventId', 'label', 'confidence', 'startTime']);
        const problem = p ? checkEvent(p, stationId) : 'not an event payload';
        if (problem || !p) return this.drop(kind, stationId, problem);
        await this.onEvent(cleanEvent(p));
        return;
      }
      case 'alert': {
        const p = decodePayload<AlertPayload>(raw, ['alertId', 'stationId', 'eventId', 'label', 'confidence', 'startTime']);
        const problem = p ? checkAlert(p, stationId) : 'not an alert payload';
        if (problem || !p) return this.drop(kind, stationId, problem);
        await this.onAlert(cleanAlert(p));
        return;
      }
      case 'status': {
        const p = decodePayload<StatusPayload>(raw, ['stationId', 'state']);
        const problem = p ? checkStatus(p, stationId) : 'not a status payload';
        if (problem || !p) return this.drop(kind, stationId, problem);
        const station = await this.deps.stations.touch(stationId, { lastSeen: this.seenAt(p.time), ...cleanStatus(p) });
        if (station) this.deps.live.publish('station', station);
        return;
      }
      case 'logging': {
        const logging = this.deps.logging;
        const result = logging ? await ingestLoggingAlert({ logging, live: this.deps.live, now: () => this.now() }, stationId, raw) : { problem: 'logging alerts not kept here' };
        if (result.problem) return this.drop(kind, stationId, result.problem);
        await this.touch(stationId);
        return;
      }
      case 'telemetry': {
        const p = decodePayload<TelemetryPayload>(raw, ['stationId', 'time']);
        const problem = p ? checkTelemetry(p, stationId) : 'not a telemetry payload';
        if (problem || !p) return this.drop(kind, stationId, problem);
        const { telemetry, modelVersion } = cleanTelemetry(p);
        const station = await this.deps.stations.touch(stationId, { lastSeen: this.seenAt(p.time), state: 'online', modelVersion, telemetry });
        if (station) this.deps.live.publish('station', station);
        return;
      }
    }
  }

  async onEvent(p: EventPayload): Promise<DetectionRecord> {
    const clean: EventPayload = { ...p, clipKey: isStationClipKey(p.stationId, p.clipKey) ? p.clipKey : '' };
    const record = await this.deps.detections.applyEvent(clean, this.now());
    await this.touch(p.stationId);
    if (p.type === 'end') await this.persist(record);
    this.deps.live.publish('detection', detectionView(record));
    return record;
  }

  async onAlert(p: AlertPayload): Promise<DetectionRecord> {
    const clean: AlertPayload = { ...p, clipKey: isStationClipKey(p.stationId, p.clipKey) ? p.clipKey : '' };
    const record = await this.deps.detections.applyAlert(clean, this.now());
    await this.touch(p.stationId);
    await this.persist(record);
    this.deps.live.publish('alert', {
      alertId: p.alertId, stationId: p.stationId, eventId: p.eventId, label: p.label, confidence: p.confidence,
      shotCount: p.shotCount, startTime: p.startTime, raisedAt: p.raisedAt, delayed: p.delayed, clipKey: clean.clipKey || null,
      windowEndTime: (p as { windowEndTime?: string }).windowEndTime ?? null,
    });
    this.deps.live.publish('detection', detectionView(record));
    return record;
  }

  /** A sidecar in storage: read, check, index. Returns the detection, or undefined when the sidecar is bad. */
  async onSidecar(key: string, clipExists?: boolean): Promise<DetectionRecord | undefined> {
    let sidecar: ClipSidecar;
    try {
      sidecar = await getJson<ClipSidecar>(this.deps.storage, key);
    } catch (err) {
      this.deps.logger.warn({ key, err: (err as Error).message }, 'unreadable clip sidecar skipped');
      return undefined;
    }
    return this.ingestSidecar(key, sidecar, clipExists);
  }

  /**
   * A sidecar already read (the scanner's path via onSidecar, or a confirmation): check, index
   * (an upsert keyed by station and event: ingesting twice leaves one row), push live.
   * `clipExists` undefined: HEAD the clip here.
   */
  async ingestSidecar(key: string, sidecar: ClipSidecar, clipExists?: boolean): Promise<DetectionRecord | undefined> {
    const problem = checkSidecar(sidecar, key);
    if (problem) {
      this.deps.logger.warn({ key, problem }, 'clip sidecar skipped');
      return undefined;
    }
    const present = clipExists ?? (await this.deps.storage.head(sidecar.clipKey)) !== undefined;
    const record = await this.deps.detections.applySidecar(cleanSidecar(sidecar), this.now(), present);
    this.deps.live.publish('detection', detectionView(record));
    return record;
  }

  /** Called when an object finished uploading through this service (fs presigned PUT). */
  async onObjectStored(key: string): Promise<void> {
    if (isSidecarKey(key)) {
      await this.onSidecar(key);
    } else if (isClipKey(key)) {
      for (const record of await this.deps.detections.markClipAvailable(key, this.now())) this.deps.live.publish('detection', detectionView(record));
    }
  }

  /**
   * Writes the event document. Messages are handled concurrently, so writes of
   * one event are chained and each writes the row as it is by then: the last
   * write always holds the merged state, whatever order the messages came in.
   */
  private persist(record: DetectionRecord): Promise<void> {
    const key = eventDocKey(record.stationId, record.id);
    const previous = this.writes.get(key) ?? Promise.resolve();
    const next = previous.then(async () => {
      const latest = (await this.deps.detections.get(record.stationId, record.id)) ?? record;
      try {
        await putJson(this.deps.storage, key, latest);
      } catch (err) {
        // The row is indexed; only a later reindex would miss it. Not worth failing the message for.
        this.deps.logger.warn({ eventId: record.id, err: (err as Error).message }, 'could not write the event document to storage');
      }
    });
    this.writes.set(key, next);
    // `next` never rejects (its body catches); the callers await it.
    next.finally(() => {
      if (this.writes.get(key) === next) this.writes.delete(key);
    }).catch(() => undefined);
    return next;
  }

  private async touch(stationId: string): Promise<void> {
    const station = await this.deps.stations.touch(stationId, { lastSeen: this.now() });
    if (station) this.deps.live.publish('station', station);
  }

  /** A message's own time, but never in the future (a station with a wrong clock). */
  private seenAt(time: string | undefined): string {
    const now = new Date(this.deps.clock.now());
    const t = time ? Date.parse(time) : NaN;
    return Number.isNaN(t) || t > now.getTime() ? now.toISOString() : new Date(t).toISOString();
  }

  private now(): string {
    return isoNow(this.deps.clock);
  }

  private drop(kind: string, stationId: string, problem: string | undefined): void {
    this.deps.logger.warn({ kind, stationId, problem }, 'MQTT message dropped');
  }
}
