import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestS3 } from '#testkit/s3rver.js';
import type { ClipSidecar } from '#shared/mqtt/sidecar.js';
import { sha256Token } from '../src/plugins/auth.js';
import { getJson } from '../src/adapters/storage/object-storage.js';
import { waitFor } from '#testkit/ports.js';
import { loudWav } from './support/audio.js';
import { openEventStream } from './support/sse.js';
import { ADMIN_KEY, startTestCloud, type TestCloud } from './support/test-cloud.js';

const admin = { 'x-api-key': ADMIN_KEY };

async function register(cloud: TestCloud, id: string): Promise<string> {
  const res = await cloud.app.inject({ method: 'POST', url: '/api/stations', headers: admin, payload: { id, name: `Station ${id}` } });
  expect(res.statusCode).toBe(201);
  return res.json().token as string;
}

function presign(cloud: TestCloud, id: string, keys: string[], headers: Record<string, string>) {
  return cloud.app.inject({ method: 'POST', url: `/api/stations/${id}/presign`, headers, payload: { keys } });
}

function sidecarFor(stationId: string, clipKey: string, eventId: string, wav: Uint8Array): ClipSidecar {
  const start = '2026-11-20T10:00:00.000Z';
  return {
    v: 1, stationId, clipId: eventId, clipKey, sha256: 'x'.repeat(64), bytes: wav.byteLength, sampleRateHz: 16000, durationSec: 1.5,
    clipStartTime: start,
    detection: { eventId, label: 'gunshot', confidence: 0.93, startTime: start, endTime: '2026-11-20T10:00:01.000Z', peakTime: start, windowCount: 2, shotCount: 1, scores: { gunshot: 0.93, background: 0.05, chainsaw: 0.02 } },
    modelVersion: '2026.01.01-1', source: 'mic', createdAt: '2026-11-20T10:00:02.000Z',
  };
}

describe('stations on fs storage', () => {
  let cloud: TestCloud;
  let base: string;
  let tokenA: string;
  let tokenB: string;
  beforeAll(async () => {
    cloud = await startTestCloud();
    base = await cloud.app.listen({ port: 0, host: '127.0.0.1' });
    tokenA = await register(cloud, 'st-a');
    tokenB = await register(cloud, 'st-b');
  });
  afterAll(() => cloud.stop());

  it('registers once, stores only the token hash, and lists stations', async () => {
    const again = await cloud.app.inject({ method: 'POST', url: '/api/stations', headers: admin, payload: { id: 'st-a' } });
    expect(again.statusCode).toBe(409);
    const doc = await getJson<Record<string, unknown>>(cloud.services.storage, 'stations/st-a/station.json');
    expect(doc).toMatchObject({ id: 'st-a', name: 'Station st-a', tokenSha256: sha256Token(tokenA) });
    expect(JSON.stringify(doc)).not.toContain(tokenA);
    expect(cloud.logs.join('')).not.toContain(tokenA);
    const list = await cloud.app.inject({ method: 'GET', url: '/api/stations' });
    expect(list.json().items.map((s: { id: string }) => s.id)).toEqual(['st-a', 'st-b']);
    const bad = await cloud.app.inject({ method: 'POST', url: '/api/stations', headers: admin, payload: { id: '../x' } });
    expect(bad.statusCode).toBe(400);
  });

  it("never gives one station's token a URL for another station's prefix", async () => {
    const own = ['stations/st-a/2026/11/20/c1.wav'];
    expect((await presign(cloud, 'st-a', own, { 'x-station-token': tokenA })).statusCode).toBe(200);
    expect((await presign(cloud, 'st-a', own, { authorization: `Bearer ${tokenA}` })).statusCode).toBe(200);
    // B's token on A's route, A's token on B's route: authenticated but not allowed.
    expect((await presign(cloud, 'st-a', own, { 'x-station-token': tokenB })).json()).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
    expect((await presign(cloud, 'st-b', ['stations/st-b/2026/11/20/c1.wav'], { 'x-station-token': tokenA })).statusCode).toBe(403);
    // A's token on A's route, asking for B's keys or escaping the prefix.
    expect((await presign(cloud, 'st-a', ['stations/st-b/2026/11/20/c1.wav'], { 'x-station-token': tokenA })).statusCode).toBe(403);
    expect((await presign(cloud, 'st-a', [...own, 'stations/st-ab/x.wav'], { 'x-station-token': tokenA })).statusCode).toBe(403);
    expect((await presign(cloud, 'st-a', ['stations/st-a/../st-b/c.wav'], { 'x-station-token': tokenA })).json()).toMatchObject({ statusCode: 400, code: 'UNSAFE_KEY' });
    expect((await presign(cloud, 'st-a', ['stations/st-a//c.wav'], { 'x-station-token': tokenA })).statusCode).toBe(400);
    expect((await presign(cloud, 'st-a', [`stations/st-a/${'x'.repeat(600)}.wav`], { 'x-station-token': tokenA })).statusCode).toBe(400);
    expect((await presign(cloud, 'st-a', ['stations/st-a/station.json'], { 'x-station-token': tokenA })).statusCode).toBe(403);
    // No token or a made-up one.
    expect((await presign(cloud, 'st-a', own, {})).statusCode).toBe(401);
    expect((await presign(cloud, 'st-a', own, { 'x-station-token': 'est_forged' })).statusCode).toBe(401);
  });

  it('fs presigned PUT stores the object and ingests the sidecar; tampering and expiry are refused', async () => {
    const wav = loudWav();
    const clipKey = 'stations/st-a/2026/11/20/ev-1.wav';
    const jsonKey = 'stations/st-a/2026/11/20/ev-1.json';
    const host = new URL(base).host; // the URL points back at the host the station used
    const res = await presign(cloud, 'st-a', [clipKey, jsonKey], { 'x-station-token': tokenA, host });
    const [wavUrl, jsonUrl] = res.json().urls as Array<{ url: string; headers: Record<string, string>; expiresAt: string }>;
    expect(wavUrl.url.startsWith(`${base}/api/objects/${clipKey}?`)).toBe(true);
    expect(wavUrl.headers).toEqual({ 'content-type': 'audio/wav' });

    const put = (url: string, headers: Record<string, string>, body: Uint8Array | string) => fetch(url, { method: 'PUT', headers, body });
    const tampered = wavUrl.url.replace(/sig=([0-9a-f])/, (_m, c: string) => `sig=${c === '0' ? '1' : '0'}`);
    expect((await put(tampered, wavUrl.headers, wav)).status).toBe(403);
    expect((await put(wavUrl.url.replace('ev-1.wav', 'ev-2.wav'), wavUrl.headers, wav)).status).toBe(403);
    expect((await put(wavUrl.url.replace('st-a', 'st-b'), wavUrl.headers, wav)).status).toBe(403);
    expect((await put(wavUrl.url.replace(/expires=\d+/, (m) => `expires=${Number(m.slice(8)) + 3600}`), wavUrl.headers, wav)).status).toBe(403);
    expect((await put(wavUrl.url, { 'content-type': 'application/octet-stream' }, wav)).status).toBe(403);
    expect(await cloud.services.storage.head(clipKey)).toBeUndefined();

    const ok = await put(wavUrl.url, wavUrl.headers, wav);
    expect(ok.status).toBe(200);
    expect(await cloud.services.storage.get(clipKey)).toEqual(Buffer.from(wav));
    const live = openEventStream(`${base}/api/live`);
    await live.ready;
    const sidecar = sidecarFor('st-a', clipKey, 'ev-1', wav);
    expect((await put(jsonUrl.url, jsonUrl.headers, JSON.stringify(sidecar))).status).toBe(200);
    // The finished upload is pushed to dashboards at once.
    await waitFor(() => live.events.find((e) => e.event === 'detection' && (e.data as { id: string }).id === 'ev-1'), 5_000, 'live detection');
    live.close();
    const det = await cloud.app.inject({ method: 'GET', url: '/api/detections/ev-1' });
    expect(det.json()).toMatchObject({ id: 'ev-1', stationId: 'st-a', label: 'gunshot', state: 'closed', clipAvailable: true, audioUrl: '/api/detections/ev-1/audio?station=st-a', scores: { gunshot: 0.93 } });
    const audio = await cloud.app.inject({ method: 'GET', url: '/api/detections/ev-1/audio' });
    expect(audio.headers['content-type']).toBe('audio/wav');
    expect(audio.rawPayload).toEqual(Buffer.from(wav));
    const png = await cloud.app.inject({ method: 'GET', url: '/api/detections/ev-1/spectrogram.png' });
    expect(png.statusCode).toBe(200);
    expect(png.rawPayload.subarray(1, 4).toString()).toBe('PNG');

    // The same URL after it expired.
    const realNow = cloud.services.clock.now;
    (cloud.services.clock as { now: () => number }).now = () => Date.parse(wavUrl.expiresAt) + 1000;
    try {
      expect((await put(wavUrl.url, wavUrl.headers, wav)).status).toBe(403);
    } finally {
      (cloud.services.clock as { now: () => number }).now = realNow;
    }
    expect(cloud.logs.join('')).not.toMatch(/sig=[0-9a-f]{64}/);
  });

  it('a sidecar claiming another station is not ingested', async () => {
    const clipKey = 'stations/st-a/2026/11/20/ev-9.wav';
    const res = await presign(cloud, 'st-a', [clipKey.replace('.wav', '.json')], { 'x-station-token': tokenA, host: new URL(base).host });
    const [u] = res.json().urls;
    const forged = sidecarFor('st-b', clipKey.replace('st-a', 'st-b'), 'ev-9', loudWav());
    expect((await fetch(u.url, { method: 'PUT', headers: u.headers, body: JSON.stringify(forged) })).status).toBe(200);
    expect((await cloud.app.inject({ method: 'GET', url: '/api/detections/ev-9' })).statusCode).toBe(404);
  });
});

describe('stations on s3 storage', () => {
  const s3 = new TestS3('stations-test');
  let cloud: TestCloud;
  beforeAll(async () => {
    await s3.start();
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
    cloud = await startTestCloud({ STORAGE: 's3', ...s3.env });
  });
  afterAll(async () => {
    await cloud.stop();
    await s3.stop();
  });

  it('hands out real presigned S3 URLs for the same keys, and the scan finds the sidecar', async () => {
    const token = await register(cloud, 'st-s3');
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
    const clipKey = `stations/st-s3/${day}/ev-s3.wav`;
    const wav = loudWav();
    const sidecar = JSON.stringify(sidecarFor('st-s3', clipKey, 'ev-s3', wav));
    // S3 URLs need the length (it is signed): the legacy keys-only form is refused.
    expect((await presign(cloud, 'st-s3', [clipKey], { 'x-station-token': token })).json()).toMatchObject({ statusCode: 400, code: 'LENGTH_REQUIRED' });
    const res = await cloud.app.inject({
      method: 'POST', url: '/api/stations/st-s3/presign', headers: { 'x-station-token': token },
      payload: { objects: [{ key: clipKey, bytes: wav.byteLength }, { key: clipKey.replace('.wav', '.json'), bytes: Buffer.byteLength(sidecar) }] },
    });
    expect(res.statusCode).toBe(200);
    const [w, j] = res.json().urls;
    expect(w.url.startsWith(`${s3.endpoint}/${s3.bucket}/${clipKey}?`)).toBe(true);
    expect(w.url).toContain('X-Amz-Signature=');
    expect(decodeURIComponent(w.url)).toContain('content-length;content-type;host;if-none-match');
    expect((await fetch(w.url, { method: 'PUT', headers: w.headers, body: wav })).status).toBe(200);
    expect((await fetch(j.url, { method: 'PUT', headers: j.headers, body: sidecar })).status).toBe(200);
    expect((await cloud.app.inject({ method: 'GET', url: '/api/detections/ev-s3' })).statusCode).toBe(404);
    const scan = await cloud.app.inject({ method: 'POST', url: '/api/scan', headers: admin });
    expect(scan.json()).toMatchObject({ sidecars: 1 });
    expect((await cloud.app.inject({ method: 'GET', url: '/api/detections/ev-s3' })).json()).toMatchObject({ clipAvailable: true, stationId: 'st-s3' });
    // The fs upload route does not exist with S3.
    expect((await cloud.app.inject({ method: 'PUT', url: `/api/objects/${clipKey}?expires=1&sig=${'0'.repeat(64)}`, payload: 'x' })).statusCode).toBe(404);
  });
});

describe('upload rate limits on fs storage are per station, not per IP', () => {
  let cloud: TestCloud;
  let base: string;
  beforeAll(async () => {
    cloud = await startTestCloud({ UPLOADS_PER_MINUTE: '1' }); // 4 object PUTs per minute
    base = await cloud.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => cloud.stop());

  it('two stations behind one address each get the whole budget; forged URLs spend neither', async () => {
    const host = new URL(base).host;
    const urls = async (id: string, n: number) => {
      const token = await register(cloud, id);
      const keys = Array.from({ length: n }, (_, i) => `stations/${id}/2026/11/20/c${i}.wav`);
      const res = await presign(cloud, id, keys, { 'x-station-token': token, host });
      expect(res.statusCode).toBe(200);
      return res.json().urls as Array<{ url: string; headers: Record<string, string> }>;
    };
    const put = (u: { url: string; headers: Record<string, string> }) => fetch(u.url, { method: 'PUT', headers: u.headers, body: loudWav() }).then((r) => r.status);
    const a = await urls('nat-a', 5);
    const b = await urls('nat-b', 1);
    // Forged URLs for nat-b's prefix: refused before the body is read, and never counted against nat-b.
    const forged = { url: b[0].url.replace(/sig=[0-9a-f]{64}/, `sig=${'0'.repeat(64)}`), headers: b[0].headers };
    const forgedStatuses = [];
    for (let i = 0; i < 5; i++) forgedStatuses.push(await put(forged));
    expect(forgedStatuses).toEqual([403, 403, 403, 403, 403]);
    const aStatuses = [];
    for (const u of a) aStatuses.push(await put(u));
    expect(aStatuses).toEqual([200, 200, 200, 200, 429]);
    expect(await put(b[0])).toBe(200);
  });
});
