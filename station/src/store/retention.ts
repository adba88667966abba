import { unlink } from 'node:fs/promises';
import type { Db } from '../core/db.js';

export interface RetentionPolicy {
  /** Settled rows older than this are pruned; 0 keeps them forever. */
  maxAgeMs: number;
  /** Bound on the database's live pages: above it, settled rows go oldest first before maxAgeMs; 0 = no bound. */
  maxDbBytes: number;
}

export interface PruneCounts {
  outbox: number;
  detections: number;
  clipFiles: number;
  alerts: number;
  segments: number;
  gaps: number;
  clipDeletions: number;
}

export interface RetentionResult extends PruneCounts {
  /** Live bytes of the database (pages in use) after the pass. */
  dbBytes: number;
}

/** Outbox states of items not yet delivered: kept whatever their age. `done` and `failed` are settled. */
const UNDELIVERED = `('pending', 'handed', 'local')`;
const SETTLED_BATCH = 500;

/**
 * Keeps station.db bounded. What is not yet delivered (outbox items pending,
 * handed to the MQTT layer or kept local; clips not uploaded; the detections
 * and alerts those belong to; open segments) is kept forever. What is settled
 * (messages sent, clips uploaded, failures recorded) goes after `maxAgeMs`, or
 * sooner, oldest first, while the database is over `maxDbBytes`. The local copy
 * of an uploaded clip goes with its row (the bucket has it). SQLite reuses the
 * freed pages, so the file stops growing; it does not shrink.
 */
export class StoreRetention {
  constructor(private readonly db: Db, private readonly policy: RetentionPolicy) {}

  async prune(nowMs: number): Promise<RetentionResult> {
    const counts = emptyCounts();
    if (this.policy.maxAgeMs > 0) add(counts, await this.pruneSettled(nowMs - this.policy.maxAgeMs));
    // Over the size bound: halve the age until the settled rows that remain fit (oldest go first).
    for (let ageMs = this.policy.maxAgeMs || 30 * 86_400_000; this.overSize() && ageMs >= 60_000; ageMs = Math.floor(ageMs / 2)) {
      add(counts, await this.pruneSettled(nowMs - ageMs));
    }
    if (this.overSize()) add(counts, await this.pruneSettled(nowMs + 1));
    return { ...counts, dbBytes: this.dbBytes() };
  }

  /** Bytes in pages that hold data (the file may be larger: freed pages wait for reuse). */
  dbBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * (this.db.pragma('page_size', { simple: true }) as number);
  }

  private overSize(): boolean {
    return this.policy.maxDbBytes > 0 && this.dbBytes() > this.policy.maxDbBytes;
  }

  /** Removes everything settled before `cutoffMs`. */
  private async pruneSettled(cutoffMs: number): Promise<PruneCounts> {
    const counts = emptyCounts();
    counts.outbox = this.db.prepare(
      `DELETE FROM outbox WHERE state NOT IN ${UNDELIVERED} AND COALESCE(done_at_ms, created_at_ms) < ?`,
    ).run(cutoffMs).changes;
    for (;;) {
      const batch = this.settledDetections(cutoffMs);
      if (batch.length === 0) break;
      // Files first: a crash in between leaves a row whose uploaded file is gone (pruned again
      // next pass), never a file no row knows about (which the clip quota could not see).
      for (const d of batch) {
        if (d.clip_path === null) continue;
        await unlink(d.clip_path).then(() => counts.clipFiles++, (err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
      }
      this.db.transaction(() => {
        for (const d of batch) {
          this.db.prepare(`DELETE FROM clips WHERE detection_id = ?`).run(d.id);
          counts.detections += this.db.prepare(`DELETE FROM detections WHERE id = ?`).run(d.id).changes;
        }
      })();
      if (batch.length < SETTLED_BATCH) break;
    }
    this.db.transaction(() => {
      counts.alerts = this.db.prepare(
        `DELETE FROM alerts WHERE last_time_ms < ?
         AND NOT EXISTS (SELECT 1 FROM detections d WHERE d.alert_id = alerts.id)
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedupe_key = 'alert:' || alerts.id AND o.state IN ${UNDELIVERED})`,
      ).run(cutoffMs).changes;
      counts.segments = this.db.prepare(
        `DELETE FROM segments WHERE status != 'open' AND COALESCE(closed_at_ms, opened_at_ms) < ?
         AND NOT EXISTS (SELECT 1 FROM detections d WHERE d.segment_id = segments.id)`,
      ).run(cutoffMs).changes;
      counts.gaps = this.db.prepare(`DELETE FROM source_gaps WHERE recorded_at_ms < ?`).run(cutoffMs).changes;
      counts.clipDeletions = this.db.prepare(`DELETE FROM clip_deletions WHERE deleted_at_ms < ?`).run(cutoffMs).changes;
    })();
    return counts;
  }

  /**
   * Closed detections last touched before `cutoffMs` whose messages, alert and
   * upload are all settled, and whose clip is uploaded or already deleted.
   */
  private settledDetections(cutoffMs: number): Array<{ id: string; clip_path: string | null }> {
    return this.db.prepare(
      `SELECT d.id, (SELECT c.path FROM clips c WHERE c.detection_id = d.id AND c.deleted_at_ms IS NULL) AS clip_path
       FROM detections d
       WHERE d.status != 'open' AND d.updated_at_ms < @cutoff
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.state IN ${UNDELIVERED} AND o.dedupe_key IN
           ('event:' || d.id || ':start', 'event:' || d.id || ':update', 'event:' || d.id || ':end', 'upload:' || d.id))
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE d.alert_id IS NOT NULL AND o.dedupe_key = 'alert:' || d.alert_id AND o.state IN ${UNDELIVERED})
         AND NOT EXISTS (SELECT 1 FROM clips c WHERE c.detection_id = d.id AND c.deleted_at_ms IS NULL AND c.upload_state != 'uploaded')
       ORDER BY d.updated_at_ms LIMIT ${SETTLED_BATCH}`,
    ).all({ cutoff: cutoffMs }) as Array<{ id: string; clip_path: string | null }>;
  }
}

function emptyCounts(): PruneCounts {
  return { outbox: 0, detections: 0, clipFiles: 0, alerts: 0, segments: 0, gaps: 0, clipDeletions: 0 };
}

function add(into: PruneCounts, more: PruneCounts): void {
  for (const k of Object.keys(into) as Array<keyof PruneCounts>) into[k] += more[k];
}
