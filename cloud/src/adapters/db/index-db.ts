import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations.js';

export type IndexDb = Database.Database;

export interface OpenedIndexDb {
  db: IndexDb;
  /** True when the file did not exist before (a fresh disk): the caller should reindex from storage. */
  created: boolean;
}

/**
 * Opens (creating if needed) the SQLite index in WAL mode and applies pending
 * migrations in one transaction each.
 */
export function openIndexDb(path: string): OpenedIndexDb {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const created = path === ':memory:' || !existsSync(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return { db, created };
}

export function migrate(db: IndexDb): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`index schema version ${current} is newer than this software (${MIGRATIONS.length}); run a newer version or reindex`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
