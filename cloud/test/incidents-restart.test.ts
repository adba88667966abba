/**
 * Incidents survive a restart: the bucket keeps each one
 * (`incidents/<yyyy-mm-dd>/<id>.json`), a new cloud on the same storage reads
 * the recent ones back, lists them with their position, and takes an alert a
 * station redelivers after the restart for the duplicate it is.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { incidentDocKey } from '#shared/bucket/layout.js';
import type { IncidentPayload } from '#shared/mqtt/location.js';
import { stationTopics } from '#shared/mqtt/topics.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { waitFor } from '#testkit/ports.js';
import { getJson, putJson } from '../src/adapters/storage/object-storage.js';
import { locatedAlert } from './support/located-alert.js';
import { startTestCloud, type TestCloud } from './support/test-cloud.js';

const PREFIX = 'ecorestart';
const SITES: Record<string, [number, number]> = { 'st-a': [0, 0], 'st-b': [400, 0], 'st-c': [400, 400], 'st-d': [0, 400] };
const SOURCE: [number, number] = [120, 250];

const alert = (id: string, fireMs: number) => locatedAlert(SITES, id, 1, SOURCE, fireMs);

describe('incidents after a cloud restart', () => {
  const broker = new TestMosquitto();
  const dataDir = mkdtempSync(join(tmpdir(), 'ecosight-incident-restart-'));
  const env = { MQTT_URL: '', MQTT_PREFIX: PREFIX, INCIDENT_SETTLE_SEC: '1', DATA_DIR: dataDir };
  let cloud: TestCloud | undefined;
  let station: MqttClient;
  const publish = (id: string, payload: object) => station.publishAsync(stationTopics(PREFIX, id).alert, JSON.stringify(payload), { qos: 1 });
  const list = async (c: TestCloud) => (await c.app.inject({ method: 'GET', url: '/api/incidents' })).json().items as IncidentPayload[];

  beforeAll(async () => {
    await broker.start();
    env.MQTT_URL = broker.url;
    station = await mqtt.connectAsync(broker.url, { clientId: 'restart-stations' });
  });
  afterAll(async () => {
    await station.endAsync();
    await cloud?.stop();
    await broker.stop();
  });

  it('lists an incident formed before the restart with its position, and ignores its alerts redelivered', async () => {
    cloud = await startTestCloud(env);
    await waitFor(() => cloud?.services.ingestLink?.subscribed || undefined, 10_000, 'cloud MQTT connection');
    // Within the days read back at start: an hour ago, on a whole minute (its onsets fall on the same day).
    const fire = Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000;
    for (const id of Object.keys(SITES)) await publish(id, alert(id, fire));
    const first = cloud;
    const formed = await waitFor(async () => (await list(first)).find((i) => i.stations.length === 4 && !i.open), 10_000, 'a settled four-station incident');
    expect(formed.location?.kind).toBe('point');
    const key = incidentDocKey(formed.incidentId, fire);
    expect(key).toBe(`incidents/${new Date(fire).toISOString().slice(0, 10)}/${formed.incidentId}.json`);
    await waitFor(() => getJson<IncidentPayload>(first.services.storage, key).then((d) => (d.open ? undefined : d), () => undefined), 5_000, 'the settled incident in storage');
    await first.stop();

    cloud = await startTestCloud(env);
    const again = await list(cloud);
    expect(again.map((i) => i.incidentId)).toEqual([formed.incidentId]);
    expect(again[0]).toMatchObject({ corroboration: 'corroborated', open: false, stations: formed.stations, location: formed.location });
    expect(Math.hypot((again[0].location?.eastM ?? 0) + 200 - SOURCE[0], (again[0].location?.northM ?? 0) + 200 - SOURCE[1])).toBeLessThan(0.5);
    expect((await cloud.app.inject({ method: 'GET', url: `/api/incidents/${formed.incidentId}` })).json()).toMatchObject({ incidentId: formed.incidentId });

    // A station (or the broker) delivers an alert again after the restart: it is part of the restored incident.
    await waitFor(() => cloud?.services.ingestLink?.subscribed || undefined, 10_000, 'cloud MQTT connection after the restart');
    await publish('st-a', alert('st-a', fire));
    // A new shot after it shows the messages were read (MQTT keeps one publisher's order).
    const later = fire + 60_000;
    for (const id of ['st-a', 'st-b', 'st-c']) await publish(id, { ...alert(id, later), alertId: `al-${id}-2`, eventId: `ev-${id}-2` });
    const after = await waitFor(async () => {
      const items = await list(cloud as TestCloud);
      return items.some((i) => i.stations.length === 3) ? items : undefined;
    }, 10_000, 'the incident of the later shot');
    expect(after.map((i) => i.incidentId)).toHaveLength(2);
    expect(after[1]).toMatchObject({ incidentId: formed.incidentId, stations: formed.stations, location: formed.location });
  });

  it('reads incidents written in the older flat layout (incidents/<id>.json) too', async () => {
    const c = cloud as TestCloud;
    const [doc] = await list(c);
    await putJson(c.services.storage, `incidents/in-legacy.json`, { ...doc, incidentId: 'in-legacy', startTime: new Date(Date.now() - 7_200_000).toISOString(), stations: [] });
    await c.stop();
    cloud = await startTestCloud(env);
    expect((await list(cloud)).map((i) => i.incidentId)).toContain('in-legacy');
  });
});
