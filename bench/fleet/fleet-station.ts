import { createHash } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { sidecarKeyFor } from '#shared/bucket/layout.js';
import { encodePayload, type EventPayload, type TelemetryPayload } from '#shared/mqtt/payloads.js';
import { stationTopic } from '#shared/mqtt/topics.js';
import { makeClip } from '#testkit/station-load.js';
import type { LatencyRecorder } from './latency-recorder.js';

export interface FleetStation {
  id: string;
  token: string;
}

/** Counts of what the fleet sent, for the per-station-day figures. */
export interface FleetCounts {
  mqttMessages: number;
  /** Object PUTs (clip + sidecar) answered 200: the bucket's PUT requests. */
  objectPuts: number;
  objectBytes: number;
  detections: number;
  /** Event ids whose sidecar PUT was answered 200 (what the index must hold afterwards). */
  uploadedEvents: Array<{ stationId: string; eventId: string }>;
}

/**
 * The fleet's side of the wire, lightweight: stations share a small pool of
 * MQTT connections (the bench's broker has no ACL; a real station holds its
 * own connection, which only changes the broker's connection count) and one
 * HTTP keep-alive pool, and do what a station does per detection and per
 * telemetry tick.
 */
export class FleetWire {
  private readonly clients: MqttClient[] = [];
  private counts: FleetCounts = emptyCounts();
  private serial = 0;

  constructor(
    private readonly o: { baseUrl: () => string; mqttUrl: string; prefix: string; connections: number; clipBase: Uint8Array },
    private recorder: LatencyRecorder,
  ) {}

  get latency(): LatencyRecorder {
    return this.recorder;
  }

  /** Starts a phase: new counts (returned, and filled as the phase runs) and a new latency recorder. */
  beginPhase(recorder: LatencyRecorder): FleetCounts {
    this.recorder = recorder;
    this.counts = emptyCounts();
    return this.counts;
  }

  async start(): Promise<void> {
    for (let i = 0; i < this.o.connections; i++) {
      this.clients.push(await mqtt.connectAsync(this.o.mqttUrl, { clientId: `fleet-${process.pid}-${i}`, clean: true, reconnectPeriod: 1000 }));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync().catch(() => undefined)));
  }

  async telemetry(station: FleetStation, startedAtMs: number): Promise<void> {
    const now = new Date();
    const payload: TelemetryPayload = {
      v: 1, stationId: station.id, time: now.toISOString(), uptimeSec: Math.round((now.getTime() - startedAtMs) / 1000), queueDepth: 0,
      pendingUploads: 0, pendingAlerts: 0, diskFreeBytes: 8e9, clipBytes: 1e6, cpuTempC: 48, modelVersion: 'fleet', lastAudioTime: now.toISOString(),
      droppedWindows: 0, gapCount: 0,
    };
    await this.publish('telemetry', station, encodePayload(payload));
  }

  /** One detection: MQTT start event, presign, clip PUT, sidecar PUT, confirmation, MQTT end event. */
  async detection(station: FleetStation): Promise<void> {
    const n = this.serial++;
    const eventId = `${station.id}.ev-${n.toString(16).padStart(8, '0')}`;
    const { clipKey, wav, sidecar } = makeClip(station.id, eventId, this.o.clipBase, n, Date.now());
    this.counts.detections++;
    const event = (type: EventPayload['type']): Buffer => encodePayload({
      v: 1, type, stationId: station.id, eventId, label: 'vehicle', confidence: 0.8, startTime: new Date().toISOString(),
      peakTime: new Date().toISOString(), windowCount: 2, clipKey, modelVersion: 'fleet', source: 'mic', alert: false, delayed: false,
    } satisfies EventPayload);
    await this.publish('event', station, event('start'));
    const urls = await this.presign(station, [{ key: clipKey, bytes: wav.byteLength }, { key: sidecarKeyFor(clipKey), bytes: sidecar.byteLength }]);
    if (!urls) return;
    if (!(await this.put('put-clip', urls.get(clipKey), wav))) return;
    if (!(await this.put('put-sidecar', urls.get(sidecarKeyFor(clipKey)), sidecar))) return;
    await this.confirm(station, [{ key: clipKey, body: wav }, { key: sidecarKeyFor(clipKey), body: sidecar }]);
    this.counts.uploadedEvents.push({ stationId: station.id, eventId });
    await this.publish('event', station, event('end'));
  }

  private async publish(kind: 'telemetry' | 'event', station: FleetStation, payload: Buffer): Promise<void> {
    const client = this.clients[(this.serial + station.id.length) % this.clients.length];
    const started = performance.now();
    try {
      await client.publishAsync(stationTopic(this.o.prefix, station.id, kind), payload, { qos: 1 });
      this.counts.mqttMessages++;
      this.recorder.record(`mqtt ${kind}`, performance.now() - started, 'ok');
    } catch (err) {
      this.recorder.record(`mqtt ${kind}`, performance.now() - started, (err as Error).message);
    }
  }

  private async presign(station: FleetStation, objects: Array<{ key: string; bytes: number }>): Promise<Map<string, { url: string; headers: Record<string, string> }> | undefined> {
    const res = await this.timed('presign', () => fetch(`${this.o.baseUrl()}/api/stations/${station.id}/presign`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-station-token': station.token }, body: JSON.stringify({ objects }),
    }));
    if (!res) return undefined;
    const { urls } = (await res.json()) as { urls: Array<{ key: string; url: string; headers: Record<string, string> }> };
    return new Map(urls.map((u) => [u.key, { url: u.url, headers: u.headers }]));
  }

  /** What a station does after its PUTs: POST /api/stations/:id/uploads/confirm with keys, sizes and sha256s. */
  private async confirm(station: FleetStation, objects: Array<{ key: string; body: Buffer }>): Promise<void> {
    const body = JSON.stringify({ objects: objects.map((o) => ({ key: o.key, bytes: o.body.byteLength, sha256: createHash('sha256').update(o.body).digest('hex') })) });
    const res = await this.timed('confirm', () => fetch(`${this.o.baseUrl()}/api/stations/${station.id}/uploads/confirm`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-station-token': station.token }, body,
    }));
    await res?.arrayBuffer();
  }

  private async put(kind: string, target: { url: string; headers: Record<string, string> } | undefined, body: Buffer): Promise<boolean> {
    if (!target) {
      this.recorder.record(kind, 0, 'no presigned URL');
      return false;
    }
    const res = await this.timed(kind, () => fetch(target.url, { method: 'PUT', headers: target.headers, body }));
    if (!res) return false;
    await res.arrayBuffer();
    this.counts.objectPuts++;
    this.counts.objectBytes += body.byteLength;
    return true;
  }

  /** Runs a request, records its latency and outcome; the response when it was 2xx. */
  private async timed(kind: string, request: () => Promise<Response>): Promise<Response | undefined> {
    const started = performance.now();
    try {
      const res = await request();
      const ms = performance.now() - started;
      if (res.ok) {
        this.recorder.record(kind, ms, 'ok');
        return res;
      }
      this.recorder.record(kind, ms, res.status === 429 ? 'limited' : `HTTP ${res.status}`);
      await res.arrayBuffer().catch(() => undefined);
      return undefined;
    } catch (err) {
      this.recorder.record(kind, performance.now() - started, (err as Error).message);
      return undefined;
    }
  }
}

function emptyCounts(): FleetCounts {
  return { mqttMessages: 0, objectPuts: 0, objectBytes: 0, detections: 0, uploadedEvents: [] };
}
