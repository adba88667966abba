import { codecOfKey } from '#shared/audio/clip-codec.js';
import type { AlertPayload, EventPayload } from '#shared/mqtt/payloads.js';
import type { ClipSidecar } from '#shared/mqtt/sidecar.js';
import type { IndexDb } from './index-db.js';

/** One detection, keyed by (stationId, the station's eventId). */
export interface DetectionRecord {
  id: string;
  stationId: string;
  label: string;
  confidence: number;
  startTime: string;
  endTime: string | null;
  peakTime: string | null;
  windowCount: number | null;
  shotCount: number | null;
  alert: boolean;
  /** `open` until the `end` event or the sidecar arrives. */
  state: 'open' | 'closed';
  clipKey: string | null;
  clipAvailable: boolean;
  /** `wav`, `flac` or `opus`, from the sidecar (null until it arrives). */
  clipCodec: string | null;
  /** The clip's encoded size in bytes, from the sidecar. */
  clipBytes: number | null;
  modelVersion: string | null;
  source: string | null;
  scores: Record<string, number> | null;
  reviewedLabel: string | null;
  reviewedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DetectionFilter {
  station?: string;
  label?: string;
  from?: string;
  to?: string;
  reviewed?: boolean;
  alert?: boolean;
  limit: number;
  offset: number;
}

/** A row as both engines return it (integers for flags, JSON as text). */
export interface DetectionRow {
  event_id: string; station_id: string; label: string; confidence: number; start_time: string; end_time: string | null;
  peak_time: string | null; window_count: number | null; shot_count: number | null; alert: number; state: string;
  clip_key: string | null; clip_available: number; clip_codec: string | null; clip_bytes: number | null; model_version: string | null; source: string | null; scores: string | null;
  reviewed_label: string | null; reviewed_at: string | null; created_at: string; updated_at: string;
}

/**
 * Detections from three sources that may arrive in any order: MQTT events
 * (start/update/end), alerts and clip sidecars. Merges are monotonic (highest
 * confidence, closed stays closed, alert stays set) so replays and reordering
 * give the same row.
 */
export interface DetectionsRepo {
  applyEvent(e: EventPayload, nowIso: string): Promise<DetectionRecord>;
  applyAlert(a: AlertPayload, nowIso: string): Promise<DetectionRecord>;
  /** The sidecar is the station's final word on the detection; `clipAvailable` says whether the clip is stored yet. */
  applySidecar(s: ClipSidecar, nowIso: string, clipAvailable: boolean): Promise<DetectionRecord>;
  /** Restores a whole record (reindex from `events/` documents). Existing sidecar data wins. */
  restore(r: DetectionRecord): Promise<void>;
  setReview(stationId: string, eventId: string, label: string, reviewedAt: string): Promise<DetectionRecord | undefined>;
  markClipAvailable(clipKey: string, nowIso: string): Promise<DetectionRecord[]>;
  get(stationId: string, eventId: string): Promise<DetectionRecord | undefined>;
  /** Every station's detection with this event id (legacy ids without a station may repeat across stations). */
  byEventId(eventId: string): Promise<DetectionRecord[]>;
  list(f: DetectionFilter): Promise<{ items: DetectionRecord[]; total: number }>;
  /** Reviewed detections whose clip is in storage: training data. */
  reviewedWithClips(): Promise<DetectionRecord[]>;
  countReviewedSince(cutoffIso: string): Promise<number>;
  /** True when this clip's sidecar has been indexed (sidecars bring the scores). */
  hasSidecar(clipKey: string): Promise<boolean>;
  /** Clips announced by events but not seen in storage yet, newest first (the scanner checks these). */
  pendingClipKeys(sinceIso: string, limit: number): Promise<string[]>;
  all(): Promise<DetectionRecord[]>;
}

export class SqliteDetectionsRepo implements DetectionsRepo {
  private readonly db: IndexDb;

  constructor(db: IndexDb) {
    this.db = db;
  }

  async applyEvent(e: EventPayload, nowIso: string): Promise<DetectionRecord> {
    this.db.prepare(`INSERT INTO detections (event_id, station_id, label, confidence, start_time, end_time, peak_time, window_count,
        shot_count, alert, state, clip_key, model_version, source, created_at, updated_at)
      VALUES (@eventId, @stationId, @label, @confidence, @startTime, @endTime, @peakTime, @windowCount, @shotCount, @alert,
        @state, @clipKey, @modelVersion, @source, @now, @now)
      ON CONFLICT (station_id, event_id) DO UPDATE SET
        confidence = MAX(confidence, excluded.confidence),
        peak_time = CASE WHEN excluded.confidence > confidence THEN excluded.peak_time ELSE peak_time END,
        end_time = CASE WHEN state = 'closed' AND end_time IS NOT NULL THEN end_time ELSE COALESCE(excluded.end_time, end_time) END,
        window_count = MAX(COALESCE(window_count, 0), COALESCE(excluded.window_count, 0)),
        shot_count = COALESCE(excluded.shot_count, shot_count),
        alert = MAX(alert, excluded.alert),
        state = CASE WHEN state = 'closed' THEN 'closed' ELSE excluded.state END,
        clip_key = COALESCE(clip_key, excluded.clip_key),
        updated_at = excluded.updated_at`).run(eventParams(e, nowIso));
    return this.getSync(e.stationId, e.eventId) as DetectionRecord;
  }

  async applyAlert(a: AlertPayload, nowIso: string): Promise<DetectionRecord> {
    this.db.prepare(`INSERT INTO detections (event_id, station_id, label, confidence, start_time, shot_count, alert, state,
        clip_key, model_version, created_at, updated_at)
      VALUES (@eventId, @stationId, @label, @confidence, @startTime, @shotCount, 1, 'open', @clipKey, @modelVersion, @now, @now)
      ON CONFLICT (station_id, event_id) DO UPDATE SET alert = 1,
        shot_count = MAX(COALESCE(shot_count, 0), excluded.shot_count),
        confidence = MAX(confidence, excluded.confidence),
        clip_key = COALESCE(clip_key, excluded.clip_key),
        updated_at = excluded.updated_at`).run(alertParams(a, nowIso));
    return this.getSync(a.stationId, a.eventId) as DetectionRecord;
  }

  async applySidecar(s: ClipSidecar, nowIso: string, clipAvailable: boolean): Promise<DetectionRecord> {
    this.db.prepare(`INSERT INTO detections (event_id, station_id, label, confidence, start_time, end_time, peak_time, window_count,
        shot_count, alert, state, clip_key, clip_available, clip_codec, clip_bytes, model_version, source, scores, created_at, updated_at)
      VALUES (@eventId, @stationId, @label, @confidence, @startTime, @endTime, @peakTime, @windowCount, @shotCount, 0, 'closed',
        @clipKey, @clipAvailable, @clipCodec, @clipBytes, @modelVersion, @source, @scores, @createdAt, @now)
      ON CONFLICT (station_id, event_id) DO UPDATE SET label = excluded.label, confidence = excluded.confidence,
        start_time = excluded.start_time, end_time = excluded.end_time, peak_time = excluded.peak_time,
        window_count = excluded.window_count, shot_count = COALESCE(excluded.shot_count, shot_count), state = 'closed',
        clip_key = CASE WHEN reviewed_at IS NULL THEN excluded.clip_key ELSE clip_key END, clip_available = MAX(clip_available, excluded.clip_available),
        clip_codec = CASE WHEN reviewed_at IS NULL THEN excluded.clip_codec ELSE clip_codec END,
        clip_bytes = CASE WHEN reviewed_at IS NULL THEN excluded.clip_bytes ELSE clip_bytes END, model_version = excluded.model_version, source = excluded.source,
        scores = excluded.scores, updated_at = excluded.updated_at`).run(sidecarParams(s, nowIso, clipAvailable));
    return this.getSync(s.stationId, s.detection.eventId) as DetectionRecord;
  }

  async restore(r: DetectionRecord): Promise<void> {
    this.db.prepare(`INSERT INTO detections (event_id, station_id, label, confidence, start_time, end_time, peak_time, window_count,
        shot_count, alert, state, clip_key, clip_available, model_version, source, scores, created_at, updated_at)
      VALUES (@id, @stationId, @label, @confidence, @startTime, @endTime, @peakTime, @windowCount, @shotCount, @alert, @state,
        @clipKey, 0, @modelVersion, @source, @scores, @createdAt, @updatedAt)
      ON CONFLICT (station_id, event_id) DO UPDATE SET alert = MAX(alert, excluded.alert), shot_count = COALESCE(shot_count, excluded.shot_count)`).run({
      ...r, alert: r.alert ? 1 : 0, scores: r.scores ? JSON.stringify(r.scores) : null,
    });
  }

  async setReview(stationId: string, eventId: string, label: string, reviewedAt: string): Promise<DetectionRecord | undefined> {
    this.db.prepare('UPDATE detections SET reviewed_label = ?, reviewed_at = ?, updated_at = ? WHERE station_id = ? AND event_id = ?')
      .run(label, reviewedAt, reviewedAt, stationId, eventId);
    return this.getSync(stationId, eventId);
  }

  async markClipAvailable(clipKey: string, nowIso: string): Promise<DetectionRecord[]> {
    const rows = this.db.prepare('SELECT station_id, event_id FROM detections WHERE clip_key = ? AND clip_available = 0').all(clipKey) as Pick<DetectionRow, 'station_id' | 'event_id'>[];
    this.db.prepare('UPDATE detections SET clip_available = 1, updated_at = ? WHERE clip_key = ? AND clip_available = 0').run(nowIso, clipKey);
    return rows.map((r) => this.getSync(r.station_id, r.event_id) as DetectionRecord);
  }

  async get(stationId: string, eventId: string): Promise<DetectionRecord | undefined> {
    return this.getSync(stationId, eventId);
  }

  private getSync(stationId: string, eventId: string): DetectionRecord | undefined {
    const row = this.db.prepare('SELECT * FROM detections WHERE station_id = ? AND event_id = ?').get(stationId, eventId) as DetectionRow | undefined;
    return row ? toDetectionRecord(row) : undefined;
  }

  async byEventId(eventId: string): Promise<DetectionRecord[]> {
    return (this.db.prepare('SELECT * FROM detections WHERE event_id = ? ORDER BY station_id').all(eventId) as DetectionRow[]).map(toDetectionRecord);
  }

  async list(f: DetectionFilter): Promise<{ items: DetectionRecord[]; total: number }> {
    const filter = detectionFilterClause(f);
    const where = filter.where;
    const params = { ...filter.params, limit: f.limit, offset: f.offset };
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM detections ${where}`).get(params) as { n: number }).n;
    const rows = this.db.prepare(`SELECT * FROM detections ${where} ORDER BY start_time DESC, event_id DESC LIMIT @limit OFFSET @offset`).all(params) as DetectionRow[];
    return { items: rows.map(toDetectionRecord), total };
  }

  async reviewedWithClips(): Promise<DetectionRecord[]> {
    return (this.db.prepare(`SELECT * FROM detections WHERE reviewed_at IS NOT NULL AND clip_available = 1 AND clip_key IS NOT NULL
      ORDER BY event_id, station_id`).all() as DetectionRow[]).map(toDetectionRecord);
  }

  async countReviewedSince(cutoffIso: string): Promise<number> {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM detections WHERE reviewed_at > ? AND clip_available = 1`).get(cutoffIso) as { n: number }).n;
  }

  async hasSidecar(clipKey: string): Promise<boolean> {
    return this.db.prepare('SELECT 1 FROM detections WHERE clip_key = ? AND scores IS NOT NULL').get(clipKey) !== undefined;
  }

  async pendingClipKeys(sinceIso: string, limit: number): Promise<string[]> {
    return (this.db.prepare(`SELECT DISTINCT clip_key FROM detections WHERE clip_available = 0 AND clip_key IS NOT NULL
      AND start_time >= ? ORDER BY start_time DESC LIMIT ?`).all(sinceIso, limit) as { clip_key: string }[]).map((r) => r.clip_key);
  }

  async all(): Promise<DetectionRecord[]> {
    return (this.db.prepare('SELECT * FROM detections ORDER BY event_id, station_id').all() as DetectionRow[]).map(toDetectionRecord);
  }
}

/** Statement parameters of an event merge (both engines). */
export function eventParams(e: EventPayload, nowIso: string): Record<string, unknown> {
  return {
    eventId: e.eventId,
    stationId: e.stationId,
    label: e.label,
    confidence: e.confidence,
    startTime: e.startTime,
    endTime: e.endTime ?? null,
    peakTime: e.peakTime ?? null,
    windowCount: e.windowCount ?? null,
    shotCount: e.shotCount ?? null,
    alert: e.alert ? 1 : 0,
    state: e.type === 'end' ? 'closed' : 'open',
    clipKey: e.clipKey || null,
    modelVersion: e.modelVersion ?? null,
    source: e.source ?? null,
    now: nowIso,
  };
}

/** Statement parameters of an alert merge (both engines). */
export function alertParams(a: AlertPayload, nowIso: string): Record<string, unknown> {
  return {
    eventId: a.eventId, stationId: a.stationId, label: a.label, confidence: a.confidence, startTime: a.startTime,
    shotCount: a.shotCount, clipKey: a.clipKey || null, modelVersion: a.modelVersion ?? null, now: nowIso,
  };
}

/** Statement parameters of a sidecar merge (both engines). */
export function sidecarParams(s: ClipSidecar, nowIso: string, clipAvailable: boolean): Record<string, unknown> {
  const d = s.detection;
  return {
    eventId: d.eventId, stationId: s.stationId, label: d.label, confidence: d.confidence, startTime: d.startTime,
    endTime: d.endTime, peakTime: d.peakTime, windowCount: d.windowCount, shotCount: d.shotCount, clipKey: s.clipKey,
    modelVersion: s.modelVersion, source: s.source, scores: JSON.stringify(d.scores ?? {}), createdAt: s.createdAt || nowIso, now: nowIso,
    clipAvailable: clipAvailable ? 1 : 0,
    // Sidecars from before codecs have no codec field: their clips are WAV.
    clipCodec: s.codec ?? codecOfKey(s.clipKey) ?? 'wav', clipBytes: Number.isSafeInteger(s.bytes) && s.bytes >= 0 ? s.bytes : null,
  };
}

export function toDetectionRecord(row: DetectionRow): DetectionRecord {
  return {
    id: row.event_id,
    stationId: row.station_id,
    label: row.label,
    confidence: row.confidence,
    startTime: row.start_time,
    endTime: row.end_time,
    peakTime: row.peak_time,
    windowCount: row.window_count,
    shotCount: row.shot_count,
    alert: row.alert === 1,
    state: row.state === 'closed' ? 'closed' : 'open',
    clipKey: row.clip_key,
    clipAvailable: row.clip_available === 1,
    clipCodec: row.clip_codec,
    clipBytes: row.clip_bytes,
    modelVersion: row.model_version,
    source: row.source,
    scores: row.scores ? JSON.parse(row.scores) : null,
    reviewedLabel: row.reviewed_label,
    reviewedAt: row.reviewed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The WHERE clause of a detection listing (named @parameters), the same for both engines. */
export function detectionFilterClause(f: DetectionFilter): { where: string; params: Record<string, unknown> } {
  const clauses: string[] = [];
  const params: Record<string, unknown> = {};
  if (f.station) { clauses.push('station_id = @station'); params.station = f.station; }
  if (f.label) { clauses.push('label = @label'); params.label = f.label; }
  if (f.from) { clauses.push('start_time >= @from'); params.from = f.from; }
  if (f.to) { clauses.push('start_time <= @to'); params.to = f.to; }
  if (f.reviewed !== undefined) clauses.push(f.reviewed ? 'reviewed_at IS NOT NULL' : 'reviewed_at IS NULL');
  if (f.alert !== undefined) clauses.push(f.alert ? 'alert = 1' : 'alert = 0');
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}
