import type { UploadRecord, UploadsRepo } from '../uploads-repo.js';
import type { PgDb } from './pg-db.js';

const COLUMNS = 'key, class, name, bytes, created_at AS "createdAt"';

export class PgUploadsRepo implements UploadsRepo {
  private readonly db: PgDb;

  constructor(db: PgDb) {
    this.db = db;
  }

  async upsert(u: UploadRecord): Promise<void> {
    await this.db.run(`INSERT INTO uploads (key, class, name, bytes, created_at) VALUES (@key, @class, @name, @bytes, @createdAt)
      ON CONFLICT (key) DO UPDATE SET class = excluded.class, name = excluded.name, bytes = excluded.bytes, created_at = excluded.created_at`,
    { key: u.key, class: u.class, name: u.name, bytes: u.bytes, createdAt: u.createdAt });
  }

  async delete(key: string): Promise<void> {
    await this.db.run('DELETE FROM uploads WHERE key = @key', { key });
  }

  async has(key: string): Promise<boolean> {
    return (await this.db.one('SELECT 1 FROM uploads WHERE key = @key', { key })) !== undefined;
  }

  async list(filter: { class?: string; limit: number; offset: number }): Promise<{ items: UploadRecord[]; total: number }> {
    const where = filter.class ? 'WHERE class = @class' : '';
    const params = filter.class ? { class: filter.class } : {};
    const total = (await this.db.one<{ n: number }>(`SELECT COUNT(*) AS n FROM uploads ${where}`, params))?.n ?? 0;
    const items = await this.db.rows<UploadRecord>(`SELECT ${COLUMNS} FROM uploads ${where}
      ORDER BY created_at DESC, key DESC LIMIT @limit OFFSET @offset`, { ...params, limit: filter.limit, offset: filter.offset });
    return { items, total };
  }

  async all(): Promise<UploadRecord[]> {
    return this.db.rows<UploadRecord>(`SELECT ${COLUMNS} FROM uploads ORDER BY key`);
  }

  async countSince(cutoffIso: string): Promise<number> {
    return (await this.db.one<{ n: number }>('SELECT COUNT(*) AS n FROM uploads WHERE created_at > @cutoff', { cutoff: cutoffIso }))?.n ?? 0;
  }
}
