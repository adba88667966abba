import type { Db } from '../core/db.js';

/** Kinds of side effect the station performs from the outbox. */
export type OutboxKind = 'alert' | 'event' | 'upload' | 'confirm' | 'status' | 'logging';

export interface OutboxItem<P = unknown> {
  id: number;
  kind: OutboxKind;
  dedupeKey: string;
  payload: P;
  priority: number;
  attempts: number;
  nextAttemptAtMs: number;
  createdAtMs: number;
  lastError: string | null;
}

export interface OutboxCounts {
  pending: Record<OutboxKind, number>;
  failed: number;
  local: number;
}

interface Row {
  id: number;
  kind: OutboxKind;
  dedupe_key: string;
  payload_json: string;
  priority: number;
  attempts: number;
  next_attempt_at_ms: number;
  created_at_ms: number;
  last_error: string | null;
}

/**
 * The durable to-do list of side effects. An item is written in the same
 * transaction as the fact that caused it, so a crash can delay an upload or a
 * message but never lose one; `dedupe_key` makes enqueueing idempotent.
 */
export class Outbox {
  private readonly listeners = new Set<(kind: OutboxKind) => void>();

  constructor(private readonly db: Db) {}

  /** Adds an item unless one with the same key exists. Returns true when added. Call inside the caller's transaction. */
  enqueue(kind: OutboxKind, dedupeKey: string, payload: unknown, nowMs: number, options: { priority?: number; state?: 'pending' | 'local' } = {}): boolean {
    const result = this.db.prepare(
      `INSERT INTO outbox (kind, dedupe_key, payload_json, priority, state, next_attempt_at_ms, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
    ).run(kind, dedupeKey, JSON.stringify(payload), options.priority ?? 0, options.state ?? 'pending', nowMs, nowMs);
    if (result.changes > 0) this.notifyLater(kind);
    return result.changes > 0;
  }

  /** Adds or, while still pending, replaces the payload (coalesces `update` messages). */
  upsertPending(kind: OutboxKind, dedupeKey: string, payload: unknown, nowMs: number, priority = 0): void {
    this.db.prepare(
      `INSERT INTO outbox (kind, dedupe_key, payload_json, priority, state, next_attempt_at_ms, created_at_ms)
       VALUES (?, ?, ?, ?, 'pending', ?, ?)
       ON CONFLICT (dedupe_key) DO UPDATE SET payload_json = excluded.payload_json WHERE outbox.state = 'pending'`,
    ).run(kind, dedupeKey, JSON.stringify(payload), priority, nowMs, nowMs);
    this.notifyLater(kind);
  }

  /** Items of `kind` due at `nowMs`, highest priority then oldest first. */
  due<P>(kind: OutboxKind, nowMs: number, limit: number): OutboxItem<P>[] {
    const rows = this.db.prepare(
      `SELECT * FROM outbox WHERE state = 'pending' AND kind = ? AND next_attempt_at_ms <= ?
       ORDER BY priority DESC, id ASC LIMIT ?`,
    ).all(kind, nowMs, limit) as Row[];
    return rows.map((r) => toItem<P>(r));
  }

  /** Earliest next attempt among pending items of `kind`, or undefined. */
  nextDueAt(kind: OutboxKind): number | undefined {
    const row = this.db.prepare(`SELECT MIN(next_attempt_at_ms) AS t FROM outbox WHERE state = 'pending' AND kind = ?`).get(kind) as { t: number | null };
    return row.t ?? undefined;
  }

  get(dedupeKey: string): (OutboxItem & { state: string }) | undefined {
    const row = this.db.prepare(`SELECT * FROM outbox WHERE dedupe_key = ?`).get(dedupeKey) as (Row & { state: string }) | undefined;
    return row ? { ...toItem(row), state: row.state } : undefined;
  }

  getById<P>(id: number): OutboxItem<P> | undefined {
    const row = this.db.prepare(`SELECT * FROM outbox WHERE id = ?`).get(id) as Row | undefined;
    return row ? toItem<P>(row) : undefined;
  }

  markDone(id: number, nowMs: number): void {
    this.db.prepare(`UPDATE outbox SET state = 'done', done_at_ms = ?, last_error = NULL WHERE id = ?`).run(nowMs, id);
  }

  /** Retry later: the link is down or the server busy. Not a failure. */
  defer(id: number, error: string, nextAttemptAtMs: number): void {
    this.db.prepare(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at_ms = ? WHERE id = ?`).run(error, nextAttemptAtMs, id);
  }

  /** Give up: the item can never succeed (e.g. its clip was deleted). */
  markFailed(id: number, error: string): void {
    this.db.prepare(`UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?`).run(error, id);
  }

  /** Re-enables local-only items (a bucket was configured after they were made). */
  promoteLocal(kind: OutboxKind, nowMs: number): number {
    return this.db.prepare(`UPDATE outbox SET state = 'pending', next_attempt_at_ms = ? WHERE state = 'local' AND kind = ?`).run(nowMs, kind).changes;
  }

  counts(): OutboxCounts {
    const rows = this.db.prepare(`SELECT kind, state, COUNT(*) AS n FROM outbox WHERE state != 'done' GROUP BY kind, state`).all() as Array<{ kind: OutboxKind; state: string; n: number }>;
    // `handed` items are owed by the MQTT layer (stored QoS handshakes): still pending work.
    const counts: OutboxCounts = { pending: { alert: 0, event: 0, upload: 0, confirm: 0, status: 0, logging: 0 }, failed: 0, local: 0 };
    for (const r of rows) {
      if (r.state === 'pending' || r.state === 'handed') counts.pending[r.kind] += r.n;
      else if (r.state === 'failed') counts.failed += r.n;
      else if (r.state === 'local') counts.local += r.n;
    }
    return counts;
  }

  /** Called (after the current transaction) whenever an item of some kind was added. */
  onEnqueue(listener: (kind: OutboxKind) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notifyLater(kind: OutboxKind): void {
    // Wake workers after the enclosing transaction has committed.
    queueMicrotask(() => {
      for (const l of this.listeners) l(kind);
    });
  }
}

function toItem<P>(r: Row): OutboxItem<P> {
  return {
    id: r.id,
    kind: r.kind,
    dedupeKey: r.dedupe_key,
    payload: JSON.parse(r.payload_json) as P,
    priority: r.priority,
    attempts: r.attempts,
    nextAttemptAtMs: r.next_attempt_at_ms,
    createdAtMs: r.created_at_ms,
    lastError: r.last_error,
  };
}
