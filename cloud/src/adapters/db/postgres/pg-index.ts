import type { IndexRebuild, OpenedIndex, Repos } from '../repos.js';
import { createPgPool, PgDb, type PgTarget } from './pg-db.js';
import { PG_MIGRATIONS } from './pg-migrations.js';
import { PgDetectionsRepo } from './pg-detections-repo.js';
import { PgJobsRepo, PgReleasesRepo } from './pg-jobs-releases-repo.js';
import { PgLoggingRepo } from './pg-logging-repo.js';
import { PgStationsRepo } from './pg-stations-repo.js';
import { PgUploadsRepo } from './pg-uploads-repo.js';

/**
 * Connects to the PostgreSQL index, creating its schema and applying pending
 * migrations first (several API instances may start at once: an advisory lock
 * lets one migrate while the others wait).
 */
export async function openPostgresIndex(target: PgTarget): Promise<OpenedIndex> {
  const pool = createPgPool(target);
  const db = new PgDb(pool);
  try {
    const applied = await migratePg(db, target.schema);
    return { created: applied.from === 0, repos: pgRepos(db), pgPool: pool };
  } catch (err) {
    await db.close();
    throw err;
  }
}

export function pgRepos(db: PgDb): Repos {
  return {
    engine: 'postgres',
    stations: new PgStationsRepo(db),
    uploads: new PgUploadsRepo(db),
    detections: new PgDetectionsRepo(db),
    jobs: new PgJobsRepo(db),
    releases: new PgReleasesRepo(db),
    logging: new PgLoggingRepo(db),
    close: () => db.close(),
  };
}

/** Applies pending migrations in one transaction; resolves to the versions before and after. */
export async function migratePg(db: PgDb, schema: string): Promise<{ from: number; to: number }> {
  return db.transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ecosight-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`SET LOCAL search_path TO ${schema}`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    const from = rows[0]?.v ?? 0;
    if (from > PG_MIGRATIONS.length) {
      throw new Error(`index schema version ${from} is newer than this software (${PG_MIGRATIONS.length}); run a newer version or reindex`);
    }
    for (let v = from; v < PG_MIGRATIONS.length; v++) {
      await client.query(PG_MIGRATIONS[v]);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [v + 1]);
    }
    return { from, to: PG_MIGRATIONS.length };
  });
}

/**
 * Rebuilds into a schema of its own (`<schema>_rebuild_<pid>`), then swaps it
 * in within one transaction: instances keep serving the old tables until the
 * swap and see the new ones from their next statement on.
 */
export async function rebuildPostgresIndex(target: PgTarget): Promise<IndexRebuild> {
  const rebuild = { ...target, schema: `${target.schema}_rebuild_${process.pid}`, maxConnections: 2 };
  const scratch = new PgDb(createPgPool(rebuild));
  try {
    await scratch.run(`DROP SCHEMA IF EXISTS ${rebuild.schema} CASCADE`);
    await migratePg(scratch, rebuild.schema);
  } catch (err) {
    await scratch.close();
    throw err;
  }
  const repos = pgRepos(scratch);
  return {
    repos,
    async commit() {
      await scratch.transaction(async (client) => {
        await client.query(`DROP SCHEMA IF EXISTS ${target.schema} CASCADE`);
        await client.query(`ALTER SCHEMA ${rebuild.schema} RENAME TO ${target.schema}`);
      });
      await scratch.close();
      return `PostgreSQL schema ${target.schema}`;
    },
    async discard() {
      await scratch.run(`DROP SCHEMA IF EXISTS ${rebuild.schema} CASCADE`).catch(() => undefined);
      await scratch.close();
    },
  };
}
