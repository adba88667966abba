import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StationTopicKind } from '#shared/mqtt/topics.js';
import { recordScenario } from '#testkit/fault-report.js';
import { seededRandom } from '#testkit/signals.js';
import { loudWav } from '../support/audio.js';
import { ADMIN_KEY, startTestCloud, type TestCloud } from '../support/test-cloud.js';
import { makeClip } from '#testkit/station-load.js';

const CASES = Number(process.env.ECOSIGHT_PAYLOAD_FUZZ_CASES ?? 800);
const STATION = 'st-fuzz';

type Json = Record<string, unknown>;

const ODD_VALUES: unknown[] = [
  null, -1, 0, 1.5, 1e308, -1e-308, 2 ** 53 + 1, '', ' ', 'x'.repeat(5000), '2026', 'not a time', '1e3', 'NaN', true, false, [], [1, 'a'], {}, { a: { b: [1] } },
  '2026-13-45T99:99:99Z', '../../etc', '<script>alert(1)</script>', 'ωδή', '\u0000',
];

/** Every path to a leaf of a JSON object (nested objects included, arrays as leaves). */
function leafPaths(o: Json, prefix: string[] = []): string[][] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? [[...prefix, k], ...leafPaths(v as Json, [...prefix, k])] : [[...prefix, k]]));
}

/** One to three fields replaced by odd values or removed. */
function mutate(valid: Json, rand: () => number): Json {
  const o = structuredClone(valid);
  const paths = leafPaths(o);
  for (let i = 0, n = 1 + Math.floor(rand() * 3); i < n; i++) {
    const path = paths[Math.floor(rand() * paths.length)];
    let parent = o;
    for (const k of path.slice(0, -1)) parent = (typeof parent[k] === 'object' && parent[k] !== null ? parent[k] : (parent[k] = {})) as Json;
    const leaf = path.at(-1) as string;
    if (rand() < 0.2) delete parent[leaf];
    else parent[leaf] = structuredClone(ODD_VALUES[Math.floor(rand() * ODD_VALUES.length)]);
  }
  return o;
}

function mqttMessage(kind: Exclude<StationTopicKind, 'models'> | string, eventId: string, startTime: string): Json {
  const clipKey = `stations/${STATION}/${startTime.slice(0, 4)}/${startTime.slice(5, 7)}/${startTime.slice(8, 10)}/${eventId}.wav`;
  switch (kind) {
    case 'event':
      return { v: 1, type: 'end', stationId: STATION, eventId, label: 'gunshot', confidence: 0.8, startTime, endTime: startTime, peakTime: startTime, windowCount: 2, shotCount: 1, clipKey, modelVersion: 'm', source: 'mic', alert: true, delayed: false };
    case 'alert':
      return { v: 1, alertId: `al-${eventId}`, stationId: STATION, eventId, label: 'gunshot', confidence: 0.8, startTime, windowEndTime: startTime, shotCount: 2, delayed: false, clipKey, modelVersion: 'm', raisedAt: startTime, sentAt: startTime };
    case 'status':
      return { v: 1, stationId: STATION, state: 'online', time: startTime, softwareVersion: '0.1.0', modelVersion: 'm' };
    default:
      return {
        v: 1, stationId: STATION, time: startTime, uptimeSec: 10, queueDepth: 1, pendingUploads: 1, pendingAlerts: 0, diskFreeBytes: 1e9, clipBytes: 100,
        cpuTempC: 40, modelVersion: 'm', lastAudioTime: startTime, droppedWindows: 0, gapCount: 0,
      };
  }
}

describe('fuzzing what stations send (sidecars through signed PUTs, MQTT messages)', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startTestCloud({ UPLOADS_PER_MINUTE: '1000000', LOG_LEVEL: 'error' });
    const reg = await cloud.app.inject({ method: 'POST', url: '/api/stations', headers: { 'x-api-key': ADMIN_KEY }, payload: { id: STATION } });
    expect(reg.statusCode).toBe(201);
  });
  afterAll(() => cloud.stop());

  it(`keeps every dashboard read working through ${CASES} malformed sidecars and messages, and indexes every valid one`, async () => {
    const rand = seededRandom(99);
    const problems: string[] = [];
    const validIds: string[] = [];
    const wav = loudWav(0.3);
    const start = Date.parse('2026-03-01T00:00:00Z');
    let accepted = 0;
    for (let i = 0; i < CASES; i++) {
      const eventId = `ev-${i}`;
      const startTime = new Date(start + i * 1000).toISOString();
      const pristine = rand() < 0.1;
      const where = i % 4 === 3 ? ['event', 'alert', 'status', 'telemetry'][Math.floor(rand() * 4)] : 'sidecar';
      let what: string;
      if (where === 'sidecar') {
        const { clipKey, sidecar } = makeClip(STATION, eventId, wav, i, start + i * 1000);
        const doc = pristine ? JSON.parse(sidecar.toString()) : mutate(JSON.parse(sidecar.toString()), rand);
        const body = rand() < 0.05 ? sidecar.subarray(0, Math.floor(rand() * sidecar.length)) : Buffer.from(JSON.stringify(doc));
        what = `sidecar ${i}${pristine ? ' (valid)' : ''}`;
        await cloud.services.storage.put(clipKey, wav);
        const key = clipKey.replace('.wav', '.json');
        const expires = Math.floor(Date.now() / 1000) + 600;
        const sig = cloud.services.urlSigner!.sign(key, expires, 'application/json');
        const put = await cloud.app.inject({ method: 'PUT', url: `/api/objects/${key}?expires=${expires}&sig=${sig}`, headers: { 'content-type': 'application/json' }, payload: body });
        if (put.statusCode !== 200) problems.push(`${what}: PUT answered ${put.statusCode}`);
      } else {
        const msg = mqttMessage(where, eventId, startTime);
        const payload = pristine ? msg : mutate(msg, rand);
        what = `${where} ${i}${pristine ? ' (valid)' : ''}`;
        // The MQTT bridge's message handler, as the broker would call it (the broker is not under test here).
        await cloud.services.ingestor.onStationMessage(where as StationTopicKind, STATION, Buffer.from(JSON.stringify(payload))).catch((err: Error) => problems.push(`${what}: handler threw ${err.message}`));
      }
      if (pristine && (where === 'sidecar' || where === 'event' || where === 'alert')) validIds.push(eventId);
      const one = await cloud.app.inject({ method: 'GET', url: `/api/detections/${eventId}` });
      if (one.statusCode === 200) accepted++;
      else if (one.statusCode !== 404) problems.push(`${what}: GET /api/detections/${eventId} answered ${one.statusCode}`);
      // Every few cases, the reads every dashboard makes.
      if (i % 10 === 0 || i === CASES - 1) {
        for (const url of ['/api/detections?limit=500', `/api/detections?station=${STATION}&alert=true`, '/api/stations']) {
          const res = await cloud.app.inject({ method: 'GET', url });
          if (res.statusCode !== 200) problems.push(`after ${what}: GET ${url} answered ${res.statusCode}`);
        }
      }
    }
    for (const id of validIds) {
      const res = await cloud.app.inject({ method: 'GET', url: `/api/detections/${id}` });
      if (res.statusCode !== 200) problems.push(`valid ${id} not indexed (${res.statusCode})`);
    }
    const unique = [...new Set(problems)];
    recordScenario({ scenario: 'station payload fuzz (sidecars, MQTT)', iterations: CASES, faultsInjected: CASES - validIds.length, itemsChecked: CASES + validIds.length, itemsLost: unique.length, note: `${accepted} indexed` });
    expect(unique.slice(0, 20)).toEqual([]);
    expect(validIds.length).toBeGreaterThan(CASES / 20);
  }, 120_000);
});
