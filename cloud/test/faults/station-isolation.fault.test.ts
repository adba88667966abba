import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertPayload, EventPayload } from '#shared/mqtt/payloads.js';
import { EventDetector } from '#shared/pipeline/event-detector.js';
import { recordScenario } from '#testkit/fault-report.js';
import { loudWav, quietWav } from '../support/audio.js';
import { ADMIN_KEY, startTestCloud, type TestCloud } from '../support/test-cloud.js';
import { TestStation } from '../browser/test-station.js';
import { Findings } from './support/findings.js';

const MODEL = '2026.01.01-1';
const admin = { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' };

/**
 * Issue 13 item 7: one station must not be able to rewrite another station's
 * detections (and so the training data a review made of them), honest stations
 * must not collide, and a reviewed clip must never be overwritten.
 */
describe('station isolation (fs storage)', () => {
  let cloud: TestCloud;
  let base: string;
  let a: TestStation;
  let b: TestStation;

  beforeAll(async () => {
    cloud = await startTestCloud({ UPLOADS_PER_MINUTE: '100000' });
    base = await cloud.app.listen({ port: 0, host: '127.0.0.1' });
    a = new TestStation('st-a', base);
    b = new TestStation('st-b', base);
    await a.register(ADMIN_KEY);
    await b.register(ADMIN_KEY);
  });
  afterAll(() => cloud.stop());

  it('refuses cross-station takeovers, keeps honest stations apart and reviewed clips immutable', async () => {
    const f = new Findings();
    const startTime = new Date(Date.now() - 60_000).toISOString();
    const victimId = 'st-b.ev-victim';
    const bWav = loudWav(1.5, 11);
    const bClip = await b.uploadClip({ eventId: victimId, label: 'gunshot', confidence: 0.9, startTime, shotCount: 1 }, bWav, MODEL);
    const review = await cloud.app.inject({ method: 'PATCH', url: `/api/detections/${victimId}?station=st-b`, headers: admin, payload: { label: 'gunshot' } });
    f.check('B reviewed', review.statusCode === 200, `answered ${review.statusCode} ${review.body.slice(0, 200)}`);
    const training = async () => (await cloud.services.repos.detections.reviewedWithClips()).map((d) => `${d.stationId}:${d.clipKey}`);
    const before = await training();

    // 1. A's sidecar (under A's prefix, its own audio) names B's reviewed event.
    f.attacks++;
    const aClip = await a.uploadClip({ eventId: victimId, label: 'background', confidence: 0.99, startTime, shotCount: null }, quietWav(1.5, 3), MODEL).catch((e: Error) => e.message);
    const afterSidecar = await training();
    f.check('sidecar naming B\'s event: training data unchanged', JSON.stringify(afterSidecar) === JSON.stringify(before), `${JSON.stringify(before)} -> ${JSON.stringify(afterSidecar)} (${aClip})`);
    // 2. A's MQTT event and alert naming B's event.
    const ev: EventPayload = { v: 1, type: 'end', stationId: 'st-a', eventId: victimId, label: 'background', confidence: 1, startTime, endTime: startTime, clipKey: 'stations/st-a/2026/01/01/x.wav', alert: false, delayed: false, peakTime: startTime, windowCount: 1, modelVersion: MODEL, source: 'mic' } as EventPayload;
    await cloud.services.ingestor.onStationMessage('event', 'st-a', Buffer.from(JSON.stringify(ev)));
    const alert: AlertPayload = { v: 1, alertId: 'al-x', stationId: 'st-a', eventId: victimId, label: 'gunshot', confidence: 1, startTime, shotCount: 99, raisedAt: startTime, delayed: false, clipKey: 'stations/st-a/2026/01/01/x.wav' } as AlertPayload;
    await cloud.services.ingestor.onStationMessage('alert', 'st-a', Buffer.from(JSON.stringify(alert)));
    f.attacks += 2;
    const rows = (await cloud.services.repos.detections.all()).filter((d) => d.id === victimId);
    const bRow = rows.find((d) => d.stationId === 'st-b');
    f.check('B\'s row still B\'s, with its clip and review', bRow?.clipKey === bClip && bRow.reviewedLabel === 'gunshot' && bRow.label === 'gunshot' && bRow.shotCount === 1, JSON.stringify(rows));
    f.check('no row of A carries B\'s station-scoped event id', !rows.some((d) => d.stationId === 'st-a'), JSON.stringify(rows.map((d) => d.stationId)));
    f.check('training data unchanged after MQTT', JSON.stringify(await training()) === JSON.stringify(before));

    // 3. Two honest stations replaying the same file produce the same legacy event id: both kept.
    const same = 'ev-0123456789abcdef01234567';
    await a.uploadClip({ eventId: same, label: 'gunshot', confidence: 0.8, startTime, shotCount: 1 }, loudWav(1.5, 21), MODEL);
    await b.uploadClip({ eventId: same, label: 'gunshot', confidence: 0.7, startTime, shotCount: 1 }, loudWav(1.5, 22), MODEL);
    f.attacks++;
    const both = (await cloud.services.repos.detections.all()).filter((d) => d.id === same).map((d) => d.stationId).sort();
    f.check('same event id from two stations: two rows', JSON.stringify(both) === '["st-a","st-b"]', JSON.stringify(both));

    // 4. The reviewed clip cannot be overwritten, through a fresh URL or a replayed one.
    for (const what of ['fresh URL', 'second fresh URL']) {
      f.attacks++;
      const res = await fetch(`${base}/api/stations/st-b/presign`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-station-token': b.token }, body: JSON.stringify({ keys: [bClip] }) });
      const url = res.status === 200 ? ((await res.json()) as { urls: Array<{ url: string; headers: Record<string, string> }> }).urls[0] : undefined;
      const put = url ? await fetch(url.url, { method: 'PUT', headers: url.headers, body: Buffer.from(quietWav(1.5, 9)) }) : undefined;
      f.check(`${what}: overwrite refused`, put === undefined || put.status >= 400, `PUT answered ${put?.status}`);
    }
    f.check('reviewed clip bytes unchanged', (await cloud.services.storage.get(bClip)).equals(Buffer.from(bWav)));

    // 5. Station event ids carry the station id.
    const ids = ['st-a', 'st-b'].map((stationId) => {
      const d = new EventDetector({ classNames: ['background', 'gunshot'], decisions: [{ threshold: 2, k: 1, n: 1 }, { threshold: 0.5, k: 1, n: 1 }], maxEventSamples: 1e9, stationId });
      d.reset('file:same-audio');
      const out = d.push({ window: { startSample: 0, endSample: 16000, timeMs: 0 }, scores: new Float32Array([0, 0.9]) } as never);
      return out[0]?.event.id ?? '';
    });
    f.check('event ids name their station', ids[0].startsWith('st-a.') && ids[1].startsWith('st-b.') && ids[0] !== ids[1], JSON.stringify(ids));

    recordScenario({ scenario: 'Isolation: cross-station takeover', iterations: 1, faultsInjected: f.attacks, itemsChecked: f.checks, itemsLost: f.problems.length, tried: 'sidecar/event/alert naming another station\'s reviewed event; same event id on two stations; overwriting a reviewed clip' });
    expect(f.problems).toEqual([]);
  });
});
