import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload } from '#shared/mqtt/payloads.js';
import type { ClipSidecar } from '#shared/mqtt/sidecar.js';
import { waitFor } from '#testkit/ports.js';
import { TestS3 } from '#testkit/s3rver.js';
import { openIndex } from '../src/app.js';
import { main } from '../src/cli.js';
import type { Repos } from '../src/adapters/db/repos.js';
import { putJson } from '../src/adapters/storage/object-storage.js';
import { loudWav, quietWav } from './support/audio.js';
import { formBody } from './support/multipart.js';
import { dropSchema, engineUnavailable, INDEX_ENGINES, privatePostgres } from './support/index-engines.js';
import { ADMIN_KEY, startTestCloud, type TestCloud } from './support/test-cloud.js';
import { writeTrainableBaseDir } from './support/tiny-model.js';

const admin = { 'x-api-key': ADMIN_KEY };
// Recent times, so the scanner's look-back window (days) covers them.
const T0 = new Date(Date.now() - 3_600_000);
const iso = (offsetSec: number) => new Date(T0.getTime() + offsetSec * 1000).toISOString();
const DAY = T0.toISOString().slice(0, 10).replaceAll('-', '/');

/** Everything the index holds that storage must be able to give back (updatedAt is bookkeeping). */
async function snapshot(repos: Repos) {
  return {
    stations: await repos.stations.registrations(),
    uploads: await repos.uploads.all(),
    detections: (await repos.detections.all()).map(({ updatedAt: _u, ...d }) => d),
    jobs: await repos.jobs.list(100),
    releases: await repos.releases.list(),
    latest: await repos.releases.latest(),
  };
}

function sidecar(eventId: string, clipKey: string, label: string): ClipSidecar {
  const t = iso(0);
  return {
    v: 1, stationId: 'st-x', clipId: eventId, clipKey, sha256: '1'.repeat(64), bytes: 1, sampleRateHz: 16000, durationSec: 1.5, clipStartTime: t,
    detection: { eventId, label, confidence: 0.77, startTime: t, endTime: t, peakTime: t, windowCount: 2, shotCount: null, scores: { [label]: 0.77 } },
    modelVersion: '2026.01.01-1', source: 'file', createdAt: iso(5),
  };
}

describe.each(INDEX_ENGINES)('reindex rebuilds the same index (%s) from the bucket alone', (engine) => {
  const unavailable = engineUnavailable(engine);
  if (unavailable) return void it.skip(unavailable);
  const postgres = engine === 'postgres' ? privatePostgres() : undefined;
  const s3 = new TestS3('reindex-test');
  let cloud: TestCloud;
  let env: Record<string, string>;
  let shippedModelDir: string;
  let before: Awaited<ReturnType<typeof snapshot>>;
  let tokenX: string;
  beforeAll(async () => {
    await s3.start();
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
    shippedModelDir = await writeTrainableBaseDir();
    env = { STORAGE: 's3', ...s3.env, DATA_DIR: mkdtempSync(join(tmpdir(), 'ecosight-reindex-')), MIN_NEW_SAMPLES: '1' };
    if (postgres) env.DATABASE_URL = await postgres.url();
    cloud = await startTestCloud(env, { shippedModelDir });
    env.MODEL_SIGNING_KEY = cloud.config.modelSigningKey;

    // Stations, uploads, clips with sidecars, MQTT-only detections, an alert, reviews, a job and a release.
    const reg = await cloud.app.inject({ method: 'POST', url: '/api/stations', headers: admin, payload: { id: 'st-x', name: 'Ridge' } });
    expect(reg.statusCode).toBe(201);
    tokenX = reg.json().token;
    expect((await cloud.app.inject({ method: 'POST', url: '/api/stations', headers: admin, payload: { id: 'st-y' } })).statusCode).toBe(201);
    for (const [cls, wav, name] of [['gunshot', loudWav(1.5, 5), 'g1.wav'], ['background', quietWav(1.5, 6), 'b1.wav'], ['gunshot', loudWav(1.5, 7), 'g2.wav']] as const) {
      const { body, contentType } = formBody([{ name: 'class', value: cls }, { name: 'file', filename: name, content: wav }]);
      expect((await cloud.app.inject({ method: 'POST', url: '/upload', headers: { ...admin, 'content-type': contentType }, payload: body })).statusCode).toBe(200);
    }
    const { storage, ingestor } = cloud.services;
    for (const [id, label, wav] of [['ev-1', 'gunshot', loudWav(1.5, 8)], ['ev-2', 'gunshot', quietWav(1.5, 9)], ['ev-3', 'chainsaw', quietWav(1.5, 10)]] as const) {
      const clipKey = `stations/st-x/${DAY}/${id}.wav`;
      const base: EventPayload = {
        v: 1, type: 'end', stationId: 'st-x', eventId: id, label, confidence: 0.7, startTime: iso(0), endTime: iso(1),
        peakTime: iso(0.5), windowCount: 2, clipKey, modelVersion: '2026.01.01-1', source: 'file', alert: label === 'gunshot', delayed: false,
      };
      await ingestor.onEvent(base);
      if (id !== 'ev-3') {
        await storage.put(clipKey, wav);
        await putJson(storage, clipKey.replace('.wav', '.json'), sidecar(id, clipKey, label));
      }
    }
    await ingestor.onEvent({
      v: 1, type: 'end', stationId: 'st-y', eventId: 'ev-y', label: 'chainsaw', confidence: 0.6, startTime: iso(60), peakTime: iso(60),
      windowCount: 1, clipKey: '', modelVersion: '2026.01.01-1', source: 'mic', alert: false, delayed: false,
    });
    await ingestor.onAlert({
      v: 1, alertId: 'al-1', stationId: 'st-x', label: 'gunshot', confidence: 0.9, startTime: iso(0), shotCount: 3, delayed: true,
      clipKey: `stations/st-x/${DAY}/ev-1.wav`, modelVersion: '2026.01.01-1', eventId: 'ev-1', raisedAt: iso(1), sentAt: iso(600), windowEndTime: iso(0.96),
    });
    expect((await cloud.app.inject({ method: 'POST', url: '/api/scan', headers: admin })).json().sidecars).toBe(2);
    expect((await cloud.app.inject({ method: 'PATCH', url: '/api/detections/ev-2', headers: admin, payload: { label: 'background' } })).statusCode).toBe(200);
    expect((await cloud.app.inject({ method: 'PATCH', url: '/api/detections/ev-1', headers: admin, payload: { label: 'gunshot' } })).statusCode).toBe(200);
    const job = await cloud.app.inject({ method: 'POST', url: '/retrain', headers: admin, payload: {} });
    expect(job.statusCode).toBe(202);
    await waitFor(async () => ['succeeded', 'failed'].includes((await cloud.services.jobStore.read(job.json().job_id))?.state ?? '') || undefined, 30_000, 'job');

    before = await snapshot(cloud.services.repos);
    expect(before.detections).toHaveLength(4);
    expect(before.releases).toHaveLength(2);
    await cloud.stop();
  });
  afterAll(() => s3.stop());

  it('with `ecosight-cloud reindex` after the index is deleted', async () => {
    if (postgres) await dropSchema(env.DATABASE_URL, 'ecosight');
    else for (const f of readdirSync(env.DATA_DIR)) if (f.startsWith('index.sqlite')) rmSync(join(env.DATA_DIR, f));
    const saved = { ...process.env };
    Object.assign(process.env, env, { API_KEY: ADMIN_KEY, LOG_LEVEL: 'silent' });
    try {
      expect(await main(['reindex'])).toBe(0);
    } finally {
      process.env = saved;
    }
    const { repos } = await openIndex(cloud.config);
    try {
      expect(await snapshot(repos)).toEqual(before);
      expect(await repos.detections.get('st-x', 'ev-1')).toMatchObject({ alert: true, shotCount: 3, reviewedLabel: 'gunshot', clipAvailable: true });
      expect(await repos.detections.get('st-x', 'ev-3')).toMatchObject({ clipAvailable: false, state: 'closed' });
    } finally {
      await repos.close();
    }
  });

  it('by itself when the service starts on a wiped disk (or an empty database)', async () => {
    const wiped = { ...env, DATA_DIR: mkdtempSync(join(tmpdir(), 'ecosight-reindex-fresh-')), ...(postgres ? { DATABASE_URL: await postgres.url() } : {}) };
    const fresh = await startTestCloud(wiped, { shippedModelDir });
    try {
      expect(await snapshot(fresh.services.repos)).toEqual(before);
      // And it keeps working from there: reviews are back and station tokens still authenticate.
      expect((await fresh.app.inject({ method: 'GET', url: '/api/detections?reviewed=true' })).json().total).toBe(2);
      const presign = await fresh.app.inject({ method: 'POST', url: '/api/stations/st-x/presign', headers: { 'x-station-token': tokenX }, payload: { objects: [{ key: 'stations/st-x/2026/01/01/a.wav', bytes: 44 }] } });
      expect(presign.statusCode).toBe(200);
    } finally {
      await fresh.stop();
    }
  });
});
