import { unlink } from 'node:fs/promises';
import type { Logger } from '#shared/util/logger.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db.js';

export interface QuotaResult {
  usedBytes: number;
  deleted: number;
  freedBytes: number;
}

interface Candidate {
  id: string;
  path: string;
  bytes: number;
  label: string;
  upload_state: string;
  priority: number;
}

/**
 * Keeps the clip folder under its quota. Deletion order: clips already safe in
 * the bucket (oldest first), then clips not yet uploaded by ascending priority
 * (oldest first within a priority), so gunshot clips (highest priority) go last.
 * Every deletion is recorded in clip_deletions.
 */
export class ClipQuota {
  constructor(
    private readonly db: Db,
    private readonly quotaBytes: number,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  usedBytes(): number {
    return (this.db.prepare(`SELECT COALESCE(SUM(bytes), 0) AS b FROM clips WHERE deleted_at_ms IS NULL`).get() as { b: number }).b;
  }

  /** Deletes clips until `extraBytes` more would fit under the quota. */
  async enforce(extraBytes = 0): Promise<QuotaResult> {
    const used = this.usedBytes();
    if (this.quotaBytes <= 0 || used + extraBytes <= this.quotaBytes) return { usedBytes: used, deleted: 0, freedBytes: 0 };
    return this.deleteUntil((usedNow) => usedNow + extraBytes <= this.quotaBytes, 'quota');
  }

  /**
   * The disk itself is full (a write failed), whatever the quota says: frees at
   * least `bytes` by the same priority rules.
   */
  async freeBytes(bytes: number): Promise<QuotaResult> {
    const target = this.usedBytes() - bytes;
    return this.deleteUntil((usedNow) => usedNow <= target, 'disk full');
  }

  private async deleteUntil(done: (usedBytes: number) => boolean, why: string): Promise<QuotaResult> {
    let used = this.usedBytes();
    const result: QuotaResult = { usedBytes: used, deleted: 0, freedBytes: 0 };
    const candidates = this.db.prepare(
      `SELECT c.id, c.path, c.bytes, d.label, c.upload_state, c.priority FROM clips c JOIN detections d ON d.id = c.detection_id
       WHERE c.deleted_at_ms IS NULL
       ORDER BY CASE WHEN c.upload_state = 'uploaded' THEN 0 ELSE 1 END, c.priority ASC, c.created_at_ms ASC, c.id ASC`,
    ).all() as Candidate[];
    for (const c of candidates) {
      if (done(used)) break;
      await unlink(c.path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      const reason = c.upload_state === 'uploaded' ? `${why}: already uploaded` : `${why}: not uploaded, priority ${c.priority}`;
      this.record(c, reason);
      used -= c.bytes;
      result.deleted++;
      result.freedBytes += c.bytes;
    }
    result.usedBytes = used;
    if (result.deleted > 0) this.logger.warn({ deleted: result.deleted, freedBytes: result.freedBytes, quotaBytes: this.quotaBytes, why }, 'clips deleted to make room (lowest priority, oldest first)');
    return result;
  }

  private record(c: Candidate, reason: string): void {
    const now = this.clock.now();
    this.db.transaction(() => {
      this.db.prepare(`UPDATE clips SET deleted_at_ms = ?, deleted_reason = ? WHERE id = ?`).run(now, reason, c.id);
      this.db.prepare(
        `INSERT INTO clip_deletions (clip_id, path, bytes, label, was_uploaded, reason, deleted_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(c.id, c.path, c.bytes, c.label, c.upload_state === 'uploaded' ? 1 : 0, reason, now);
      if (c.upload_state !== 'uploaded') {
        this.db.prepare(`UPDATE outbox SET state = 'failed', last_error = ? WHERE dedupe_key = ? AND state IN ('pending', 'local')`).run(`clip deleted (${reason})`, `upload:${c.id}`);
      }
    })();
  }
}
