import type { Db } from '../core/db.js';

export interface AlertRecord {
  id: string;
  label: string;
  detectionId: string;
  segmentId: string;
  lastSample: number;
  firstTimeMs: number;
  lastTimeMs: number;
  shotCount: number;
  confidence: number;
  raisedAtMs: number;
  publishedAtMs: number | null;
  delayed: boolean;
}

interface Row {
  id: string; label: string; detection_id: string; segment_id: string; last_sample: number; first_time_ms: number;
  last_time_ms: number; shot_count: number; confidence: number; raised_at_ms: number; published_at_ms: number | null; delayed: number;
}

/**
 * Alerts: one per burst. A detection within the cooldown of the previous alert
 * of its class joins that alert instead of raising a new one. "Within" is
 * measured in samples inside one segment (stable when a file is replayed after
 * a crash) and in wall-clock time across segments.
 */
export class AlertStore {
  constructor(private readonly db: Db) {}

  findJoinable(label: string, segmentId: string, startSample: number, cooldownSamples: number, startTimeMs: number, cooldownMs: number): AlertRecord | undefined {
    const sameSegment = this.db.prepare(
      `SELECT * FROM alerts WHERE label = ? AND segment_id = ? AND last_sample <= ? AND last_sample >= ? ORDER BY last_sample DESC LIMIT 1`,
    ).get(label, segmentId, startSample + cooldownSamples, startSample - cooldownSamples) as Row | undefined;
    if (sameSegment) return toRecord(sameSegment);
    const recent = this.db.prepare(
      `SELECT * FROM alerts WHERE label = ? AND segment_id != ? AND last_time_ms >= ? AND last_time_ms <= ? ORDER BY last_time_ms DESC LIMIT 1`,
    ).get(label, segmentId, startTimeMs - cooldownMs, startTimeMs + cooldownMs) as Row | undefined;
    return recent ? toRecord(recent) : undefined;
  }

  /** Inserts unless present (replay); returns whether it was new. */
  insert(a: Omit<AlertRecord, 'publishedAtMs' | 'delayed'>): boolean {
    return this.db.prepare(
      `INSERT INTO alerts (id, label, detection_id, segment_id, last_sample, first_time_ms, last_time_ms, shot_count, confidence, raised_at_ms)
       VALUES (@id, @label, @detectionId, @segmentId, @lastSample, @firstTimeMs, @lastTimeMs, @shotCount, @confidence, @raisedAtMs)
       ON CONFLICT (id) DO NOTHING`,
    ).run(a).changes > 0;
  }

  /** A later detection joined the burst: extend it and recount shots over its detections. */
  extend(id: string, lastSample: number, lastTimeMs: number, confidence: number): void {
    this.db.prepare(
      `UPDATE alerts SET last_sample = MAX(last_sample, ?), last_time_ms = MAX(last_time_ms, ?), confidence = MAX(confidence, ?) WHERE id = ?`,
    ).run(lastSample, lastTimeMs, confidence, id);
  }

  recountShots(id: string): number {
    this.db.prepare(
      `UPDATE alerts SET shot_count = MAX(shot_count, (SELECT COALESCE(SUM(shot_count), 0) FROM detections WHERE alert_id = ?)) WHERE id = ?`,
    ).run(id, id);
    return (this.db.prepare(`SELECT shot_count FROM alerts WHERE id = ?`).get(id) as { shot_count: number } | undefined)?.shot_count ?? 0;
  }

  markPublished(id: string, nowMs: number, delayed: boolean): void {
    this.db.prepare(`UPDATE alerts SET published_at_ms = COALESCE(published_at_ms, ?), delayed = ? WHERE id = ?`).run(nowMs, delayed ? 1 : 0, id);
  }

  get(id: string): AlertRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM alerts WHERE id = ?`).get(id) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  all(): AlertRecord[] {
    return (this.db.prepare(`SELECT * FROM alerts ORDER BY first_time_ms, id`).all() as Row[]).map(toRecord);
  }
}

function toRecord(r: Row): AlertRecord {
  return {
    id: r.id, label: r.label, detectionId: r.detection_id, segmentId: r.segment_id, lastSample: r.last_sample,
    firstTimeMs: r.first_time_ms, lastTimeMs: r.last_time_ms, shotCount: r.shot_count, confidence: r.confidence,
    raisedAtMs: r.raised_at_ms, publishedAtMs: r.published_at_ms, delayed: r.delayed === 1,
  };
}
