import type { LoggingAlertPayload } from '#shared/mqtt/payloads.js';
import type { IndexDb } from './index-db.js';

/** One logging alert as the dashboard and GET /api/logging show it. */
export interface LoggingAlertRecord {
  alertId: string;
  stationId: string;
  label: string;
  /** `active` until its `end` message arrives. */
  state: 'active' | 'ended';
  startTime: string;
  lastHeardTime: string;
  durationSec: number;
  presentSec: number;
  peakConfidence: number;
  meanConfidence: number;
  onsetClipKey: string | null;
  onsetEventId: string | null;
  modelVersion: string | null;
  /** The model's caveat for the class (e.g. trained on synthetic audio only), null when validated. */
  caveat: string | null;
  raisedAt: string;
  delayed: boolean;
  updatedAt: string;
}

/** A row as both engines return it (integers for flags, JSON as text). */
export interface LoggingAlertRow {
  alert_id: string;
  station_id: string;
  label: string;
  state: string;
  start_time: string;
  last_heard_time: string;
  duration_sec: number;
  present_sec: number;
  peak_confidence: number;
  mean_confidence: number;
  onset_clip_key: string | null;
  onset_event_id: string | null;
  model_version: string | null;
  caveat: string | null;
  raised_at: string;
  delayed: number;
  updated_at: string;
}

/**
 * Logging alerts (MQTT `logging` topic). Messages may arrive out of order or
 * twice (QoS 1): an alert only grows (latest heard time, longest duration),
 * and once ended it stays ended.
 */
export interface LoggingRepo {
  apply(p: LoggingAlertPayload, nowIso: string): Promise<LoggingAlertRecord>;
  get(alertId: string): Promise<LoggingAlertRecord | undefined>;
  /** Newest first. */
  list(limit: number): Promise<LoggingAlertRecord[]>;
}

export class SqliteLoggingRepo implements LoggingRepo {
  private readonly db: IndexDb;

  constructor(db: IndexDb) {
    this.db = db;
  }

  async apply(p: LoggingAlertPayload, nowIso: string): Promise<LoggingAlertRecord> {
    this.db.prepare(loggingApplySql('MAX')).run(loggingParams(p, nowIso));
    return this.getSync(p.alertId) as LoggingAlertRecord;
  }

  async get(alertId: string): Promise<LoggingAlertRecord | undefined> {
    return this.getSync(alertId);
  }

  private getSync(alertId: string): LoggingAlertRecord | undefined {
    const row = this.db.prepare('SELECT * FROM logging_alerts WHERE alert_id = ?').get(alertId) as LoggingAlertRow | undefined;
    return row ? toLoggingAlertRecord(row) : undefined;
  }

  async list(limit: number): Promise<LoggingAlertRecord[]> {
    return (this.db.prepare('SELECT * FROM logging_alerts ORDER BY start_time DESC LIMIT ?').all(limit) as LoggingAlertRow[]).map(toLoggingAlertRecord);
  }
}

/**
 * The merge of one logging message, in either engine's words: `greatest` is
 * SQLite's two-argument MAX or PostgreSQL's GREATEST.
 */
export function loggingApplySql(greatest: 'MAX' | 'GREATEST'): string {
  return `INSERT INTO logging_alerts (alert_id, station_id, label, state, start_time, last_heard_time, duration_sec, present_sec,
      peak_confidence, mean_confidence, onset_clip_key, onset_event_id, model_version, caveat, raised_at, delayed, updated_at)
    VALUES (@alertId, @stationId, @label, @state, @startTime, @lastHeardTime, @durationSec, @presentSec,
      @peakConfidence, @meanConfidence, @onsetClipKey, @onsetEventId, @modelVersion, @caveat, @raisedAt, @delayed, @now)
    ON CONFLICT (alert_id) DO UPDATE SET
      state = CASE WHEN logging_alerts.state = 'ended' OR excluded.state = 'ended' THEN 'ended' ELSE 'active' END,
      last_heard_time = ${greatest}(logging_alerts.last_heard_time, excluded.last_heard_time),
      duration_sec = ${greatest}(logging_alerts.duration_sec, excluded.duration_sec),
      present_sec = ${greatest}(logging_alerts.present_sec, excluded.present_sec),
      peak_confidence = ${greatest}(logging_alerts.peak_confidence, excluded.peak_confidence),
      mean_confidence = CASE WHEN excluded.present_sec >= logging_alerts.present_sec THEN excluded.mean_confidence ELSE logging_alerts.mean_confidence END,
      onset_clip_key = COALESCE(logging_alerts.onset_clip_key, excluded.onset_clip_key),
      onset_event_id = COALESCE(logging_alerts.onset_event_id, excluded.onset_event_id),
      delayed = ${greatest}(logging_alerts.delayed, excluded.delayed),
      updated_at = excluded.updated_at`;
}

export function loggingParams(p: LoggingAlertPayload, nowIso: string): Record<string, unknown> {
  return {
    alertId: p.alertId, stationId: p.stationId, label: p.label, state: p.type === 'end' ? 'ended' : 'active', startTime: p.startTime,
    lastHeardTime: p.lastHeardTime, durationSec: p.durationSec, presentSec: p.presentSec, peakConfidence: p.peakConfidence,
    meanConfidence: p.meanConfidence, onsetClipKey: p.onsetClipKey, onsetEventId: p.onsetEventId, modelVersion: p.modelVersion,
    caveat: p.caveat, raisedAt: p.raisedAt, delayed: p.delayed ? 1 : 0, now: nowIso,
  };
}

export function toLoggingAlertRecord(r: LoggingAlertRow): LoggingAlertRecord {
  return {
    alertId: r.alert_id, stationId: r.station_id, label: r.label, state: r.state === 'ended' ? 'ended' : 'active', startTime: r.start_time,
    lastHeardTime: r.last_heard_time, durationSec: r.duration_sec, presentSec: r.present_sec, peakConfidence: r.peak_confidence,
    meanConfidence: r.mean_confidence, onsetClipKey: r.onset_clip_key, onsetEventId: r.onset_event_id, modelVersion: r.model_version,
    caveat: r.caveat, raisedAt: r.raised_at, delayed: r.delayed === 1, updatedAt: r.updated_at,
  };
}
