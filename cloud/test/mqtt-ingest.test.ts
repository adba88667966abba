import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertPayload, EventPayload, StatusPayload, TelemetryPayload } from '#shared/mqtt/payloads.js';
import type { ReleaseAnnouncement } from '#shared/release/pointer.js';
import { modelAnnounceTopic, stationTopics } from '#shared/mqtt/topics.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { waitFor } from '#testkit/ports.js';
import { getJson } from '../src/adapters/storage/object-storage.js';
import { openEventStream } from './support/sse.js';
import { ADMIN_KEY, startTestCloud, type TestCloud } from './support/test-cloud.js';

const PREFIX = 'ecotest';

function event(type: EventPayload['type'], patch: Partial<EventPayload> = {}): EventPayload {
  return {
    v: 1, type, stationId: 'st-m', eventId: 'ev-m1', label: 'gunshot', confidence: 0.7, startTime: '2026-11-21T08:00:00.000Z',
    peakTime: '2026-11-21T08:00:00.500Z', windowCount: 1, clipKey: 'stations/st-m/2026/11/21/ev-m1.wav', modelVersion: '2026.01.01-1',
    source: 'mic', alert: false, delayed: false, ...patch,
  };
}

describe('MQTT ingestion', () => {
  const broker = new TestMosquitto();
  let cloud: TestCloud;
  let base: string;
  let station: MqttClient;
  beforeAll(async () => {
    await broker.start();
    cloud = await startTestCloud({ MQTT_URL: broker.url, MQTT_PREFIX: PREFIX });
    base = await cloud.app.listen({ port: 0, host: '127.0.0.1' });
    // Only registered stations are believed.
    expect((await cloud.app.inject({ method: 'POST', url: '/api/stations', headers: { 'x-api-key': ADMIN_KEY }, payload: { id: 'st-m' } })).statusCode).toBe(201);
    station = await mqtt.connectAsync(broker.url, { clientId: 'test-station' });
    await waitFor(() => cloud.services.ingestLink?.subscribed || undefined, 10_000, 'cloud MQTT connection');
  });
  afterAll(async () => {
    await station.endAsync();
    await cloud.stop();
    await broker.stop();
  });

  it('turns event start/update/end and alerts into one detection, pushed live', async () => {
    const live = openEventStream(`${base}/api/live`);
    await live.ready;
    const topics = stationTopics(PREFIX, 'st-m');
    const publish = (topic: string, payload: object) => station.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
    await publish(topics.event, event('start'));
    await publish(topics.event, event('update', { confidence: 0.95, peakTime: '2026-11-21T08:00:01.000Z', windowCount: 3 }));
    const alert: AlertPayload = {
      v: 1, alertId: 'al-1', stationId: 'st-m', label: 'gunshot', confidence: 0.95, startTime: '2026-11-21T08:00:00.000Z', shotCount: 2,
      delayed: false, clipKey: 'stations/st-m/2026/11/21/ev-m1.wav', modelVersion: '2026.01.01-1', eventId: 'ev-m1',
      raisedAt: '2026-11-21T08:00:01.000Z', sentAt: '2026-11-21T08:00:01.100Z', windowEndTime: '2026-11-21T08:00:00.960Z',
    };
    await publish(topics.alert, alert);
    await publish(topics.event, event('end', { confidence: 0.8, endTime: '2026-11-21T08:00:02.000Z', windowCount: 4 }));
    const closed = await waitFor(async () => {
      const res = await cloud.app.inject({ method: 'GET', url: '/api/detections/ev-m1' });
      return res.statusCode === 200 && res.json().state === 'closed' ? res.json() : undefined;
    }, 10_000, 'closed detection');
    expect(closed).toMatchObject({
      id: 'ev-m1', stationId: 'st-m', label: 'gunshot', confidence: 0.95, peakTime: '2026-11-21T08:00:01.000Z', windowCount: 4,
      shotCount: 2, alert: true, endTime: '2026-11-21T08:00:02.000Z', clipKey: 'stations/st-m/2026/11/21/ev-m1.wav', clipAvailable: false, audioUrl: null,
    });
    // Kept in storage so a reindex restores it before any sidecar arrives.
    const doc = await waitFor(() => getJson<{ id: string; state: string }>(cloud.services.storage, 'events/st-m/ev-m1.json')
      .then((d) => (d.state === 'closed' ? d : undefined), () => undefined), 5_000, 'event document');
    expect(doc).toMatchObject({ id: 'ev-m1', alert: true });
    await waitFor(() => live.events.some((e) => e.event === 'alert') || undefined, 5_000, 'live alert');
    expect(live.events.find((e) => e.event === 'alert')?.data).toMatchObject({ alertId: 'al-1', eventId: 'ev-m1', shotCount: 2 });
    expect(live.events.filter((e) => e.event === 'detection').map((e) => (e.data as { state: string }).state)).toContain('open');
    const list = await cloud.app.inject({ method: 'GET', url: '/api/detections?station=st-m&alert=true&reviewed=false' });
    expect(list.json().total).toBe(1);
    live.close();
  });

  it('records station health from status and telemetry', async () => {
    const topics = stationTopics(PREFIX, 'st-m');
    const status: StatusPayload = { v: 1, stationId: 'st-m', state: 'online', time: '2026-11-21T08:05:00.000Z', softwareVersion: '0.1.0', modelVersion: '2026.01.01-1' };
    await station.publishAsync(topics.status, JSON.stringify(status), { qos: 1, retain: true });
    const telemetry: TelemetryPayload = {
      v: 1, stationId: 'st-m', time: '2026-11-21T08:06:00.000Z', uptimeSec: 360, queueDepth: 3, pendingUploads: 2, pendingAlerts: 0,
      diskFreeBytes: 123456789, clipBytes: 4096, cpuTempC: 48.5, modelVersion: '2026.01.01-1', lastAudioTime: '2026-11-21T08:05:59.000Z',
      droppedWindows: 0, gapCount: 1,
    };
    await station.publishAsync(topics.telemetry, JSON.stringify(telemetry), { qos: 1 });
    const st = await waitFor(async () => {
      const items = (await cloud.app.inject({ method: 'GET', url: '/api/stations' })).json().items as Array<{ id: string; telemetry: unknown }>;
      return items.find((s) => s.id === 'st-m' && s.telemetry);
    }, 10_000, 'station telemetry');
    expect(st).toMatchObject({ state: 'online', softwareVersion: '0.1.0', modelVersion: '2026.01.01-1', telemetry: { queueDepth: 3, diskFreeBytes: 123456789, gapCount: 1 } });
  });

  it('drops messages whose station id does not match the topic or that are not ours', async () => {
    const topics = stationTopics(PREFIX, 'st-m');
    await station.publishAsync(topics.event, JSON.stringify(event('end', { stationId: 'st-other', eventId: 'ev-spoof' })), { qos: 1 });
    await station.publishAsync(topics.event, 'not json', { qos: 1 });
    await station.publishAsync(topics.event, JSON.stringify(event('end', { eventId: '../../x' })), { qos: 1 });
    const unregistered = stationTopics(PREFIX, 'st-unknown');
    await station.publishAsync(unregistered.event, JSON.stringify(event('end', { stationId: 'st-unknown', eventId: 'ev-unknown' })), { qos: 1 });
    await station.publishAsync(topics.event, JSON.stringify(event('end', { eventId: 'ev-after' })), { qos: 1 });
    await waitFor(async () => ((await cloud.app.inject({ method: 'GET', url: '/api/detections/ev-after' })).statusCode === 200) || undefined, 10_000, 'marker event');
    expect((await cloud.app.inject({ method: 'GET', url: '/api/detections/ev-spoof' })).statusCode).toBe(404);
    expect((await cloud.app.inject({ method: 'GET', url: '/api/detections?station=st-other' })).json().total).toBe(0);
    expect((await cloud.app.inject({ method: 'GET', url: '/api/detections?station=st-unknown' })).json().total).toBe(0);
    expect(await cloud.services.repos.stations.get('st-unknown')).toBeUndefined();
  });

  it('announces the latest release on the retained topic', async () => {
    const listener = await mqtt.connectAsync(broker.url, { clientId: 'test-listener' });
    const got = new Promise<ReleaseAnnouncement>((resolve) => listener.on('message', (_t, p) => resolve(JSON.parse(p.toString()))));
    await listener.subscribeAsync(modelAnnounceTopic(PREFIX));
    const announce = await got;
    expect(announce).toMatchObject({ v: 1, version: '2026.01.01-1' });
    expect(announce.manifestUrl).toMatch(/\/api\/models\/2026\.01\.01-1\/manifest\.json$/);
    await listener.endAsync();
    expect((await cloud.app.inject({ method: 'GET', url: '/status' })).json().broker).toEqual({ configured: true, connected: true, ingesting: true });
  });

  it('keeps answering /status quickly when the broker is down', async () => {
    await broker.stop();
    await waitFor(() => (cloud.services.mqtt?.connected === false && cloud.services.ingestLink?.subscribed === false) || undefined, 10_000, 'disconnect');
    const t0 = Date.now();
    const res = await cloud.app.inject({ method: 'GET', url: '/status' });
    expect(res.statusCode).toBe(200);
    expect(res.json().broker).toEqual({ configured: true, connected: false, ingesting: false });
    expect(Date.now() - t0).toBeLessThan(2_000);
    await broker.start();
  });
});
