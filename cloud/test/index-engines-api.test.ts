import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { EventPayload } from '#shared/mqtt/payloads.js';
import { stationTopics } from '#shared/mqtt/topics.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { waitFor } from '#testkit/ports.js';
import type { IngestLeadership } from '../src/adapters/ingest-leadership.js';
import { engineUnavailable, INDEX_ENGINES, privatePostgres } from './support/index-engines.js';
import { openEventStream } from './support/sse.js';
import { ADMIN_KEY, startTestCloud, type TestCloud } from './support/test-cloud.js';

const admin = { 'x-api-key': ADMIN_KEY };
/** An instance that never wins the ingest leadership. */
const follower: IngestLeadership = { leading: false, describe: 'follower (test)', start: (onChange) => onChange(false), stop: async () => undefined };
const event = (type: EventPayload['type'], patch: Partial<EventPayload>): EventPayload => ({
  v: 1, type, stationId: 'st-1', eventId: 'st-1.ev-1', label: 'gunshot', confidence: 0.6, startTime: '2026-03-01T10:00:00.000Z',
  peakTime: '2026-03-01T10:00:00.100Z', windowCount: 1, clipKey: 'stations/st-1/2026/03/01/st-1.ev-1.wav', modelVersion: '2026.01.01-1',
  source: 'mic', alert: false, delayed: false, ...patch,
});

// The API on either index engine. On PostgreSQL two instances share the database (and the
// storage folder), as replicas behind a load balancer would: what one writes the other serves.
describe.each(INDEX_ENGINES)('the API on %s', (engine) => {
  const unavailable = engineUnavailable(engine);
  if (unavailable) return void it.skip(unavailable);
  const postgres = engine === 'postgres' ? privatePostgres() : undefined;
  const broker = new TestMosquitto();
  const dataDir = mkdtempSync(join(tmpdir(), `ecosight-${engine}-api-`));
  let a: TestCloud;
  let b: TestCloud;
  beforeAll(async () => {
    await broker.start();
    const env: Record<string, string> = { DATA_DIR: dataDir, MQTT_URL: broker.url, MQTT_PREFIX: 'fleet' };
    if (postgres) env.DATABASE_URL = await postgres.url();
    a = await startTestCloud(env);
    // One instance ingests station topics (its MQTT session is exclusive); the other serves HTTP only.
    b = postgres ? await startTestCloud(env, { leadership: follower }) : a;
  });
  afterAll(async () => {
    if (b !== a) await b?.stop();
    await a?.stop();
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('registers a station, ingests its detection from concurrent messages, lists and reviews it', async () => {
    const reg = await a.app.inject({ method: 'POST', url: '/api/stations', headers: admin, payload: { id: 'st-1', name: 'Ridge' } });
    expect(reg.statusCode).toBe(201);
    // The token issued by one instance works at the other.
    const presign = await b.app.inject({
      method: 'POST', url: '/api/stations/st-1/presign', headers: { 'x-station-token': reg.json().token },
      payload: { objects: [{ key: 'stations/st-1/2026/03/01/st-1.ev-1.wav', bytes: 44 }] },
    });
    expect(presign.statusCode).toBe(200);
    expect((await b.app.inject({ method: 'POST', url: '/api/stations', headers: admin, payload: { id: 'st-1' } })).statusCode).toBe(409);

    // Start, updates and end of one event, delivered at once to both instances in a scrambled order.
    const messages = [
      event('update', { confidence: 0.9, peakTime: '2026-03-01T10:00:00.700Z', windowCount: 3, alert: true }),
      event('end', { confidence: 0.7, endTime: '2026-03-01T10:00:02.000Z', windowCount: 4 }),
      event('start', {}),
      event('update', { confidence: 0.8, windowCount: 2 }),
    ];
    await Promise.all(messages.flatMap((m) => [a, b].map((cloud) =>
      cloud.services.ingestor.onStationMessage('event', 'st-1', Buffer.from(JSON.stringify(m))))));

    const list = await b.app.inject({ method: 'GET', url: '/api/detections?station=st-1' });
    expect(list.statusCode).toBe(200);
    expect(list.json().total).toBe(1);
    expect(list.json().items[0]).toMatchObject({
      id: 'st-1.ev-1', stationId: 'st-1', state: 'closed', confidence: 0.9, peakTime: '2026-03-01T10:00:00.700Z', windowCount: 4, alert: true,
      endTime: '2026-03-01T10:00:02.000Z',
    });
    const stations = (await a.app.inject({ method: 'GET', url: '/api/stations' })).json().items;
    expect(stations).toEqual([expect.objectContaining({ id: 'st-1', name: 'Ridge', lastSeen: expect.any(String) })]);

    // The clip arrives through one instance; the review made at the other is seen by both.
    const clipKey = 'stations/st-1/2026/03/01/st-1.ev-1.wav';
    await a.services.storage.put(clipKey, Buffer.alloc(44));
    await a.services.ingestor.onObjectStored(clipKey);
    const review = await b.app.inject({ method: 'PATCH', url: '/api/detections/st-1.ev-1', headers: admin, payload: { label: 'background' } });
    expect(review.statusCode).toBe(200);
    expect((await a.app.inject({ method: 'GET', url: '/api/detections/st-1.ev-1' })).json()).toMatchObject({ reviewedLabel: 'background', clipAvailable: true });
    expect((await a.app.inject({ method: 'GET', url: '/api/detections?reviewed=true' })).json().total).toBe(1);
  });

  it('a station heard on MQTT by the ingesting instance reaches the dashboards of every instance', async () => {
    const feeds = [];
    for (const cloud of new Set([a, b])) {
      await waitFor(() => cloud.services.mqtt?.connected || undefined, 10_000, 'MQTT connection');
      const feed = openEventStream(`${await cloud.app.listen({ port: 0, host: '127.0.0.1' })}/api/live`);
      await feed.ready;
      feeds.push(feed);
    }
    const station = await mqtt.connectAsync(broker.url, { clientId: 'fleet-station' });
    try {
      await station.publishAsync(stationTopics('fleet', 'st-1').event, JSON.stringify(event('end', { eventId: 'st-1.ev-2', clipKey: '' })), { qos: 1 });
      for (const feed of feeds) {
        await waitFor(() => feed.events.some((e) => e.event === 'detection' && (e.data as { id: string }).id === 'st-1.ev-2') || undefined, 10_000, 'live detection');
      }
      expect((await b.app.inject({ method: 'GET', url: '/api/detections?station=st-1' })).json().total).toBe(2);
    } finally {
      await station.endAsync();
      for (const feed of feeds) feed.close();
    }
  });
});
