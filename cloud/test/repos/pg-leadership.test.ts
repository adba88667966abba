/**
 * Ingest leadership on PostgreSQL: of several instances one holds the
 * advisory lock; when its session ends (it stops, or its connection dies),
 * another takes over within an interval.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '#shared/util/logger.js';
import { waitFor } from '#testkit/ports.js';
import { PgAdvisoryLeadership } from '../../src/adapters/pg-leadership.js';
import { engineUnavailable, privatePostgres } from '../support/index-engines.js';

const unavailable = engineUnavailable('postgres');

describe.skipIf(unavailable !== undefined)('PgAdvisoryLeadership', () => {
  const db = privatePostgres();
  const logger = createLogger({ name: 'leadership-test', level: 'silent' });
  const pools: pg.Pool[] = [];
  const instances: PgAdvisoryLeadership[] = [];
  afterAll(async () => {
    // Stopped first (a failed assertion leaves them running), so that their pools can end.
    for (const l of instances) await l.stop();
    for (const p of pools) await p.end().catch(() => undefined);
  });

  it('one instance leads; the next takes over when it stops or its session is killed', async () => {
    const url = await db.url();
    const make = () => {
      const pool = new pg.Pool({ connectionString: url, max: 3 });
      pool.on('error', () => undefined);
      pools.push(pool);
      const changes: boolean[] = [];
      const leadership = new PgAdvisoryLeadership(pool, logger, { intervalMs: 100 });
      leadership.start((leading) => changes.push(leading));
      instances.push(leadership);
      return { leadership, changes };
    };
    const a = make();
    await waitFor(() => a.leadership.leading || undefined, 5_000, 'the first instance to lead');
    const b = make();
    const c = make();
    await new Promise((r) => setTimeout(r, 500));
    expect([a.leadership.leading, b.leadership.leading, c.leadership.leading]).toEqual([true, false, false]);

    // A stops (a clean shutdown): exactly one of the others takes over.
    await a.leadership.stop();
    expect(a.changes).toEqual([true, false]);
    await waitFor(() => (b.leadership.leading || c.leadership.leading) || undefined, 5_000, 'a follower to take over');
    await new Promise((r) => setTimeout(r, 300));
    expect(Number(b.leadership.leading) + Number(c.leadership.leading)).toBe(1);
    const [leader, follower] = b.leadership.leading ? [b, c] : [c, b];

    // The leader's database session is killed (a crash, a network cut): it steps down and the follower leads.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted");
    await admin.end();
    await waitFor(() => (!leader.leadership.leading && follower.leadership.leading) || undefined, 5_000, 'the follower to lead after the kill');
    await leader.leadership.stop();
    await follower.leadership.stop();
    expect(follower.changes).toEqual([true, false]);
  }, 60_000);
});
