import { rename, rm } from 'node:fs/promises';
import { SqliteDetectionsRepo } from './detections-repo.js';
import { openIndexDb, type IndexDb } from './index-db.js';
import { SqliteJobsRepo } from './jobs-repo.js';
import { SqliteLoggingRepo } from './logging-repo.js';
import { SqliteReleasesRepo } from './releases-repo.js';
import type { IndexRebuild, OpenedIndex, Repos } from './repos.js';
import { SqliteStationsRepo } from './stations-repo.js';
import { SqliteUploadsRepo } from './uploads-repo.js';

/** Opens (creating and migrating if needed) the SQLite index file and its repositories. */
export function openSqliteIndex(path: string): OpenedIndex {
  const { db, created } = openIndexDb(path);
  return { created, repos: sqliteRepos(db) };
}

export function sqliteRepos(db: IndexDb): Repos {
  return {
    engine: 'sqlite',
    stations: new SqliteStationsRepo(db),
    uploads: new SqliteUploadsRepo(db),
    detections: new SqliteDetectionsRepo(db),
    jobs: new SqliteJobsRepo(db),
    releases: new SqliteReleasesRepo(db),
    logging: new SqliteLoggingRepo(db),
    async close() {
      if (!db.open) return;
      // Fold the WAL back into the file, so the file alone is the whole index (reindex renames it).
      if (db.name !== ':memory:') db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

/**
 * Rebuilds into `<path>.rebuild-<pid>` and renames it over the live file: a
 * running service keeps reading its open (old) file until it restarts.
 */
export async function rebuildSqliteIndex(path: string): Promise<IndexRebuild> {
  const tmp = `${path}.rebuild-${process.pid}`;
  await removeDbFiles(tmp);
  const { repos } = openSqliteIndex(tmp);
  return {
    repos,
    async commit() {
      await repos.close();
      for (const suffix of ['-wal', '-shm']) await rm(`${path}${suffix}`, { force: true });
      await rename(tmp, path);
      await removeDbFiles(tmp);
      return path;
    },
    async discard() {
      await repos.close();
      await removeDbFiles(tmp);
    },
  };
}

async function removeDbFiles(path: string): Promise<void> {
  for (const suffix of ['', '-wal', '-shm']) await rm(`${path}${suffix}`, { force: true });
}
