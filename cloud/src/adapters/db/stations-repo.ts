import type { TelemetryPayload } from '#shared/mqtt/payloads.js';
import type { IndexDb } from './index-db.js';

export interface StationRecord {
  id: string;
  name: string;
  createdAt: string;
  lastSeen: string | null;
  state: string | null;
  softwareVersion: string | null;
  modelVersion: string | null;
  telemetry: Omit<TelemetryPayload, 'v' | 'stationId' | 'modelVersion'> | null;
}

/** What is written to `stations/<id>/station.json`: enough to rebuild the row. */
export interface StationRegistration {
  v: 1;
  id: string;
  name: string;
  /** SHA-256 of the station token, or `revoked`. */
  tokenSha256: string;
  createdAt: string;
  /** Mosquitto hash of the token (the station's broker password), for `ecosight-cloud mqtt-acl`. */
  mqttPasswordHash?: string;
  rotatedAt?: string;
  revokedAt?: string;
}

export interface StationHealthPatch {
  lastSeen: string;
  state?: string;
  softwareVersion?: string;
  modelVersion?: string;
  telemetry?: StationRecord['telemetry'];
}

/** The stations table: registrations from storage, health from MQTT. Implemented on SQLite and PostgreSQL. */
export interface StationsRepo {
  /** Inserts a registration; resolves false when the id exists with a token already. */
  register(reg: StationRegistration): Promise<boolean>;
  /** Reindex path: the registration from storage wins over what the row holds. */
  upsertRegistration(reg: StationRegistration): Promise<void>;
  /** The station's token hash; `revoked` for a revoked station; undefined when never registered. */
  tokenHash(id: string): Promise<string | undefined>;
  /** Registered with a token that works (not revoked): only these stations' MQTT messages are believed. */
  isActive(id: string): Promise<boolean>;
  stationForTokenHash(hash: string): Promise<string | undefined>;
  /** Registrations as stored (reindex comparisons). */
  registrations(): Promise<StationRegistration[]>;
  get(id: string): Promise<StationRecord | undefined>;
  list(): Promise<StationRecord[]>;
  /** Records health from MQTT, for registered stations only (the ingestor drops the others). */
  touch(id: string, patch: StationHealthPatch): Promise<StationRecord | undefined>;
}

/** Whether a stored token hash is a working token (not empty, not `revoked`). */
export const isTokenHash = (hash: string | undefined): boolean => /^[0-9a-f]{64}$/.test(hash ?? '');

export interface StationRow {
  id: string; name: string; token_sha256: string; created_at: string; last_seen: string | null; state: string | null;
  software_version: string | null; model_version: string | null; telemetry: string | null;
}

export class SqliteStationsRepo implements StationsRepo {
  private readonly db: IndexDb;

  constructor(db: IndexDb) {
    this.db = db;
  }

  async register(reg: StationRegistration): Promise<boolean> {
    const existing = this.db.prepare('SELECT token_sha256 FROM stations WHERE id = ?').get(reg.id) as { token_sha256: string } | undefined;
    if (existing && existing.token_sha256 !== '') return false;
    this.upsertSync(reg);
    return true;
  }

  async upsertRegistration(reg: StationRegistration): Promise<void> {
    this.upsertSync(reg);
  }

  // register() checks and inserts without yielding, so two registrations of one id cannot interleave.
  private upsertSync(reg: StationRegistration): void {
    this.db.prepare(`INSERT INTO stations (id, name, token_sha256, created_at) VALUES (@id, @name, @tokenSha256, @createdAt)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, token_sha256 = excluded.token_sha256, created_at = excluded.created_at`).run(reg);
  }

  async tokenHash(id: string): Promise<string | undefined> {
    return this.tokenHashSync(id);
  }

  private tokenHashSync(id: string): string | undefined {
    const row = this.db.prepare('SELECT token_sha256 FROM stations WHERE id = ?').get(id) as { token_sha256: string } | undefined;
    return row?.token_sha256 || undefined;
  }

  async isActive(id: string): Promise<boolean> {
    return isTokenHash(this.tokenHashSync(id));
  }

  async stationForTokenHash(hash: string): Promise<string | undefined> {
    if (!isTokenHash(hash)) return undefined;
    const row = this.db.prepare('SELECT id FROM stations WHERE token_sha256 = ?').get(hash) as { id: string } | undefined;
    return row?.id;
  }

  async registrations(): Promise<StationRegistration[]> {
    return (this.db.prepare(`SELECT id, name, token_sha256 AS tokenSha256, created_at AS createdAt FROM stations WHERE token_sha256 != '' ORDER BY id`)
      .all() as Omit<StationRegistration, 'v'>[]).map((r) => ({ v: 1, ...r }));
  }

  async get(id: string): Promise<StationRecord | undefined> {
    return this.getSync(id);
  }

  private getSync(id: string): StationRecord | undefined {
    const row = this.db.prepare('SELECT * FROM stations WHERE id = ?').get(id) as StationRow | undefined;
    return row ? toStationRecord(row) : undefined;
  }

  async list(): Promise<StationRecord[]> {
    return (this.db.prepare('SELECT * FROM stations ORDER BY id').all() as StationRow[]).map(toStationRecord);
  }

  async touch(id: string, patch: StationHealthPatch): Promise<StationRecord | undefined> {
    this.db.prepare(`UPDATE stations SET
        last_seen = CASE WHEN last_seen IS NULL OR last_seen < @lastSeen THEN @lastSeen ELSE last_seen END,
        state = COALESCE(@state, state),
        software_version = COALESCE(@softwareVersion, software_version),
        model_version = COALESCE(@modelVersion, model_version),
        telemetry = COALESCE(@telemetry, telemetry)
      WHERE id = @id`).run(healthPatchParams(id, patch));
    return this.getSync(id);
  }
}

/** A stations row as both engines return it. */
export function toStationRecord(row: StationRow): StationRecord {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    lastSeen: row.last_seen,
    state: row.state,
    softwareVersion: row.software_version,
    modelVersion: row.model_version,
    telemetry: row.telemetry ? JSON.parse(row.telemetry) : null,
  };
}

/** The named parameters of a station's health update, the same for both index engines. */
export function healthPatchParams(id: string, patch: StationHealthPatch): Record<string, unknown> {
  return {
    id,
    lastSeen: patch.lastSeen,
    state: patch.state ?? null,
    softwareVersion: patch.softwareVersion ?? null,
    modelVersion: patch.modelVersion ?? null,
    telemetry: patch.telemetry ? JSON.stringify(patch.telemetry) : null,
  };
}
