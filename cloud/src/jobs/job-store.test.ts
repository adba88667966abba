import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '#shared/s3/client.js';
import { TestS3 } from '#testkit/s3rver.js';
import type { Clock } from '#shared/util/clock.js';
import { openIndexDb } from '../adapters/db/index-db.js';
import { SqliteJobsRepo } from '../adapters/db/jobs-repo.js';
import { LiveHub } from '../adapters/live-hub.js';
import { UrlSigner } from '../adapters/storage/fs-presigner.js';
import { FsStorage } from '../adapters/storage/fs-storage.js';
import type { ObjectStorage } from '../adapters/storage/object-storage.js';
import { S3Storage } from '../adapters/storage/s3-storage.js';
import { jobClaimKey as claimKey } from '#shared/bucket/layout.js';
import { JobStore, STALE_AFTER_MS } from './job-store.js';

/** A JobStore as one process (API or worker) has it: its own index and live hub, shared storage. */
function processStore(storage: ObjectStorage, clock: Clock): JobStore {
  return new JobStore({ storage, jobs: new SqliteJobsRepo(openIndexDb(':memory:').db), live: new LiveHub(), clock });
}

const clockAt = (t: { ms: number }): Clock => ({ now: () => t.ms, sleepUntil: () => Promise.resolve() });

async function queuedJob(store: JobStore, id: string) {
  return store.create({ v: 1, id, kind: 'retrain', minSamples: 0, mode: 'head', requestedAt: new Date().toISOString(), runner: 'worker' });
}

describe('JobStore claims: one process runs a job', () => {
  const dirs: string[] = [];
  const s3 = new TestS3('job-store-test');
  beforeAll(async () => {
    await s3.start();
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
  });
  afterAll(() => s3.stop());
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const fsStorage = () => {
    const dir = mkdtempSync(join(tmpdir(), 'job-store-'));
    dirs.push(dir);
    return new FsStorage(dir, new UrlSigner(Buffer.alloc(32, 1)));
  };

  it('eight processes claiming one queued job at once: exactly one wins (filesystem storage)', async () => {
    const storage = fsStorage();
    const t = { ms: Date.now() };
    const stores = Array.from({ length: 8 }, () => processStore(storage, clockAt(t)));
    const job = await queuedJob(stores[0], 'job-race');
    const results = await Promise.all(stores.map((s) => s.claim(job)));
    const winners = results.filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ state: 'running', claimedBy: expect.stringMatching(/:\d+$/) });
    expect((await stores[3].read('job-race'))?.state).toBe('running');
  });

  it('a second claim after the first fails, and a job no longer queued cannot be claimed (s3 storage)', async () => {
    const storage = new S3Storage(createS3Client({ endpoint: s3.endpoint, forcePathStyle: true }), s3.bucket);
    const t = { ms: Date.now() };
    const [api, w1, w2] = [0, 1, 2].map(() => processStore(storage, clockAt(t)));
    const job = await queuedJob(api, `job-s3-${Date.now()}`);
    expect(await w1.claim(job)).toMatchObject({ state: 'running' });
    expect(await w2.claim(job)).toBeUndefined();
    const other = await queuedJob(api, `job-s3-failed-${Date.now()}`);
    await api.fail(other, 'cancelled');
    expect(await w1.claim(other)).toBeUndefined();
  });

  it('a job claimed by a process that died before starting it is failed after the stale period, not left queued', async () => {
    const storage = fsStorage();
    const t = { ms: Date.now() };
    const api = processStore(storage, clockAt(t));
    const job = await queuedJob(api, 'job-orphan');
    await storage.createIfAbsent(claimKey(job.id), JSON.stringify({ token: 'dead', by: 'gone:1', at: new Date(t.ms).toISOString() }));
    expect((await api.active()).map((j) => j.id)).toEqual(['job-orphan']);
    t.ms += STALE_AFTER_MS + 60_000;
    expect(await api.active()).toEqual([]);
    expect(await api.read('job-orphan')).toMatchObject({ state: 'failed', error: expect.stringMatching(/claimed .* but never started/) });
  });
});
