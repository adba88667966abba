import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '#shared/util/clock.js';
import { openIndexDb } from '../src/adapters/db/index-db.js';
import { openPostgresIndex } from '../src/adapters/db/postgres/pg-index.js';
import type { Repos } from '../src/adapters/db/repos.js';
import { sqliteRepos } from '../src/adapters/db/sqlite-index.js';
import { LiveHub } from '../src/adapters/live-hub.js';
import { UrlSigner } from '../src/adapters/storage/fs-presigner.js';
import { FsStorage } from '../src/adapters/storage/fs-storage.js';
import type { ObjectStorage } from '../src/adapters/storage/object-storage.js';
import { JobStore } from '../src/jobs/job-store.js';
import { engineUnavailable, INDEX_ENGINES, privatePostgres } from './support/index-engines.js';

/** Storage whose conditional create always "succeeds" without writing: a claim object can settle nothing. */
function unconditional(storage: ObjectStorage): ObjectStorage {
  return Object.assign(Object.create(storage) as ObjectStorage, { createIfAbsent: async () => true });
}

// Eight processes (API instances and workers), each with its own JobStore and index
// connection, race for one queued job.
describe.each(INDEX_ENGINES)('retrain job claims on %s', (engine) => {
  const unavailable = engineUnavailable(engine);
  if (unavailable) return void it.skip(unavailable);
  const postgres = engine === 'postgres' ? privatePostgres() : undefined;
  const opened: Repos[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const repos of opened) await repos.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** `n` processes on one storage folder: PostgreSQL shares one database, SQLite gives each its own file (as today). */
  async function processes(n: number, wrap: (s: ObjectStorage) => ObjectStorage = (s) => s): Promise<JobStore[]> {
    const dir = mkdtempSync(join(tmpdir(), 'ecosight-claims-'));
    dirs.push(dir);
    const storage = wrap(new FsStorage(dir, new UrlSigner(Buffer.alloc(32, 1))));
    const url = postgres ? await postgres.url() : '';
    const stores: JobStore[] = [];
    for (let i = 0; i < n; i++) {
      const repos = postgres ? (await openPostgresIndex({ url, schema: 'ecosight' })).repos : sqliteRepos(openIndexDb(':memory:').db);
      opened.push(repos);
      stores.push(new JobStore({ storage, jobs: repos.jobs, live: new LiveHub(), clock: systemClock }));
    }
    return stores;
  }

  const queue = (store: JobStore, id: string) =>
    store.create({ v: 1, id, kind: 'retrain', minSamples: 0, mode: 'head', requestedAt: new Date().toISOString(), runner: 'worker' });

  it('exactly one of eight wins, and the job then runs under its name', async () => {
    const stores = await processes(8);
    const job = await queue(stores[0], 'job-race');
    const results = await Promise.all(stores.map((s) => s.claim(job)));
    const winners = results.filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ state: 'running', claimedBy: expect.stringMatching(/:\d+$/) });
    expect((await stores[5].read('job-race'))?.state).toBe('running');
    expect(await stores[1].claim(job)).toBeUndefined();
  });

  it.runIf(engine === 'postgres')('is decided by the database (SKIP LOCKED), even where storage cannot make a claim exclusive', async () => {
    const stores = await processes(8, unconditional);
    for (let round = 0; round < 5; round++) {
      const job = await queue(stores[round], `job-round-${round}`);
      const winners = (await Promise.all(stores.map((s) => s.claim(job)))).filter((r) => r !== undefined);
      expect(winners, `round ${round}`).toHaveLength(1);
    }
  });
});
