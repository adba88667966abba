import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresIndex } from '../../src/adapters/db/postgres/pg-index.js';
import { engineUnavailable, privatePostgres } from '../support/index-engines.js';

describe('the PostgreSQL index across a server restart', () => {
  const unavailable = engineUnavailable('postgres');
  if (unavailable) return void it.skip(unavailable);
  const postgres = privatePostgres();
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers) await close();
  });

  it('reports the cut idle connections, does not crash, and serves again from the next query', async () => {
    const lost: string[] = [];
    const { repos } = await openPostgresIndex({ url: await postgres.url(), schema: 'ecosight', onIdleError: (err) => lost.push(err.message) });
    closers.push(() => repos.close());
    await repos.releases.setLatest('2026.01.01-1');
    // Two idle connections in the pool when the server goes away.
    await Promise.all([repos.releases.latest(), repos.stations.list()]);
    await postgres.server.restart();
    await new Promise((r) => setTimeout(r, 200));
    expect(lost.length).toBeGreaterThan(0);
    expect(await repos.releases.latest()).toBe('2026.01.01-1');
  });
});
