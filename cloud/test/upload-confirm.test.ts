import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestS3 } from '#testkit/s3rver.js';
import { S3RequestCounter } from '#testkit/s3-request-counter.js';
import type { ClipSidecar } from '#shared/mqtt/sidecar.js';
import { createS3Client } from '#shared/s3/client.js';
import { loudWav } from './support/audio.js';
import { ADMIN_KEY, startTestCloud, type TestCloud } from './support/test-cloud.js';

const admin = { 'x-api-key': ADMIN_KEY };
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

interface Upload {
  clipKey: string;
  sidecarKey: string;
  wav: Buffer;
  sidecar: string;
}

function makeUpload(stationId: string, eventId: string): Upload {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const clipKey = `stations/${stationId}/${day}/${eventId}.wav`;
  const wav = Buffer.from(loudWav());
  const start = new Date().toISOString();
  const sidecar: ClipSidecar = {
    v: 1, stationId, clipId: eventId, clipKey, sha256: sha256(wav), bytes: wav.byteLength, codec: 'wav', sampleRateHz: 16000, durationSec: 1.5,
    clipStartTime: start,
    detection: { eventId, label: 'gunshot', confidence: 0.9, startTime: start, endTime: start, peakTime: start, windowCount: 2, shotCount: 1, scores: { gunshot: 0.9 } },
    modelVersion: '2026.01.01-1', source: 'mic', createdAt: start,
  };
  return { clipKey, sidecarKey: clipKey.replace(/\.wav$/, '.json'), wav, sidecar: JSON.stringify(sidecar) };
}

const confirmed = (u: Upload) => [
  { key: u.clipKey, bytes: u.wav.byteLength, sha256: sha256(u.wav) },
  { key: u.sidecarKey, bytes: Buffer.byteLength(u.sidecar), sha256: sha256(u.sidecar) },
];

describe('upload confirmations on S3 storage (s3rver), storage requests counted', () => {
  const s3 = new TestS3('confirm-test');
  const counter = new S3RequestCounter();
  let cloud: TestCloud;
  const tokens: Record<string, string> = {};

  async function register(id: string): Promise<void> {
    const res = await cloud.app.inject({ method: 'POST', url: '/api/stations', headers: admin, payload: { id } });
    expect(res.statusCode).toBe(201);
    tokens[id] = res.json().token as string;
  }

  /** The station's half: presigned PUTs straight to S3, which the service never sees. */
  async function upload(stationId: string, u: Upload, only?: 'clip' | 'sidecar'): Promise<void> {
    const objects = [{ key: u.clipKey, bytes: u.wav.byteLength, body: u.wav }, { key: u.sidecarKey, bytes: Buffer.byteLength(u.sidecar), body: Buffer.from(u.sidecar) }]
      .filter((o) => !only || (only === 'clip') === o.key.endsWith('.wav'));
    const res = await cloud.app.inject({
      method: 'POST', url: `/api/stations/${stationId}/presign`, headers: { 'x-station-token': tokens[stationId] },
      payload: { objects: objects.map(({ key, bytes }) => ({ key, bytes })) },
    });
    expect(res.statusCode).toBe(200);
    const urls = res.json().urls as Array<{ url: string; headers: Record<string, string> }>;
    for (const [i, o] of objects.entries()) expect((await fetch(urls[i].url, { method: 'PUT', headers: urls[i].headers, body: o.body })).status).toBe(200);
  }

  function confirm(stationId: string, objects: unknown[], token = tokens[stationId]) {
    return cloud.app.inject({ method: 'POST', url: `/api/stations/${stationId}/uploads/confirm`, headers: { 'x-station-token': token }, payload: { objects } });
  }

  async function detectionsOf(stationId: string): Promise<Array<Record<string, unknown>>> {
    return (await cloud.app.inject({ method: 'GET', url: `/api/detections?station=${stationId}` })).json().items as Array<Record<string, unknown>>;
  }

  beforeAll(async () => {
    await s3.start();
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
    const s3Client = counter.attach(createS3Client({ endpoint: s3.endpoint, forcePathStyle: true }));
    // The reconciliation's timer is the configured one (a day): nothing lists unless asked to.
    cloud = await startTestCloud({ STORAGE: 's3', ...s3.env, RECONCILE_INTERVAL_SEC: '86400' }, { s3Client, scanIntervalMs: undefined });
    await register('st-a');
    await register('st-b');
  });
  afterAll(async () => {
    await cloud.stop();
    await s3.stop();
  });

  it('indexes a confirmed upload at once with one GET and one HEAD, no listing; confirming again or a later reconciliation adds no row', async () => {
    const u = makeUpload('st-a', 'st-a.ev-1');
    await upload('st-a', u);
    counter.reset();
    const res = await confirm('st-a', confirmed(u));
    expect(res.statusCode).toBe(200);
    expect(res.json().results).toEqual([{ key: u.clipKey, status: 'ok' }, { key: u.sidecarKey, status: 'ok', eventId: 'st-a.ev-1' }]);
    expect(counter.snapshot()).toMatchObject({ LIST: 0, GET: 1, HEAD: 1, PUT: 0 });
    expect(await detectionsOf('st-a')).toEqual([expect.objectContaining({ id: 'st-a.ev-1', clipAvailable: true, label: 'gunshot' })]);
    // A lost answer: the station confirms again. Then the reconciliation lists and finds it indexed.
    expect((await confirm('st-a', confirmed(u))).json().results[1]).toMatchObject({ status: 'ok' });
    expect((await cloud.app.inject({ method: 'POST', url: '/api/scan', headers: admin })).json()).toMatchObject({ sidecars: 0 });
    expect(await detectionsOf('st-a')).toHaveLength(1);
  });

  it('an upload nobody confirms appears only after a reconciliation run', async () => {
    const u = makeUpload('st-b', 'st-b.ev-quiet');
    await upload('st-b', u);
    expect(await detectionsOf('st-b')).toEqual([]);
    counter.reset();
    expect((await cloud.app.inject({ method: 'POST', url: '/api/scan', headers: admin })).json()).toMatchObject({ sidecars: 1 });
    expect(counter.count('LIST')).toBeGreaterThan(0);
    expect(await detectionsOf('st-b')).toEqual([expect.objectContaining({ id: 'st-b.ev-quiet', clipAvailable: true })]);
  });

  it("refuses another station's keys, unsafe keys and the station document, before touching storage", async () => {
    const theirs = makeUpload('st-b', 'st-b.ev-2');
    await upload('st-b', theirs);
    counter.reset();
    // st-a's token naming st-b's objects under st-a's route: outside its prefix.
    expect((await confirm('st-a', confirmed(theirs))).json()).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
    // st-a's token on st-b's route: the token is not st-b's.
    expect((await confirm('st-b', confirmed(theirs), tokens['st-a'])).statusCode).toBe(403);
    const item = (key: string) => [{ key, bytes: 1, sha256: '0'.repeat(64) }];
    expect((await confirm('st-a', item('stations/st-a/../st-b/2026/11/20/x.wav'))).json()).toMatchObject({ statusCode: 400, code: 'UNSAFE_KEY' });
    expect((await confirm('st-a', item('stations/st-ab/2026/11/20/x.wav'))).statusCode).toBe(403);
    expect((await confirm('st-a', item('stations/st-a/station.json'))).statusCode).toBe(400);
    expect((await confirm('st-a', item('stations/st-a/2026/11/20/x.exe'))).statusCode).toBe(400);
    expect((await confirm('st-a', item('labels/st-a/x.json'))).statusCode).toBe(403);
    expect((await confirm('st-a', [{ key: theirs.clipKey, bytes: 1, sha256: 'not-hex' }])).statusCode).toBe(400);
    expect((await confirm('st-a', confirmed(theirs), 'est_forged')).statusCode).toBe(401);
    expect(counter.snapshot()).toMatchObject({ LIST: 0, GET: 0, HEAD: 0 });
    expect((await detectionsOf('st-b')).map((d) => d.id)).not.toContain('st-b.ev-2');
  });

  it('says what is missing or not as uploaded, and indexes nothing false', async () => {
    const u = makeUpload('st-a', 'st-a.ev-3');
    await upload('st-a', u, 'clip');
    // The sidecar never arrived: missing (the station retries later); the clip alone is fine.
    expect((await confirm('st-a', confirmed(u))).json().results).toEqual([
      { key: u.clipKey, status: 'ok' }, { key: u.sidecarKey, status: 'missing', detail: 'not in storage' },
    ]);
    await upload('st-a', u, 'sidecar');
    const [clip, sidecar] = confirmed(u);
    const wrongSize = await confirm('st-a', [{ ...clip, bytes: clip.bytes + 1 }, sidecar]);
    expect(wrongSize.json().results[0]).toMatchObject({ status: 'mismatch' });
    expect((await detectionsOf('st-a')).find((d) => d.id === 'st-a.ev-3')).toMatchObject({ clipAvailable: false });
    const wrongSidecar = await confirm('st-a', [clip, { ...sidecar, sha256: sha256('something else') }]);
    expect(wrongSidecar.json().results[1]).toMatchObject({ status: 'mismatch' });
    expect((await confirm('st-a', confirmed(u))).json().results.map((r: { status: string }) => r.status)).toEqual(['ok', 'ok']);
    expect((await detectionsOf('st-a')).find((d) => d.id === 'st-a.ev-3')).toMatchObject({ clipAvailable: true });
  });
});
