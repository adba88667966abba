import type { Db } from '../core/db.js';

/** A detection row as stored (times in epoch ms). */
export interface DetectionRecord {
  id: string;
  segmentId: string;
  label: string;
  startTimeMs: number;
  endTimeMs: number;
  startSample: number;
  endSample: number;
  peakConfidence: number;
  peakTimeMs: number;
  windowCount: number;
  shotCount: number | null;
  scores: Record<string, number>;
  status: 'open' | 'closed' | 'interrupted';
  modelVersion: string;
  alertId: string | null;
  clipKey: string;
  source: string;
  createdAtMs: number;
}

export interface ClipRecord {
  id: string;
  detectionId: string;
  path: string;
  objectKey: string;
  bytes: number;
  sha256: string;
  durationSec: number;
  priority: number;
  uploadState: 'pending' | 'uploaded' | 'local';
  createdAtMs: number;
  uploadedAtMs: number | null;
  deletedAtMs: number | null;
}

interface DetectionRow {
  id: string; segment_id: string; label: string; start_time_ms: number; end_time_ms: number; start_sample: number;
  end_sample: number; peak_confidence: number; peak_time_ms: number; window_count: number; shot_count: number | null;
  scores_json: string; status: DetectionRecord['status']; model_version: string; alert_id: string | null; clip_key: string;
  source: string; created_at_ms: number;
}

interface ClipRow {
  id: string; detection_id: string; path: string; object_key: string; bytes: number; sha256: string; duration_sec: number;
  priority: number; upload_state: ClipRecord['uploadState']; created_at_ms: number; uploaded_at_ms: number | null; deleted_at_ms: number | null;
}

/** Detections and their clips. Writes are meant to run inside the caller's transaction. */
export class DetectionStore {
  constructor(private readonly db: Db) {}

  /**
   * Inserts an opening detection unless it exists (a replay after a crash), and
   * returns the stored row: the first run's times and clip key win.
   */
  insertOpen(d: Omit<DetectionRecord, 'createdAtMs'>, nowMs: number): DetectionRecord {
    this.db.prepare(
      `INSERT INTO detections (id, segment_id, label, start_time_ms, end_time_ms, start_sample, end_sample, peak_confidence,
         peak_time_ms, window_count, shot_count, scores_json, status, model_version, alert_id, clip_key, source, created_at_ms, updated_at_ms)
       VALUES (@id, @segmentId, @label, @startTimeMs, @endTimeMs, @startSample, @endSample, @peakConfidence, @peakTimeMs,
         @windowCount, @shotCount, @scores, @status, @modelVersion, @alertId, @clipKey, @source, @now, @now)
       ON CONFLICT (id) DO NOTHING`,
    ).run({ ...d, scores: JSON.stringify(d.scores), now: nowMs });
    return this.get(d.id) as DetectionRecord;
  }

  /** Grows an open (or re-opened by replay) detection: end, peak, counts. */
  update(id: string, fields: Pick<DetectionRecord, 'endTimeMs' | 'endSample' | 'peakConfidence' | 'peakTimeMs' | 'windowCount' | 'scores'> & { shotCount?: number | null; status?: DetectionRecord['status'] }, nowMs: number): void {
    this.db.prepare(
      `UPDATE detections SET end_time_ms = @endTimeMs, end_sample = @endSample,
         peak_confidence = MAX(peak_confidence, @peakConfidence),
         peak_time_ms = CASE WHEN @peakConfidence >= peak_confidence THEN @peakTimeMs ELSE peak_time_ms END,
         scores_json = CASE WHEN @peakConfidence >= peak_confidence THEN @scores ELSE scores_json END,
         window_count = @windowCount, shot_count = COALESCE(@shotCount, shot_count), status = COALESCE(@status, status), updated_at_ms = @now
       WHERE id = @id`,
    ).run({ ...fields, scores: JSON.stringify(fields.scores), shotCount: fields.shotCount ?? null, status: fields.status ?? null, id, now: nowMs });
  }

  setAlert(id: string, alertId: string): void {
    this.db.prepare(`UPDATE detections SET alert_id = ? WHERE id = ?`).run(alertId, id);
  }

  get(id: string): DetectionRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM detections WHERE id = ?`).get(id) as DetectionRow | undefined;
    return row ? toDetection(row) : undefined;
  }

  /** Open detections (left by a crash) of segments other than `exceptSegment`. */
  openDetections(): DetectionRecord[] {
    return (this.db.prepare(`SELECT * FROM detections WHERE status = 'open'`).all() as DetectionRow[]).map(toDetection);
  }

  list(limit = 1000): DetectionRecord[] {
    return (this.db.prepare(`SELECT * FROM detections ORDER BY start_time_ms, id LIMIT ?`).all(limit) as DetectionRow[]).map(toDetection);
  }

  insertClip(c: Omit<ClipRecord, 'uploadedAtMs' | 'deletedAtMs'>): void {
    this.db.prepare(
      `INSERT INTO clips (id, detection_id, path, object_key, bytes, sha256, duration_sec, priority, upload_state, created_at_ms)
       VALUES (@id, @detectionId, @path, @objectKey, @bytes, @sha256, @durationSec, @priority, @uploadState, @createdAtMs)
       ON CONFLICT (id) DO UPDATE SET path = excluded.path, bytes = excluded.bytes, sha256 = excluded.sha256,
         duration_sec = excluded.duration_sec
       WHERE clips.upload_state != 'uploaded' AND clips.deleted_at_ms IS NULL`,
    ).run(c);
  }

  getClip(id: string): ClipRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM clips WHERE id = ?`).get(id) as ClipRow | undefined;
    return row ? toClip(row) : undefined;
  }

  clips(): ClipRecord[] {
    return (this.db.prepare(`SELECT * FROM clips ORDER BY created_at_ms, id`).all() as ClipRow[]).map(toClip);
  }

  markUploaded(id: string, nowMs: number): void {
    this.db.prepare(`UPDATE clips SET upload_state = 'uploaded', uploaded_at_ms = ? WHERE id = ?`).run(nowMs, id);
  }
}

function toDetection(r: DetectionRow): DetectionRecord {
  return {
    id: r.id, segmentId: r.segment_id, label: r.label, startTimeMs: r.start_time_ms, endTimeMs: r.end_time_ms,
    startSample: r.start_sample, endSample: r.end_sample, peakConfidence: r.peak_confidence, peakTimeMs: r.peak_time_ms,
    windowCount: r.window_count, shotCount: r.shot_count, scores: JSON.parse(r.scores_json) as Record<string, number>,
    status: r.status, modelVersion: r.model_version, alertId: r.alert_id, clipKey: r.clip_key, source: r.source,
    createdAtMs: r.created_at_ms,
  };
}

function toClip(r: ClipRow): ClipRecord {
  return {
    id: r.id, detectionId: r.detection_id, path: r.path, objectKey: r.object_key, bytes: r.bytes, sha256: r.sha256,
    durationSec: r.duration_sec, priority: r.priority, uploadState: r.upload_state, createdAtMs: r.created_at_ms,
    uploadedAtMs: r.uploaded_at_ms, deletedAtMs: r.deleted_at_ms,
  };
}
