/**
 * Issue 15's simulated field: five real station processes (the built CLI, the
 * shipped model) read recorder files that the field simulator made from one
 * set of shots (stations ~450 m apart, clocks +/-1 ms off), and publish their
 * alerts through Mosquitto to the real cloud, which corroborates and locates.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ringLayout, shotInside, simulateField, writeFieldRecordings, type FieldShot } from '#ml/field/index.js';
import { enuToGeodetic, geodeticToEnu } from '#shared/geo/enu.js';
import type { IncidentPayload } from '#shared/mqtt/location.js';
import { createRandom } from '#shared/util/random.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { waitFor } from '#testkit/ports.js';
import { startTestCloud, type TestCloud } from '../cloud/test/support/test-cloud.js';
import { tempDir } from '../station/test/helpers.js';
import { StationProcess } from '../station/test/station-process.js';

const PREFIX = 'ecofield';
const REF = { latitude: -2.33, longitude: 34.83, altitudeM: 1500 };
/** Documented target (README, docs/localisation.md): median error under 15 m inside the hull with +/-1 ms clocks. */
const MEDIAN_TARGET_M = 15;
const RIFLE = { peakPaAt1m: 4000, positivePhaseSec: 4e-3, decayB: 1.5 };
const START_MS = Date.UTC(2026, 11, 4, 9, 0, 0);

const rand = createRandom('field-test');
const stations = ringLayout({ count: 5, spacingM: 450, clockErrorMs: 1, backgroundPaRms: 0.001 }, rand);
const located: FieldShot[] = [
  shotInside(stations, 3, rand, { blast: RIFLE }),
  shotInside(stations, 10, rand, { blast: RIFLE }),
  shotInside(stations, 32, rand, { blast: RIFLE }),
];
const burst = shotInside(stations, 17, rand, { blast: RIFLE, burstOffsetsSec: [0.35, 0.8, 1.1, 1.6] });
// A gunshot-like impulse only one station hears (the simulator's stand-in for a branch cracking by its microphone).
const lonely: FieldShot = { eastM: stations[0].eastM + 80, northM: stations[0].northM, timeSec: 25, blast: RIFLE, heardBy: [stations[0].id] };

describe('a simulated field of five stations, a broker and the cloud', () => {
  const broker = new TestMosquitto();
  let cloud: TestCloud;
  const processes: StationProcess[] = [];

  beforeAll(async () => {
    await broker.start();
    cloud = await startTestCloud({ MQTT_URL: broker.url, MQTT_PREFIX: PREFIX, INCIDENT_SETTLE_SEC: '3', INCIDENT_HEARING_RANGE_M: '800' });
    const root = tempDir('ecosight-field-');
    const recordings = simulateField(stations, [...located, burst, lonely], { durationSec: 36 }, createRandom('field-audio'));
    const files = await writeFieldRecordings(recordings, join(root, 'recorders'), START_MS);
    for (const s of stations) {
      const dataDir = join(root, s.id);
      mkdirSync(dataDir, { recursive: true });
      const at = enuToGeodetic(REF, { eastM: s.eastM, northM: s.northM, upM: 0 });
      const station = new StationProcess(dataDir, {
        stationId: s.id, model: { backend: 'wasm' },
        source: { type: 'folder', path: join(files.get(s.id) as string, '..'), stableSec: 0, afterProcessing: 'keep' },
        mqtt: { url: broker.url, prefix: PREFIX, alertCooldownSec: 2, telemetryIntervalSec: 5 },
        location: { latitude: at.latitude, longitude: at.longitude, altitudeM: at.altitudeM, recorderClockErrorMs: 1 },
        clips: { preRollSec: 0.5, postRollSec: 0.5 },
      });
      station.start();
      processes.push(station);
    }
  });
  afterAll(async () => {
    for (const p of processes) p.kill('SIGTERM');
    await Promise.all(processes.map((p) => p.wait()));
    await cloud?.stop();
    await broker.stop();
  });

  it('locates shots inside the hull, keeps a one-station shot uncorroborated, and makes one incident of a burst', async () => {
    const list = async () => (await cloud.app.inject({ method: 'GET', url: '/api/incidents?limit=100' })).json().items as IncidentPayload[];
    const near = (i: IncidentPayload, shot: FieldShot) => Math.abs(Date.parse(i.startTime) - (START_MS + shot.timeSec * 1000)) < 3000;
    const incidents = await waitFor(async () => {
      const items = await list();
      const settled = items.filter((i) => !i.open);
      const ready = [...located, burst].every((shot) => settled.some((i) => near(i, shot) && i.location?.kind === 'point')) && settled.some((i) => near(i, lonely));
      return ready ? items : undefined;
    }, 150_000, 'incidents for every shot').catch(async (err: unknown) => {
      const items = await list();
      console.log(JSON.stringify(items.map((i) => ({
        t: i.startTime, open: i.open, c: i.corroboration, st: i.stations.map((s) => `${s.stationId}:${s.residualMs}:${s.shotOnsetsMs.map((o) => (o % 100000).toFixed(1)).join('/')}`),
        loc: i.location && [i.location.kind, i.location.flags],
      }))));
      for (const p of processes) console.log(p.logs.slice(-8).join('\n'));
      throw err;
    });

    const errorsM = located.map((shot) => {
      const incident = incidents.find((i) => near(i, shot)) as IncidentPayload;
      const at = geodeticToEnu(REF, { latitude: incident.location?.latitude ?? 0, longitude: incident.location?.longitude ?? 0 });
      expect(incident.corroboration).toBe('corroborated');
      expect(incident.stations.length).toBeGreaterThanOrEqual(3);
      return Math.hypot(at.eastM - shot.eastM, at.northM - shot.northM);
    });
    errorsM.sort((a, b) => a - b);
    console.log(`field test: location errors ${errorsM.map((e) => e.toFixed(1)).join(', ')} m`);
    expect(errorsM[Math.floor(errorsM.length / 2)]).toBeLessThan(MEDIAN_TARGET_M);

    const burstIncidents = incidents.filter((i) => near(i, burst));
    if (burstIncidents.length !== 1) console.log(JSON.stringify(burstIncidents.map((i) => ({ t: i.startTime, st: i.stations.map((x) => `${x.stationId}:${x.residualMs}:${x.shotOnsetsMs.map((o) => (o % 100000).toFixed(1)).join('/')}`), loc: i.location }))));
    expect(burstIncidents).toHaveLength(1);
    expect(burstIncidents[0].shotCount).toBeGreaterThanOrEqual(3);

    const single = incidents.filter((i) => near(i, lonely));
    expect(single).toHaveLength(1);
    expect(single[0]).toMatchObject({ corroboration: 'uncorroborated', priority: 'low', location: null });
    expect(single[0].stations.map((s) => s.stationId)).toEqual([stations[0].id]);
    expect(single[0].silentStations.length).toBeGreaterThanOrEqual(2);
    // Nothing else: every incident belongs to one of the shots.
    expect(incidents.every((i) => [...located, burst, lonely].some((shot) => near(i, shot)))).toBe(true);
  }, 200_000);
});
