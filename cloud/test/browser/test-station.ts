import { createHash } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { AlertPayload, EventPayload, StatusPayload, TelemetryPayload } from '#shared/mqtt/payloads.js';
import { stationTopics } from '#shared/mqtt/topics.js';
import type { ClipCodec } from '#shared/audio/clip-codec.js';
import { encodeClip } from '#testkit/clip-encode.js';
import { clipObjectKey, sidecarKeyFor } from '#shared/bucket/layout.js';
import type { ClipSidecar } from '#shared/mqtt/sidecar.js';

export interface StationDetection {
  eventId: string;
  label: string;
  confidence: number;
  startTime: string;
  shotCount: number | null;
}

/**
 * Talks to the cloud the way a real station does: registered with the admin
 * key, MQTT events/alerts/status/telemetry on its own topics, and clips plus
 * sidecars PUT to presigned URLs it asks for with its token.
 */
export class TestStation {
  readonly id: string;
  private readonly baseUrl: string;
  token = '';
  private client: MqttClient | undefined;
  private prefix = '';

  constructor(id: string, baseUrl: string) {
    this.id = id;
    this.baseUrl = baseUrl;
  }

  async register(adminKey: string): Promise<void> {
    const res = await fetch(`${this.baseUrl}/api/stations`, {
      method: 'POST', headers: { 'x-api-key': adminKey, 'content-type': 'application/json' }, body: JSON.stringify({ id: this.id, name: `${this.id} test` }),
    });
    if (res.status !== 201) throw new Error(`registering ${this.id}: ${res.status} ${await res.text()}`);
    this.token = ((await res.json()) as { token: string }).token;
  }

  async connect(brokerUrl: string, prefix: string): Promise<void> {
    this.prefix = prefix;
    this.client = await mqtt.connectAsync(brokerUrl, { clientId: `test-station-${this.id}` });
  }

  async publish(kind: 'event' | 'alert' | 'status' | 'telemetry', payload: EventPayload | AlertPayload | StatusPayload | TelemetryPayload): Promise<void> {
    if (!this.client) throw new Error('connect() first');
    await this.client.publishAsync(stationTopics(this.prefix, this.id)[kind], JSON.stringify(payload), { qos: 1, retain: kind === 'status' });
  }

  /**
   * Uploads the clip, then its sidecar, through presigned PUTs (STORAGE=fs: the service's own /api/objects).
   * `wav` is encoded with the station's encoder program first unless the codec is `wav`.
   */
  async uploadClip(d: StationDetection, wav: Uint8Array, modelVersion: string, codec: ClipCodec = 'wav'): Promise<string> {
    const clipKey = clipObjectKey(this.id, d.eventId, Date.parse(d.startTime), codec);
    const clip = codec === 'wav' ? wav : encodeClip(wav, codec);
    const sidecarKey = sidecarKeyFor(clipKey);
    const res = await fetch(`${this.baseUrl}/api/stations/${this.id}/presign`, {
      method: 'POST', headers: { 'x-station-token': this.token, 'content-type': 'application/json' }, body: JSON.stringify({ keys: [clipKey, sidecarKey] }),
    });
    if (res.status !== 200) throw new Error(`presign: ${res.status} ${await res.text()}`);
    const { urls } = (await res.json()) as { urls: Array<{ key: string; url: string; headers: Record<string, string> }> };
    const sidecar: ClipSidecar = {
      v: 1, stationId: this.id, clipId: d.eventId, clipKey, sha256: createHash('sha256').update(clip).digest('hex'), bytes: clip.byteLength, codec,
      sampleRateHz: 16000, durationSec: (wav.byteLength - 44) / 32000, clipStartTime: d.startTime,
      detection: {
        eventId: d.eventId, label: d.label, confidence: d.confidence, startTime: d.startTime, endTime: d.startTime, peakTime: d.startTime,
        windowCount: 2, shotCount: d.shotCount, scores: { [d.label]: d.confidence },
      },
      modelVersion, source: 'mic', createdAt: d.startTime,
    };
    for (const [key, body] of [[clipKey, clip], [sidecarKey, Buffer.from(JSON.stringify(sidecar))]] as const) {
      const target = urls.find((u) => u.key === key);
      if (!target) throw new Error(`no presigned URL for ${key}`);
      const put = await fetch(target.url, { method: 'PUT', headers: target.headers, body });
      if (put.status !== 200) throw new Error(`PUT ${key}: ${put.status} ${await put.text()}`);
    }
    return clipKey;
  }

  async close(): Promise<void> {
    await this.client?.endAsync();
  }
}
