import { describeError } from '#shared/errors.js';
import type { AlertLocationFields, IncidentPayload, StationLocationFields } from '#shared/mqtt/location.js';
import { decodePayload, type AlertPayload, type StatusPayload, type TelemetryPayload } from '#shared/mqtt/payloads.js';
import type { StationTopicKind } from '#shared/mqtt/topics.js';
import { inBackground } from '#shared/util/background.js';
import type { Logger } from '#shared/util/logger.js';
import type { Clock } from '#shared/util/clock.js';
import { checkAlert } from '../ingest/payload-checks.js';
import type { LiveHub } from '../adapters/live-hub.js';
import { putJson, type ObjectStorage } from '../adapters/storage/object-storage.js';
import { incidentPayload, type Incident, type IncidentCorrelator } from './correlator.js';
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
}

/** `incidents/<id>.json`: the latest form of each incident, kept in storage like detections. */
export const incidentDocKey = (id: string) => `incidents/${id}.json`;

/**
 * The incident engine's edge: takes station messages (alerts with onsets,
 * status and telemetry with positions), feeds the correlator, and sends every
 * new or changed incident to MQTT, the live stream and storage.
 */
export class IncidentService {
  private timer: NodeJS.Timeout | undefined;
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly deps: IncidentServiceDeps) {}

  start(): void {
    this.timer ??= setInterval(() => this.sweep(), this.deps.sweepIntervalMs ?? 1000);
    this.timer.unref();
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
    if (!p || checkAlert(p, stationId)) return;
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

  list(): IncidentPayload[] {
    return this.deps.correlator.list().map((i) => incidentPayload(i, 'update'));
  }

  get(id: string): IncidentPayload | undefined {
    const incident = this.deps.correlator.get(id);
    return incident ? incidentPayload(incident, 'update') : undefined;
  }

  private emit(incident: Incident, type: 'new' | 'update'): void {
    const payload = incidentPayload(incident, type);
    this.deps.logger.info({
      incidentId: payload.incidentId, type, stations: payload.stations.length, corroboration: payload.corroboration,
      location: payload.location && { kind: payload.location.kind, eastM: payload.location.eastM, northM: payload.location.northM, flags: payload.location.flags },
    }, 'incident');
    this.deps.publish?.(payload);
    this.deps.live.publish('incident', payload);
    this.persist(payload);
  }

  /** Writes of one incident are chained so the last state wins. */
  private persist(payload: IncidentPayload): void {
    const key = incidentDocKey(payload.incidentId);
    const write = (this.writes.get(key) ?? Promise.resolve())
      .then(() => putJson(this.deps.storage, key, payload))
      .catch((err: unknown) => this.deps.logger.warn({ key, err: describeError(err) }, 'incident could not be written to storage'));
    this.writes.set(key, write);
    inBackground(write.then(() => {
      if (this.writes.get(key) === write) this.writes.delete(key);
    }), this.deps.logger, 'incident write bookkeeping');
  }
}
