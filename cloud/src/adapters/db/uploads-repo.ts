import type { IndexDb } from './index-db.js';

/** One uploaded original under `extracted_audio/<class>/`. */
export interface UploadRecord {
  key: string;
  class: string;
  name: string;
  bytes: number;
  createdAt: string;
}

export interface UploadsRepo {
  upsert(u: UploadRecord): Promise<void>;
  delete(key: string): Promise<void>;
  has(key: string): Promise<boolean>;
  list(filter: { class?: string; limit: number; offset: number }): Promise<{ items: UploadRecord[]; total: number }>;
  all(): Promise<UploadRecord[]>;
  countSince(cutoffIso: string): Promise<number>;
}

export class SqliteUploadsRepo implements UploadsRepo {
  private readonly db: IndexDb;

  constructor(db: IndexDb) {
    this.db = db;
  }

  async upsert(u: UploadRecord): Promise<void> {
    this.db.prepare(`INSERT INTO uploads (key, class, name, bytes, created_at) VALUES (@key, @class, @name, @bytes, @createdAt)
      ON CONFLICT (key) DO UPDATE SET class = excluded.class, name = excluded.name, bytes = excluded.bytes, created_at = excluded.created_at`).run(u);
  }

  async delete(key: string): Promise<void> {
    this.db.prepare('DELETE FROM uploads WHERE key = ?').run(key);
  }

  async has(key: string): Promise<boolean> {
    return this.db.prepare('SELECT 1 FROM uploads WHERE key = ?').get(key) !== undefined;
  }

  async list(filter: { class?: string; limit: number; offset: number }): Promise<{ items: UploadRecord[]; total: number }> {
    const where = filter.class ? 'WHERE class = @class' : '';
    const params = { class: filter.class ?? null, limit: filter.limit, offset: filter.offset };
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM uploads ${where}`).get(params) as { n: number }).n;
    const items = this.db.prepare(`SELECT key, class, name, bytes, created_at AS createdAt FROM uploads ${where}
      ORDER BY created_at DESC, key DESC LIMIT @limit OFFSET @offset`).all(params) as UploadRecord[];
    return { items, total };
  }

  async all(): Promise<UploadRecord[]> {
    return this.db.prepare('SELECT key, class, name, bytes, created_at AS createdAt FROM uploads ORDER BY key').all() as UploadRecord[];
  }

  async countSince(cutoffIso: string): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM uploads WHERE created_at > ?').get(cutoffIso) as { n: number }).n;
  }
}
