import { compareVersions } from '#shared/model/metadata.js';
import type { ReleaseRecord } from '#shared/release/record.js';
import type { IndexDb } from './index-db.js';

export interface ReleasesRepo {
  upsert(r: ReleaseRecord): Promise<void>;
  get(version: string): Promise<ReleaseRecord | undefined>;
  /** Newest version first. */
  list(): Promise<ReleaseRecord[]>;
  setLatest(version: string | undefined): Promise<void>;
  latest(): Promise<string | undefined>;
}

export class SqliteReleasesRepo implements ReleasesRepo {
  private readonly db: IndexDb;

  constructor(db: IndexDb) {
    this.db = db;
  }

  async upsert(r: ReleaseRecord): Promise<void> {
    this.db.prepare(`INSERT INTO releases (version, status, created_at, release_json) VALUES (?, ?, ?, ?)
      ON CONFLICT (version) DO UPDATE SET status = excluded.status, created_at = excluded.created_at, release_json = excluded.release_json`)
      .run(r.version, r.status, r.createdAt, JSON.stringify(r));
  }

  async get(version: string): Promise<ReleaseRecord | undefined> {
    const row = this.db.prepare('SELECT release_json FROM releases WHERE version = ?').get(version) as { release_json: string } | undefined;
    return row ? (JSON.parse(row.release_json) as ReleaseRecord) : undefined;
  }

  async list(): Promise<ReleaseRecord[]> {
    return (this.db.prepare('SELECT release_json FROM releases').all() as { release_json: string }[])
      .map((r) => JSON.parse(r.release_json) as ReleaseRecord)
      .sort((a, b) => compareVersions(b.version, a.version));
  }

  async setLatest(version: string | undefined): Promise<void> {
    if (version === undefined) this.db.prepare(`DELETE FROM settings WHERE key = 'latest_release'`).run();
    else this.db.prepare(`INSERT INTO settings (key, value) VALUES ('latest_release', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(version);
  }

  async latest(): Promise<string | undefined> {
    const row = this.db.prepare(`SELECT value FROM settings WHERE key = 'latest_release'`).get() as { value: string } | undefined;
    return row?.value;
  }
}
