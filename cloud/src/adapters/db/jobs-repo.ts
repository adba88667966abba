import type { JobStatus } from '../../jobs/job-status.js';
import type { IndexDb } from './index-db.js';

/** Cache of job statuses (storage holds the truth; this serves listings quickly). */
export interface JobsRepo {
  upsert(s: JobStatus): Promise<void>;
  get(id: string): Promise<JobStatus | undefined>;
  list(limit: number): Promise<JobStatus[]>;
  active(): Promise<JobStatus[]>;
  /** The data cutoff of the newest finished job that consumed data. */
  lastDataCutoff(): Promise<string | undefined>;
  /**
   * Claims a queued job for `by` in the index itself; resolves true for exactly one
   * caller. Only an index every process shares has it (PostgreSQL: SELECT ... FOR
   * UPDATE SKIP LOCKED). SQLite leaves it out: each process has its own file (the
   * worker's is a copy), so there the claim object in the bucket decides.
   */
  claim?(id: string, by: string, atIso: string): Promise<boolean>;
}

export class SqliteJobsRepo implements JobsRepo {
  private readonly db: IndexDb;

  constructor(db: IndexDb) {
    this.db = db;
  }

  async upsert(s: JobStatus): Promise<void> {
    this.db.prepare(`INSERT INTO jobs (id, state, created_at, status_json) VALUES (?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET state = excluded.state, status_json = excluded.status_json
      WHERE json_extract(jobs.status_json, '$.seq') <= json_extract(excluded.status_json, '$.seq')`)
      .run(s.id, s.state, s.createdAt, JSON.stringify(s));
  }

  async get(id: string): Promise<JobStatus | undefined> {
    const row = this.db.prepare('SELECT status_json FROM jobs WHERE id = ?').get(id) as { status_json: string } | undefined;
    return row ? (JSON.parse(row.status_json) as JobStatus) : undefined;
  }

  async list(limit: number): Promise<JobStatus[]> {
    return (this.db.prepare('SELECT status_json FROM jobs ORDER BY created_at DESC, id DESC LIMIT ?').all(limit) as { status_json: string }[])
      .map((r) => JSON.parse(r.status_json) as JobStatus);
  }

  async active(): Promise<JobStatus[]> {
    return (this.db.prepare(`SELECT status_json FROM jobs WHERE state IN ('queued', 'running') ORDER BY created_at`).all() as { status_json: string }[])
      .map((r) => JSON.parse(r.status_json) as JobStatus);
  }

  async lastDataCutoff(): Promise<string | undefined> {
    const row = this.db.prepare(`SELECT MAX(json_extract(status_json, '$.result.dataCutoff')) AS cutoff FROM jobs WHERE state = 'succeeded'`)
      .get() as { cutoff: string | null };
    return row.cutoff ?? undefined;
  }
}
