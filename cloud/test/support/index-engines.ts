import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { postgresUnavailable, TestPostgres } from '#testkit/postgres.js';
import { openIndexDb } from '../../src/adapters/db/index-db.js';
import { openPostgresIndex } from '../../src/adapters/db/postgres/pg-index.js';
import type { IndexEngine, Repos } from '../../src/adapters/db/repos.js';
import { sqliteRepos } from '../../src/adapters/db/sqlite-index.js';

/** Both engines the index runs on, for describe.each. */
export const INDEX_ENGINES: readonly IndexEngine[] = ['sqlite', 'postgres'];

/** Why an engine's cases are skipped here (PostgreSQL without its binaries), or undefined. */
export function engineUnavailable(engine: IndexEngine): string | undefined {
  const reason = engine === 'postgres' ? postgresUnavailable() : undefined;
  if (reason) console.warn(reason);
  return reason;
}

/**
 * Registers the engine's server for the enclosing describe (PostgreSQL: one
 * private server, started before and removed after) and returns a function that
 * opens a fresh, empty index each call (SQLite in memory; PostgreSQL: its own schema).
 */
export function freshIndexes(engine: IndexEngine): () => Promise<Repos> {
  const opened: Repos[] = [];
  let server: TestPostgres | undefined;
  let schemas = 0;
  if (engine === 'postgres') {
    beforeAll(async () => {
      server = new TestPostgres();
      await server.start();
    }, 120_000);
  }
  afterAll(async () => {
    for (const repos of opened) await repos.close();
    await server?.stop();
  });
  return async () => {
    const repos = engine === 'sqlite'
      ? sqliteRepos(openIndexDb(':memory:').db)
      : (await openPostgresIndex({ url: (server as TestPostgres).url(), schema: `t${++schemas}` })).repos;
    opened.push(repos);
    return repos;
  };
}

/** A database of its own on a private PostgreSQL server, for a whole cloud (DATABASE_URL). */
export function privatePostgres(): { url(): Promise<string>; server: TestPostgres } {
  const server = new TestPostgres();
  beforeAll(() => server.start(), 120_000);
  afterAll(() => server.stop());
  return { server, url: () => server.createDatabase() };
}

/** Drops the index's schema (and everything in it), as if the database had been emptied. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
