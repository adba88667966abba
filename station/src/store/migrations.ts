/**
 * Schema history. Each entry runs once, in order, inside a transaction; the
 * database's user_version records how many have run. Never edit a shipped
 * migration: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE segments (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    start_time_ms INTEGER NOT NULL,
    sample_rate_hz INTEGER NOT NULL,
    file_sha256 TEXT,
    opened_at_ms INTEGER NOT NULL,
    closed_at_ms INTEGER,
    samples INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'open'
  );
  CREATE TABLE detections (
    id TEXT PRIMARY KEY,
    segment_id TEXT NOT NULL,
    label TEXT NOT NULL,
    start_time_ms INTEGER NOT NULL,
    end_time_ms INTEGER NOT NULL,
    start_sample INTEGER NOT NULL,
    end_sample INTEGER NOT NULL,
    peak_confidence REAL NOT NULL,
    peak_time_ms INTEGER NOT NULL,
    window_count INTEGER NOT NULL,
    shot_count INTEGER,
    scores_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'interrupted')),
    model_version TEXT NOT NULL,
    alert_id TEXT,
    clip_key TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
  );
  CREATE INDEX detections_by_time ON detections (start_time_ms);
  CREATE INDEX detections_by_segment ON detections (segment_id);
  CREATE TABLE clips (
    id TEXT PRIMARY KEY,
    detection_id TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    object_key TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    duration_sec REAL NOT NULL,
    priority INTEGER NOT NULL,
    upload_state TEXT NOT NULL CHECK (upload_state IN ('pending', 'uploaded', 'local')),
    created_at_ms INTEGER NOT NULL,
    uploaded_at_ms INTEGER,
    deleted_at_ms INTEGER,
    deleted_reason TEXT
  );
  CREATE INDEX clips_by_created ON clips (created_at_ms);
  CREATE TABLE processed_files (
    content_sha256 TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    processed_at_ms INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('processed', 'rejected')),
    disposition TEXT NOT NULL,
    disposed_at_ms INTEGER,
    destination TEXT,
    error TEXT,
    detections INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE source_gaps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    start_time_ms INTEGER NOT NULL,
    end_time_ms INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    reason TEXT NOT NULL,
    recorded_at_ms INTEGER NOT NULL
  );
  CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    detection_id TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    last_sample INTEGER NOT NULL,
    first_time_ms INTEGER NOT NULL,
    last_time_ms INTEGER NOT NULL,
    shot_count INTEGER NOT NULL,
    confidence REAL NOT NULL,
    raised_at_ms INTEGER NOT NULL,
    published_at_ms INTEGER,
    delayed INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX alerts_by_label_time ON alerts (label, last_time_ms);
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    payload_json TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL CHECK (state IN ('pending', 'handed', 'done', 'failed', 'local')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER NOT NULL,
    last_error TEXT,
    created_at_ms INTEGER NOT NULL,
    done_at_ms INTEGER
  );
  CREATE INDEX outbox_due ON outbox (state, kind, next_attempt_at_ms);
  CREATE TABLE clip_deletions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    clip_id TEXT NOT NULL,
    path TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    label TEXT NOT NULL,
    was_uploaded INTEGER NOT NULL,
    reason TEXT NOT NULL,
    deleted_at_ms INTEGER NOT NULL
  );
  CREATE TABLE kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE mqtt_outgoing (
    message_id INTEGER PRIMARY KEY,
    packet_json TEXT NOT NULL,
    outbox_id INTEGER,
    stored_at_ms INTEGER NOT NULL
  );
  `,
];
