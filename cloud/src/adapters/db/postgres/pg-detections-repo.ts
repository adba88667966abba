import type { AlertPayload, EventPayload } from '#shared/mqtt/payloads.js';
import type { ClipSidecar } from '#shared/mqtt/sidecar.js';
import {
  alertParams, eventParams, sidecarParams, toDetectionRecord,
  detectionFilterClause, type DetectionFilter, type DetectionRecord, type DetectionRow, type DetectionsRepo,
} from '../detections-repo.js';
import type { PgDb } from './pg-db.js';

// The merges of detections-repo.ts in PostgreSQL's words: GREATEST for SQLite's
// two-argument MAX, the existing row named by its table. Each is one statement
// (INSERT ... ON CONFLICT ... RETURNING), so concurrent messages merge like serial ones.
const APPLY_EVENT = `INSERT INTO detections (event_id, station_id, label, confidence, start_time, end_time, peak_time, window_count,
    shot_count, alert, state, clip_key, model_version, source, created_at, updated_at)
  VALUES (@eventId, @stationId, @label, @confidence, @startTime, @endTime, @peakTime, @windowCount, @shotCount, @alert,
    @state, @clipKey, @modelVersion, @source, @now, @now)
  ON CONFLICT (station_id, event_id) DO UPDATE SET
    confidence = GREATEST(detections.confidence, excluded.confidence),
    peak_time = CASE WHEN excluded.confidence > detections.confidence THEN excluded.peak_time ELSE detections.peak_time END,
    end_time = CASE WHEN detections.state = 'closed' AND detections.end_time IS NOT NULL THEN detections.end_time
      ELSE COALESCE(excluded.end_time, detections.end_time) END,
    window_count = GREATEST(COALESCE(detections.window_count, 0), COALESCE(excluded.window_count, 0)),
    shot_count = COALESCE(excluded.shot_count, detections.shot_count),
    alert = GREATEST(detections.alert, excluded.alert),
    state = CASE WHEN detections.state = 'closed' THEN 'closed' ELSE excluded.state END,
    clip_key = COALESCE(detections.clip_key, excluded.clip_key),
    updated_at = excluded.updated_at
  RETURNING *`;

const APPLY_ALERT = `INSERT INTO detections (event_id, station_id, label, confidence, start_time, shot_count, alert, state,
    clip_key, model_version, created_at, updated_at)
  VALUES (@eventId, @stationId, @label, @confidence, @startTime, @shotCount, 1, 'open', @clipKey, @modelVersion, @now, @now)
  ON CONFLICT (station_id, event_id) DO UPDATE SET alert = 1,
    shot_count = GREATEST(COALESCE(detections.shot_count, 0), excluded.shot_count),
    confidence = GREATEST(detections.confidence, excluded.confidence),
    clip_key = COALESCE(detections.clip_key, excluded.clip_key),
    updated_at = excluded.updated_at
  RETURNING *`;

const APPLY_SIDECAR = `INSERT INTO detections (event_id, station_id, label, confidence, start_time, end_time, peak_time, window_count,
    shot_count, alert, state, clip_key, clip_available, clip_codec, clip_bytes, model_version, source, scores, created_at, updated_at)
  VALUES (@eventId, @stationId, @label, @confidence, @startTime, @endTime, @peakTime, @windowCount, @shotCount, 0, 'closed',
    @clipKey, @clipAvailable, @clipCodec, @clipBytes, @modelVersion, @source, @scores, @createdAt, @now)
  ON CONFLICT (station_id, event_id) DO UPDATE SET label = excluded.label, confidence = excluded.confidence,
    start_time = excluded.start_time, end_time = excluded.end_time, peak_time = excluded.peak_time,
    window_count = excluded.window_count, shot_count = COALESCE(excluded.shot_count, detections.shot_count), state = 'closed',
    clip_key = CASE WHEN detections.reviewed_at IS NULL THEN excluded.clip_key ELSE detections.clip_key END,
    clip_available = GREATEST(detections.clip_available, excluded.clip_available),
    clip_codec = CASE WHEN detections.reviewed_at IS NULL THEN excluded.clip_codec ELSE detections.clip_codec END,
    clip_bytes = CASE WHEN detections.reviewed_at IS NULL THEN excluded.clip_bytes ELSE detections.clip_bytes END,
    model_version = excluded.model_version, source = excluded.source, scores = excluded.scores, updated_at = excluded.updated_at
  RETURNING *`;

const RESTORE = `INSERT INTO detections (event_id, station_id, label, confidence, start_time, end_time, peak_time, window_count,
    shot_count, alert, state, clip_key, clip_available, model_version, source, scores, created_at, updated_at)
  VALUES (@id, @stationId, @label, @confidence, @startTime, @endTime, @peakTime, @windowCount, @shotCount, @alert, @state,
    @clipKey, 0, @modelVersion, @source, @scores, @createdAt, @updatedAt)
  ON CONFLICT (station_id, event_id) DO UPDATE SET alert = GREATEST(detections.alert, excluded.alert),
    shot_count = COALESCE(detections.shot_count, excluded.shot_count)`;

export class PgDetectionsRepo implements DetectionsRepo {
  private readonly db: PgDb;

  constructor(db: PgDb) {
    this.db = db;
  }

  async applyEvent(e: EventPayload, nowIso: string): Promise<DetectionRecord> {
    return toDetectionRecord((await this.db.one<DetectionRow>(APPLY_EVENT, eventParams(e, nowIso))) as DetectionRow);
  }

  async applyAlert(a: AlertPayload, nowIso: string): Promise<DetectionRecord> {
    return toDetectionRecord((await this.db.one<DetectionRow>(APPLY_ALERT, alertParams(a, nowIso))) as DetectionRow);
  }

  async applySidecar(s: ClipSidecar, nowIso: string, clipAvailable: boolean): Promise<DetectionRecord> {
    return toDetectionRecord((await this.db.one<DetectionRow>(APPLY_SIDECAR, sidecarParams(s, nowIso, clipAvailable))) as DetectionRow);
  }

  async restore(r: DetectionRecord): Promise<void> {
    await this.db.run(RESTORE, { ...r, alert: r.alert ? 1 : 0, scores: r.scores ? JSON.stringify(r.scores) : null });
  }

  async setReview(stationId: string, eventId: string, label: string, reviewedAt: string): Promise<DetectionRecord | undefined> {
    const row = await this.db.one<DetectionRow>(`UPDATE detections SET reviewed_label = @label, reviewed_at = @reviewedAt, updated_at = @reviewedAt
      WHERE station_id = @stationId AND event_id = @eventId RETURNING *`, { label, reviewedAt, stationId, eventId });
    return row ? toDetectionRecord(row) : undefined;
  }

  async markClipAvailable(clipKey: string, nowIso: string): Promise<DetectionRecord[]> {
    const rows = await this.db.rows<DetectionRow>(`UPDATE detections SET clip_available = 1, updated_at = @now
      WHERE clip_key = @clipKey AND clip_available = 0 RETURNING *`, { clipKey, now: nowIso });
    return rows.sort((a, b) => (a.station_id < b.station_id ? -1 : a.station_id > b.station_id ? 1 : 0)).map(toDetectionRecord);
  }

  async get(stationId: string, eventId: string): Promise<DetectionRecord | undefined> {
    const row = await this.db.one<DetectionRow>('SELECT * FROM detections WHERE station_id = @stationId AND event_id = @eventId', { stationId, eventId });
    return row ? toDetectionRecord(row) : undefined;
  }

  async byEventId(eventId: string): Promise<DetectionRecord[]> {
    return (await this.db.rows<DetectionRow>('SELECT * FROM detections WHERE event_id = @eventId ORDER BY station_id', { eventId })).map(toDetectionRecord);
  }

  async list(f: DetectionFilter): Promise<{ items: DetectionRecord[]; total: number }> {
    const { where, params } = detectionFilterClause(f);
    const total = (await this.db.one<{ n: number }>(`SELECT COUNT(*) AS n FROM detections ${where}`, params))?.n ?? 0;
    const rows = await this.db.rows<DetectionRow>(`SELECT * FROM detections ${where} ORDER BY start_time DESC, event_id DESC
      LIMIT @limit OFFSET @offset`, { ...params, limit: f.limit, offset: f.offset });
    return { items: rows.map(toDetectionRecord), total };
  }

  async reviewedWithClips(): Promise<DetectionRecord[]> {
    return (await this.db.rows<DetectionRow>(`SELECT * FROM detections WHERE reviewed_at IS NOT NULL AND clip_available = 1 AND clip_key IS NOT NULL
      ORDER BY event_id, station_id`)).map(toDetectionRecord);
  }

  async countReviewedSince(cutoffIso: string): Promise<number> {
    return (await this.db.one<{ n: number }>('SELECT COUNT(*) AS n FROM detections WHERE reviewed_at > @cutoff AND clip_available = 1', { cutoff: cutoffIso }))?.n ?? 0;
  }

  async hasSidecar(clipKey: string): Promise<boolean> {
    return (await this.db.one('SELECT 1 FROM detections WHERE clip_key = @clipKey AND scores IS NOT NULL LIMIT 1', { clipKey })) !== undefined;
  }

  async pendingClipKeys(sinceIso: string, limit: number): Promise<string[]> {
    // SQLite's DISTINCT ... ORDER BY start_time keeps each key at one of its rows' times; the newest is the same order here.
    const rows = await this.db.rows<{ clip_key: string }>(`SELECT clip_key FROM detections WHERE clip_available = 0 AND clip_key IS NOT NULL
      AND start_time >= @since GROUP BY clip_key ORDER BY MAX(start_time) DESC LIMIT @limit`, { since: sinceIso, limit });
    return rows.map((r) => r.clip_key);
  }

  async all(): Promise<DetectionRecord[]> {
    return (await this.db.rows<DetectionRow>('SELECT * FROM detections ORDER BY event_id, station_id')).map(toDetectionRecord);
  }
}
