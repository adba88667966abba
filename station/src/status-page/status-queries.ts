import Database from 'better-sqlite3';

/** One recent detection with its clip, as the page lists it. */
export interface RecentDetection {
  id: string;
  label: string;
  startTimeMs: number;
  endTimeMs: number;
  confidence: number;
  shotCount: number | null;
  status: string;
  alert: boolean;
  clip: { id: string; bytes: number; durationSec: number; uploadState: string; codec: string; onDisk: boolean } | null;
}

export interface OutboxDepth {
  /** Items not yet done, by kind and state (pending, handed, failed, local). */
  byKind: Record<string, Record<string, number>>;
  /** The pending upload that failed last: why, and when it is tried again. */
  lastUploadError: { error: string; attempts: number; nextAttemptMs: number } | null;
  lastUploadAtMs: number | null;
}

export interface ClipFile {
  path: string;
  objectKey: string;
}

/**
 * The page's own read-only connection to the station database (WAL: readers never
 * block the writer). Every query is indexed or LIMITed, so each costs the
 * pipeline's thread well under a millisecond, however long the station has run.
 */
export class StatusQueries {
  private db: Database.Database | undefined;

  constructor(private readonly dbPath: string) {}

  open(): void {
    this.db = new Database(this.dbPath, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 50');
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }

  recentDetections(limit: number): RecentDetection[] {
    const rows = this.conn().prepare(`
      SELECT d.id, d.label, d.start_time_ms, d.end_time_ms, d.peak_confidence, d.shot_count, d.status, d.alert_id,
             c.id AS clip_id, c.bytes, c.duration_sec, c.upload_state, c.deleted_at_ms, c.object_key
      FROM (SELECT * FROM detections ORDER BY start_time_ms DESC LIMIT ?) d
      LEFT JOIN clips c ON c.detection_id = d.id
      ORDER BY d.start_time_ms DESC`).all(limit) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      id: String(r.id), label: String(r.label), startTimeMs: Number(r.start_time_ms), endTimeMs: Number(r.end_time_ms),
      confidence: Number(r.peak_confidence), shotCount: r.shot_count === null ? null : Number(r.shot_count), status: String(r.status),
      alert: r.alert_id !== null,
      clip: r.clip_id === null ? null : {
        id: String(r.clip_id), bytes: Number(r.bytes), durationSec: Number(r.duration_sec), uploadState: String(r.upload_state),
        codec: /\.(\w+)$/.exec(String(r.object_key))?.[1] ?? 'wav', onDisk: r.deleted_at_ms === null,
      },
    }));
  }

  outboxDepth(): OutboxDepth {
    const db = this.conn();
    const byKind: Record<string, Record<string, number>> = {};
    const rows = db.prepare(`SELECT kind, state, COUNT(*) AS n FROM outbox WHERE state != 'done' GROUP BY kind, state`).all() as Array<{ kind: string; state: string; n: number }>;
    for (const r of rows) (byKind[r.kind] ??= {})[r.state] = r.n;
    const failed = db.prepare(`SELECT last_error, attempts, next_attempt_at_ms FROM outbox
      WHERE state = 'pending' AND kind = 'upload' AND last_error IS NOT NULL ORDER BY next_attempt_at_ms LIMIT 1`).get() as { last_error: string; attempts: number; next_attempt_at_ms: number } | undefined;
    // The newest few hundred clips are enough to say when the last upload went through.
    const last = db.prepare(`SELECT MAX(uploaded_at_ms) AS t FROM (SELECT uploaded_at_ms FROM clips ORDER BY created_at_ms DESC LIMIT 500)`).get() as { t: number | null };
    return {
      byKind,
      lastUploadError: failed ? { error: failed.last_error, attempts: failed.attempts, nextAttemptMs: failed.next_attempt_at_ms } : null,
      lastUploadAtMs: last.t,
    };
  }

  clipFile(id: string): ClipFile | undefined {
    const row = this.conn().prepare(`SELECT path, object_key FROM clips WHERE id = ? AND deleted_at_ms IS NULL`).get(id) as { path: string; object_key: string } | undefined;
    return row ? { path: row.path, objectKey: row.object_key } : undefined;
  }

  private conn(): Database.Database {
    if (!this.db) throw new Error('status queries used before open()');
    return this.db;
  }
}
