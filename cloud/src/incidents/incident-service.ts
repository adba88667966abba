import { describeError } from '#shared/errors.js';
import type { AlertLocationFields, IncidentPayload, StationLocationFields } from '#shared/mqtt/location.js';
import { decodePayload, type AlertPayload, type StatusPayload, type TelemetryPayload } from '#shared/mqtt/payloads.js';
import type { StationTopicKind } from '#shared/mqtt/topics.js';
import { inBackground } from '#shared/util/background.js';
import type { Logger } from '#shared/util/logger.js';
import type { Clock } from '#shared/util/clock.js';
import { checkAlert } from '../ingest/payload-checks.js';
import type { LiveHub } from '../adapters/live-hub.js';
import { incidentDocKey } from '#shared/bucket/layout.js';
import { putJson, type ObjectStorage } from '../adapters/storage/object-storage.js';
import { incidentPayload, type Incident, type IncidentCorrelator } from './correlator.js';
import { readRecentIncidents } from './incident-archive.js';
import { observationOf } from './observations.js';
import type { StationRegistry } from './station-registry.js';

export interface IncidentServiceDeps {
  correlator: IncidentCorrelator;
  registry: StationRegistry;
  live: LiveHub;
  storage: ObjectStorage;
  logger: Logger;
  clock: Clock;
  /** Publishes on `<prefix>/incidents` (QoS 1); absent without MQTT. */
  publish?: (payload: IncidentPayload) => void;
  /** How often open incidents are checked for their final verdict, ms. Default 1000. */
  sweepIntervalMs?: number;
  /** Days of incidents read back from storage at start (restore). Default 30. */
  restoreDays?: number;
  /** Most incidents read back. Default 2000 (what the correlator keeps). */
  restoreMax?: number;
}

/**
 * The incident engine's edge: takes station messages (alerts with onsets,
 * status and telemetry with positions), feeds the correlator, and sends every
 * new or changed incident to MQTT, the live stream and storage
 * (`incidents/<yyyy-mm-dd>/<id>.json`, the latest form of each). At start the
 * recent ones are read back from storage: they are listed as they were last
 * written, closed (no alert joins them any more), and an alert that belongs
 * to one (a station or broker redelivering after the restart) is a duplicate.
 */
export class IncidentService {
  private timer: NodeJS.Timeout | undefined;
  private readonly writes = new Map<string, Promise<void>>();
  private readonly restored = new Map<string, IncidentPayload>();
  private readonly restoredAlerts = new Set<string>();

  constructor(private readonly deps: IncidentServiceDeps) {}

  start(): void {
    this.timer ??= setInterval(() => this.sweep(), this.deps.sweepIntervalMs ?? 1000);
    this.timer.unref();
  }

  /** Reads the recent incidents back from storage (before MQTT starts, so redelivered alerts are recognised); returns how many. */
  async restore(): Promise<number> {
    const found = await readRecentIncidents(this.deps.storage, {
      nowMs: this.deps.clock.now(), days: this.deps.restoreDays ?? 30, max: this.deps.restoreMax ?? 2000,
    }, this.deps.logger);
    for (const doc of found) {
      if (this.deps.correlator.get(doc.incidentId)) continue;
      this.restored.set(doc.incidentId, { ...doc, type: 'update', open: false });
      for (const s of doc.stations) this.restoredAlerts.add(s.alertId);
    }
    if (found.length > 0) this.deps.logger.info({ incidents: found.length }, 'incidents read back from storage');
    return found.length;
  }

  /**
   * An incident another instance formed or changed (its live update, relayed):
   * listed here as it was sent, and its alerts count as seen, so that this
   * instance serves the same /api/incidents and, should it take over the
   * ingest, does not form the incident a second time. Ignored when this
   * instance has it in its own correlator or when the payload is malformed.
   */
  adopt(data: unknown): boolean {
    const p = data as Partial<IncidentPayload> | null;
    const ok = p !== null && typeof p === 'object' && typeof p.incidentId === 'string' && p.incidentId.length <= 200
      && typeof p.startTime === 'string' && Array.isArray(p.stations) && p.stations.every((s) => typeof s?.alertId === 'string');
    if (!ok || this.deps.correlator.get(p.incidentId as string)) return false;
    const payload = p as IncidentPayload;
    this.restored.set(payload.incidentId, { ...payload, type: 'update' });
    for (const s of payload.stations) this.restoredAlerts.add(s.alertId);
    return true;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all(this.writes.values());
  }

  /** Called for every station message that passed the ingest (the checks are repeated: they are cheap). */
  onStationMessage(kind: StationTopicKind, stationId: string, raw: Buffer): void {
    const now = this.deps.clock.now();
    if (kind === 'status' || kind === 'telemetry') {
      const p = decodePayload<(StatusPayload | TelemetryPayload) & StationLocationFields>(raw, ['stationId']);
      if (!p || p.stationId !== stationId) return;
      const state = 'state' in p ? p.state : undefined;
      this.deps.registry.seen(stationId, now, { state: state === 'online' || state === 'offline' ? state : undefined, position: p.position });
      return;
    }
    if (kind !== 'alert') return;
    const p = decodePayload<AlertPayload & AlertLocationFields>(raw, ['alertId', 'stationId', 'eventId', 'label', 'confidence', 'startTime']);
    if (!p || checkAlert(p, stationId) || this.restoredAlerts.has(p.alertId)) return;
    const observation = observationOf(p, now);
    if (!observation) return;
    if (observation.position) this.deps.registry.seen(stationId, now, { position: observation.position });
    const outcome = this.deps.correlator.add(observation, now);
    if (outcome.type === 'duplicate') return;
    this.emit(outcome.incident, outcome.type);
  }

  /** Finalises incidents whose settle time has passed. */
  sweep(): void {
    for (const incident of this.deps.correlator.sweep(this.deps.clock.now())) this.emit(incident, 'update');
  }

  /** Incidents formed since start and those read back, newest first. */
  list(): IncidentPayload[] {
    const live = this.deps.correlator.list().map((i) => incidentPayload(i, 'update'));
    if (this.restored.size === 0) return live;
    const older = [...this.restored.values()].filter((r) => !this.deps.correlator.get(r.incidentId));
    return [...live, ...older].sort((a, b) => Date.parse(b.startTime) - Date.parse(a.startTime));
  }

  get(id: string): IncidentPayload | undefined {
    const incident = this.deps.correlator.get(id);
    return incident ? incidentPayload(incident, 'update') : this.restored.get(id);
  }

  private emit(incident: Incident, type: 'new' | 'update'): void {
    const payload = incidentPayload(incident, type);
    this.deps.logger.info({
      incidentId: payload.incidentId, type, stations: payload.stations.length, corroboration: payload.corroboration,
      location: payload.location && { kind: payload.location.kind, eastM: payload.location.eastM, northM: payload.location.northM, flags: payload.location.flags },
    }, 'incident');
    this.deps.publish?.(payload);
    this.deps.live.publish('incident', payload);
    this.persist(payload, incident.anchorMs);
  }

  /** Writes of one incident are chained so the last state wins; the key is dated by the first alert's onset. */
  private persist(payload: IncidentPayload, firstOnsetMs: number): void {
    const key = incidentDocKey(payload.incidentId, firstOnsetMs);
    const write = (this.writes.get(key) ?? Promise.resolve())
      .then(() => putJson(this.deps.storage, key, payload))
      .catch((err: unknown) => this.deps.logger.warn({ key, err: describeError(err) }, 'incident could not be written to storage'));
    this.writes.set(key, write);
    inBackground(write.then(() => {
      if (this.writes.get(key) === write) this.writes.delete(key);
    }), this.deps.logger, 'incident write bookkeeping');
  }
}
