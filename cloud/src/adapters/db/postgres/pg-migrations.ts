/**
 * Schema of the metadata index on PostgreSQL, one entry per version (rows of
 * `schema_migrations`). Its first version is the SQLite schema as it stands
 * after SQLite's migrations (migrations.ts); later changes go in both lists.
 *
 * Text is compared byte-wise (COLLATE "C") as SQLite does: ISO times, ids and
 * keys then sort and compare the same on both engines, whatever the database's
 * locale. Flags stay integers (0/1) so both engines return the same rows.
 */
export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE stations (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    token_sha256 TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    last_seen TEXT COLLATE "C",
    state TEXT,
    software_version TEXT,
    model_version TEXT,
    telemetry TEXT
  );
  CREATE INDEX stations_token ON stations (token_sha256);
  CREATE TABLE uploads (
    key TEXT COLLATE "C" PRIMARY KEY,
    class TEXT COLLATE "C" NOT NULL,
    name TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL
  );
  CREATE INDEX uploads_created ON uploads (created_at);
  CREATE TABLE detections (
    station_id TEXT COLLATE "C" NOT NULL,
    event_id TEXT COLLATE "C" NOT NULL,
    label TEXT COLLATE "C" NOT NULL,
    confidence DOUBLE PRECISION NOT NULL,
    start_time TEXT COLLATE "C" NOT NULL,
    end_time TEXT COLLATE "C",
    peak_time TEXT COLLATE "C",
    window_count INTEGER,
    shot_count INTEGER,
    alert INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    clip_key TEXT COLLATE "C",
    clip_available INTEGER NOT NULL DEFAULT 0,
    clip_codec TEXT,
    clip_bytes BIGINT,
    model_version TEXT,
    source TEXT,
    scores TEXT,
    reviewed_label TEXT,
    reviewed_at TEXT COLLATE "C",
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (station_id, event_id)
  );
  CREATE INDEX detections_start ON detections (start_time);
  CREATE INDEX detections_station ON detections (station_id, start_time);
  CREATE INDEX detections_clip ON detections (clip_key);
  CREATE INDEX detections_event ON detections (event_id);
  CREATE TABLE jobs (
    id TEXT COLLATE "C" PRIMARY KEY,
    state TEXT NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    status_json TEXT NOT NULL
  );
  CREATE TABLE releases (
    version TEXT COLLATE "C" PRIMARY KEY,
    status TEXT NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    release_json TEXT NOT NULL
  );
  CREATE TABLE settings (
    key TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE logging_alerts (
    alert_id TEXT COLLATE "C" PRIMARY KEY,
    station_id TEXT COLLATE "C" NOT NULL,
    label TEXT NOT NULL,
    state TEXT NOT NULL,
    start_time TEXT COLLATE "C" NOT NULL,
    last_heard_time TEXT COLLATE "C" NOT NULL,
    duration_sec DOUBLE PRECISION NOT NULL,
    present_sec DOUBLE PRECISION NOT NULL,
    peak_confidence DOUBLE PRECISION NOT NULL,
    mean_confidence DOUBLE PRECISION NOT NULL,
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
  // 2: retrain jobs are claimed in the database (FOR UPDATE SKIP LOCKED), not by a bucket object.
  `
  ALTER TABLE jobs ADD COLUMN claimed_by TEXT;
  ALTER TABLE jobs ADD COLUMN claimed_at TEXT;
  `,
];
