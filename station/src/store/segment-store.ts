import type { SegmentInfo, SourceGap } from '../core/segment.js';
import type { Db } from '../core/db.js';

/** Segments (continuous runs of audio) and the gaps between them: every gap is recorded, never hidden. */
export class SegmentStore {
  constructor(private readonly db: Db) {}

  open(segment: SegmentInfo, nowMs: number): void {
    this.db.prepare(
      `INSERT INTO segments (id, kind, source, start_time_ms, sample_rate_hz, file_sha256, opened_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET status = 'open', closed_at_ms = NULL`,
    ).run(segment.id, segment.kind, segment.source, Math.round(segment.startTimeMs), segment.sampleRateHz, segment.file?.sha256 ?? null, nowMs);
  }

  close(segmentId: string, samples: number, status: string, nowMs: number): void {
    this.db.prepare(`UPDATE segments SET closed_at_ms = ?, samples = ?, status = ? WHERE id = ?`).run(nowMs, samples, status, segmentId);
  }

  recordGap(gap: SourceGap, nowMs: number): void {
    const start = Math.round(gap.startTimeMs);
    const end = Math.round(gap.endTimeMs);
    this.db.prepare(
      `INSERT INTO source_gaps (source, start_time_ms, end_time_ms, duration_ms, reason, recorded_at_ms) VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(gap.source, start, end, Math.max(0, end - start), gap.reason, nowMs);
  }

  gaps(): Array<SourceGap & { durationMs: number }> {
    return (this.db.prepare(`SELECT source, start_time_ms, end_time_ms, duration_ms, reason FROM source_gaps ORDER BY id`).all() as Array<{
      source: string; start_time_ms: number; end_time_ms: number; duration_ms: number; reason: string;
    }>).map((r) => ({ source: r.source, startTimeMs: r.start_time_ms, endTimeMs: r.end_time_ms, durationMs: r.duration_ms, reason: r.reason }));
  }

  gapCount(): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM source_gaps`).get() as { n: number }).n;
  }
}
