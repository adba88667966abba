/**
 * Two API instances on one broker: only the leader holds the station-topic
 * subscription (so one process ingests and correlates), the other serves the
 * same incidents and live updates through the relay. Each instance keeps its
 * own SQLite index here; the PostgreSQL two-instance test shares one.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentPayload } from '#shared/mqtt/location.js';
import { stationTopics } from '#shared/mqtt/topics.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { waitFor } from '#testkit/ports.js';
import type { IngestLeadership } from '../src/adapters/ingest-leadership.js';
import type { LiveEvent } from '../src/adapters/live-hub.js';
import { locatedAlert } from './support/located-alert.js';
import { startTestCloud, type TestCloud } from './support/test-cloud.js';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { sidecarKeyFor } from '#shared/bucket/layout.js';
import { makeClip } from '#testkit/station-load.js';

const PREFIX = 'ecoinstances';
const SITES: Record<string, [number, number]> = { 'st-a': [0, 0], 'st-b': [400, 0], 'st-c': [400, 400] };

/** A follower: never leads (what a second instance is while the first holds the lock). */
const follower: IngestLeadership = { leading: false, describe: 'test follower', start: (onChange) => onChange(false), stop: async () => undefined };

const alert = (id: string, fireMs: number) => ({ ...locatedAlert(SITES, id, 1, [150, 220], fireMs), alertId: `${id}.al-1`, eventId: `${id}.ev-1` });

describe('two API instances on one broker', () => {
  const broker = new TestMosquitto();
  let leader: TestCloud;
  let other: TestCloud;
  let station: MqttClient;
  const otherLive: LiveEvent[] = [];

  beforeAll(async () => {
    await broker.start();
    const env = { MQTT_URL: broker.url, MQTT_PREFIX: PREFIX, INCIDENT_SETTLE_SEC: '1' };
    // The reconciliation timer is on (every 300 ms here) for both: only the leader's may list the bucket.
    leader = await startTestCloud(env, { scanIntervalMs: 300 });
    other = await startTestCloud(env, { leadership: follower, scanIntervalMs: 300 });
    other.services.live.subscribe((e) => otherLive.push(e));
    await waitFor(() => (leader.services.ingestLink?.subscribed && other.services.mqtt?.connected && leader.services.mqtt?.connected) || undefined, 10_000, 'both instances on the broker');
    await new Promise((r) => setTimeout(r, 300));
    station = await mqtt.connectAsync(broker.url, { clientId: 'instances-stations' });
  });

  afterAll(async () => {
    await station?.endAsync();
    await other?.stop();
    await leader?.stop();
    await broker.stop();
  });

  it('ingests on the leader only, and the other instance lists the incident and streams it live', async () => {
    expect(other.services.ingestLink?.running).toBe(false);
    expect((await other.app.inject({ method: 'GET', url: '/status' })).json().broker).toMatchObject({ connected: true, ingesting: false });
    for (const id of Object.keys(SITES)) {
      await leader.app.inject({ method: 'POST', url: '/api/stations', headers: { 'x-api-key': 'test-admin-key-0123456789' }, payload: { id } });
      await other.app.inject({ method: 'POST', url: '/api/stations', headers: { 'x-api-key': 'test-admin-key-0123456789' }, payload: { id } });
    }
    const fire = Date.now() - 60_000;
    for (const id of Object.keys(SITES)) await station.publishAsync(stationTopics(PREFIX, id).alert, JSON.stringify(alert(id, fire)), { qos: 1 });

    const list = async (c: TestCloud) => (await c.app.inject({ method: 'GET', url: '/api/incidents' })).json().items as IncidentPayload[];
    const formed = await waitFor(async () => (await list(leader)).find((i) => i.stations.length === 3 && !i.open), 10_000, 'the leader to form the incident');
    const seen = await waitFor(async () => (await list(other)).find((i) => i.incidentId === formed.incidentId && !i.open), 5_000, 'the other instance to list it');
    expect(seen).toMatchObject({ stations: formed.stations, corroboration: formed.corroboration, location: formed.location });
    expect(otherLive.some((e) => e.remote && e.event === 'incident')).toBe(true);
    expect(otherLive.some((e) => e.remote && e.event === 'alert')).toBe(true);
    // Only the leader ingested: the other instance's own index has no row for the alert.
    expect(await leader.services.repos.detections.get('st-a', 'st-a.ev-1')).toBeDefined();
    expect(await other.services.repos.detections.get('st-a', 'st-a.ev-1')).toBeUndefined();
  });

  it('reconciles the bucket on the leader only', async () => {
    // An upload nobody confirmed (an old station, a lost confirmation), in each instance's own bucket here.
    const base = encodeWav16(new Float32Array(1600), 16000);
    for (const c of [leader, other]) {
      const { clipKey, wav, sidecar } = makeClip('st-b', 'st-b.ev-unconfirmed', base, 1, Date.now() - 5_000);
      await c.services.storage.put(clipKey, wav, 'audio/wav');
      await c.services.storage.put(sidecarKeyFor(clipKey), sidecar, 'application/json');
    }
    await waitFor(async () => (await leader.services.repos.detections.get('st-b', 'st-b.ev-unconfirmed')) ?? undefined, 10_000, 'the leader to reconcile');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await other.services.repos.detections.get('st-b', 'st-b.ev-unconfirmed')).toBeUndefined();
  });
});
