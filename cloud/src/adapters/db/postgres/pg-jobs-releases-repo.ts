import { compareVersions } from '#shared/model/metadata.js';
import type { ReleaseRecord } from '#shared/release/record.js';
import type { JobStatus } from '../../../jobs/job-status.js';
import type { JobsRepo } from '../jobs-repo.js';
import type { ReleasesRepo } from '../releases-repo.js';
import type { PgDb } from './pg-db.js';

/** Job statuses as JSON text (like SQLite), read with jsonb operators where a field decides. */
export class PgJobsRepo implements JobsRepo {
  private readonly db: PgDb;

  constructor(db: PgDb) {
    this.db = db;
  }

  async upsert(s: JobStatus): Promise<void> {
    // A status only replaces an older one (by seq): writers racing from two instances cannot go back in time.
    await this.db.run(`INSERT INTO jobs (id, state, created_at, status_json) VALUES (@id, @state, @createdAt, @json)
      ON CONFLICT (id) DO UPDATE SET state = excluded.state, status_json = excluded.status_json
      WHERE (jobs.status_json::jsonb ->> 'seq')::numeric <= (excluded.status_json::jsonb ->> 'seq')::numeric`,
    { id: s.id, state: s.state, createdAt: s.createdAt, json: JSON.stringify(s) });
  }

  async get(id: string): Promise<JobStatus | undefined> {
    const row = await this.db.one<{ status_json: string }>('SELECT status_json FROM jobs WHERE id = @id', { id });
    return row ? (JSON.parse(row.status_json) as JobStatus) : undefined;
  }

  async list(limit: number): Promise<JobStatus[]> {
    return parse(await this.db.rows<{ status_json: string }>('SELECT status_json FROM jobs ORDER BY created_at DESC, id DESC LIMIT @limit', { limit }));
  }

  async active(): Promise<JobStatus[]> {
    return parse(await this.db.rows<{ status_json: string }>(`SELECT status_json FROM jobs WHERE state IN ('queued', 'running') ORDER BY created_at`));
  }

  async lastDataCutoff(): Promise<string | undefined> {
    const row = await this.db.one<{ cutoff: string | null }>(`SELECT MAX((status_json::jsonb #>> '{result,dataCutoff}') COLLATE "C") AS cutoff
      FROM jobs WHERE state = 'succeeded'`);
    return row?.cutoff ?? undefined;
  }

  async claim(id: string, by: string, atIso: string): Promise<boolean> {
    // A racing claimer skips the row this one has locked rather than waiting for it, and
    // finds it claimed afterwards: one statement, one winner, no lock held past it.
    const won = await this.db.one<{ id: string }>(`UPDATE jobs SET claimed_by = @by, claimed_at = @at
      WHERE id = (SELECT id FROM jobs WHERE id = @id AND state = 'queued' AND claimed_by IS NULL FOR UPDATE SKIP LOCKED)
      RETURNING id`, { id, by, at: atIso });
    return won !== undefined;
  }
}

export class PgReleasesRepo implements ReleasesRepo {
  private readonly db: PgDb;

  constructor(db: PgDb) {
    this.db = db;
  }

  async upsert(r: ReleaseRecord): Promise<void> {
    await this.db.run(`INSERT INTO releases (version, status, created_at, release_json) VALUES (@version, @status, @createdAt, @json)
      ON CONFLICT (version) DO UPDATE SET status = excluded.status, created_at = excluded.created_at, release_json = excluded.release_json`,
    { version: r.version, status: r.status, createdAt: r.createdAt, json: JSON.stringify(r) });
  }

  async get(version: string): Promise<ReleaseRecord | undefined> {
    const row = await this.db.one<{ release_json: string }>('SELECT release_json FROM releases WHERE version = @version', { version });
    return row ? (JSON.parse(row.release_json) as ReleaseRecord) : undefined;
  }

  async list(): Promise<ReleaseRecord[]> {
    return (await this.db.rows<{ release_json: string }>('SELECT release_json FROM releases'))
      .map((r) => JSON.parse(r.release_json) as ReleaseRecord)
      .sort((a, b) => compareVersions(b.version, a.version));
  }

  async setLatest(version: string | undefined): Promise<void> {
    if (version === undefined) await this.db.run(`DELETE FROM settings WHERE key = 'latest_release'`);
    else await this.db.run(`INSERT INTO settings (key, value) VALUES ('latest_release', @version) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, { version });
  }

  async latest(): Promise<string | undefined> {
    return (await this.db.one<{ value: string }>(`SELECT value FROM settings WHERE key = 'latest_release'`))?.value;
  }
}

const parse = (rows: { status_json: string }[]) => rows.map((r) => JSON.parse(r.status_json) as JobStatus);
