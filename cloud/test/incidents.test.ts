import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentDocKey } from '#shared/bucket/layout.js';
import { speedOfSoundMps } from '#shared/geo/enu.js';
import type { IncidentPayload, StationLocationFields } from '#shared/mqtt/location.js';
import type { StatusPayload } from '#shared/mqtt/payloads.js';
import { incidentsTopic, stationTopics } from '#shared/mqtt/topics.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { waitFor } from '#testkit/ports.js';
import { getJson } from '../src/adapters/storage/object-storage.js';
import { openEventStream } from './support/sse.js';
import { locatedAlert, sitePosition } from './support/located-alert.js';
import { startTestCloud, type TestCloud } from './support/test-cloud.js';

const PREFIX = 'ecoinc';
const SITES: Record<string, [number, number]> = { 'st-a': [0, 0], 'st-b': [450, 0], 'st-c': [450, 450], 'st-d': [0, 450], 'st-e': [3000, 3000], 'st-f': [3300, 3000] };

const alert = (id: string, n: number, source: [number, number], fireMs: number) => locatedAlert(SITES, id, n, source, fireMs, 25);
const position = (id: string) => sitePosition(SITES, id);

describe('incidents: corroboration and location over a real broker', () => {
  const broker = new TestMosquitto();
  let cloud: TestCloud;
  let base: string;
  let station: MqttClient;
  let listener: MqttClient;
  const heard: IncidentPayload[] = [];
  const publish = (topic: string, payload: object) => station.publishAsync(topic, JSON.stringify(payload), { qos: 1 });

  beforeAll(async () => {
    await broker.start();
    cloud = await startTestCloud({ MQTT_URL: broker.url, MQTT_PREFIX: PREFIX, INCIDENT_SETTLE_SEC: '1', INCIDENT_HEARING_RANGE_M: '1000' });
    base = await cloud.app.listen({ port: 0, host: '127.0.0.1' });
    station = await mqtt.connectAsync(broker.url, { clientId: 'test-stations' });
    listener = await mqtt.connectAsync(broker.url, { clientId: 'incident-listener' });
    listener.on('message', (_t, p) => heard.push(JSON.parse(p.toString()) as IncidentPayload));
    await listener.subscribeAsync(incidentsTopic(PREFIX), { qos: 1 });
    await waitFor(() => cloud.services.ingestLink?.subscribed || undefined, 10_000, 'cloud MQTT connection');
    for (const id of Object.keys(SITES)) {
      const status: StatusPayload & StationLocationFields = { v: 1, stationId: id, state: 'online', time: new Date().toISOString(), position: position(id) };
      await publish(stationTopics(PREFIX, id).status, status);
    }
  });
  afterAll(async () => {
    await listener.endAsync();
    await station.endAsync();
    await cloud.stop();
    await broker.stop();
  });

  it('locates a shot heard by four stations and publishes it on MQTT, /api/live and /api/incidents', async () => {
    const live = openEventStream(`${base}/api/live`);
    await live.ready;
    const fire = Date.UTC(2026, 11, 4, 9, 0, 0);
    for (const id of ['st-b', 'st-a', 'st-d', 'st-c']) await publish(stationTopics(PREFIX, id).alert, alert(id, 1, [150, 300], fire));
    const incident = await waitFor(async () => {
      const items = (await cloud.app.inject({ method: 'GET', url: '/api/incidents' })).json().items as IncidentPayload[];
      return items.find((i) => i.stations.length === 4);
    }, 10_000, 'incident with four stations');
    expect(incident.corroboration).toBe('corroborated');
    expect(incident.location?.kind).toBe('point');
    // The frame's origin is the centroid (225, 225).
    expect(Math.hypot((incident.location?.eastM ?? 0) + 225 - 150, (incident.location?.northM ?? 0) + 225 - 300)).toBeLessThan(0.5);
    expect(incident.location?.speedOfSoundMps).toBeCloseTo(speedOfSoundMps(25), 1);
    const one = await cloud.app.inject({ method: 'GET', url: `/api/incidents/${incident.incidentId}` });
    expect(one.json()).toMatchObject({ incidentId: incident.incidentId, stations: expect.any(Array) });
    // No clip was uploaded here: the clips route still lists every station, without media.
    const clips = (await cloud.app.inject({ method: 'GET', url: `/api/incidents/${incident.incidentId}/clips` })).json();
    expect(clips.items.map((c: { stationId: string }) => c.stationId).sort()).toEqual(['st-a', 'st-b', 'st-c', 'st-d']);
    expect(clips.items[0]).toMatchObject({ audioUrl: null, onsetOffsetSec: null });
    await waitFor(() => heard.find((h) => h.incidentId === incident.incidentId && h.stations.length === 4), 10_000, 'MQTT incident');
    expect(heard.find((h) => h.incidentId === incident.incidentId)?.type).toBe('new');
    await waitFor(() => live.events.find((e) => e.event === 'incident') || undefined, 5_000, 'live incident');
    const doc = await waitFor(() => getJson<IncidentPayload>(cloud.services.storage, incidentDocKey(incident.incidentId, fire))
      .then((d) => (d.stations.length === 4 ? d : undefined), () => undefined), 5_000, 'incident in storage');
    expect(doc.location?.kind).toBe('point');
    live.close();
  });

  it('marks a shot heard by one station uncorroborated when its online neighbour heard nothing, and settles it', async () => {
    const fire = Date.UTC(2026, 11, 4, 9, 10, 0);
    await publish(stationTopics(PREFIX, 'st-e').alert, alert('st-e', 1, [3000, 3010], fire));
    const settled = await waitFor(() => heard.find((h) => h.stations[0]?.stationId === 'st-e' && !h.open), 10_000, 'settled single incident');
    expect(settled).toMatchObject({ corroboration: 'uncorroborated', silentStations: ['st-f'], priority: 'low', location: null });
    const filtered = (await cloud.app.inject({ method: 'GET', url: '/api/incidents?corroboration=uncorroborated' })).json();
    expect(filtered.items.map((i: IncidentPayload) => i.incidentId)).toContain(settled.incidentId);
  });

  it('answers 404 for an unknown incident', async () => {
    expect((await cloud.app.inject({ method: 'GET', url: '/api/incidents/in-nope' })).statusCode).toBe(404);
  });
});
