/**
 * Schema of the metadata index, one entry per version (PRAGMA user_version).
 * Everything here can be rebuilt from storage by `ecosight-cloud reindex`, so a
 * migration that is hard to write may instead drop and rebuild.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE stations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    token_sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen TEXT,
    state TEXT,
    software_version TEXT,
    model_version TEXT,
    telemetry TEXT
  );
  CREATE TABLE uploads (
    key TEXT PRIMARY KEY,
    class TEXT NOT NULL,
    name TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX uploads_created ON uploads (created_at);
  CREATE TABLE detections (
    event_id TEXT PRIMARY KEY,
    station_id TEXT NOT NULL,
    label TEXT NOT NULL,
    confidence REAL NOT NULL,
    start_time TEXT NOT NULL,
    end_time TEXT,
    peak_time TEXT,
    window_count INTEGER,
    shot_count INTEGER,
    alert INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    clip_key TEXT,
    clip_available INTEGER NOT NULL DEFAULT 0,
    model_version TEXT,
    source TEXT,
    scores TEXT,
    reviewed_label TEXT,
    reviewed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX detections_start ON detections (start_time);
  CREATE INDEX detections_station ON detections (station_id, start_time);
  CREATE INDEX detections_clip ON detections (clip_key);
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status_json TEXT NOT NULL
  );
  CREATE TABLE releases (
    version TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    release_json TEXT NOT NULL
  );
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: logging alerts (sustained chainsaw), one row per alert, updated by its start/update/end messages.
  `
  CREATE TABLE logging_alerts (
    alert_id TEXT PRIMARY KEY,
    station_id TEXT NOT NULL,
    label TEXT NOT NULL,
    state TEXT NOT NULL,
    start_time TEXT NOT NULL,
    last_heard_time TEXT NOT NULL,
    duration_sec REAL NOT NULL,
    present_sec REAL NOT NULL,
    peak_confidence REAL NOT NULL,
    mean_confidence REAL NOT NULL,
    onset_clip_key TEXT,
    onset_event_id TEXT,
    model_version TEXT,
    caveat TEXT,
    raised_at TEXT NOT NULL,
    delayed INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX logging_alerts_start ON logging_alerts (start_time);
  `,
  // 3: clips may be WAV, FLAC or Opus: the index records the codec and the encoded size (from the sidecar).
  `
  ALTER TABLE detections ADD COLUMN clip_codec TEXT;
  ALTER TABLE detections ADD COLUMN clip_bytes INTEGER;
  `,
  // 4: detections keyed by (station, event): an event id alone let one station's messages rewrite another's row.
  `
  CREATE TABLE detections_v2 (
    station_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    label TEXT NOT NULL,
    confidence REAL NOT NULL,
    start_time TEXT NOT NULL,
    end_time TEXT,
    peak_time TEXT,
    window_count INTEGER,
    shot_count INTEGER,
    alert INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    clip_key TEXT,
    clip_available INTEGER NOT NULL DEFAULT 0,
    clip_codec TEXT,
    clip_bytes INTEGER,
    model_version TEXT,
    source TEXT,
    scores TEXT,
    reviewed_label TEXT,
    reviewed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (station_id, event_id)
  );
  INSERT INTO detections_v2 SELECT station_id, event_id, label, confidence, start_time, end_time, peak_time, window_count, shot_count,
    alert, state, clip_key, clip_available, clip_codec, clip_bytes, model_version, source, scores, reviewed_label, reviewed_at, created_at, updated_at FROM detections;
  DROP TABLE detections;
  ALTER TABLE detections_v2 RENAME TO detections;
  CREATE INDEX detections_start ON detections (start_time);
  CREATE INDEX detections_station ON detections (station_id, start_time);
  CREATE INDEX detections_clip ON detections (clip_key);
  CREATE INDEX detections_event ON detections (event_id);
  `,
];
