import { healthPatchParams, isTokenHash, toStationRecord, type StationHealthPatch, type StationRecord, type StationRegistration, type StationRow, type StationsRepo } from '../stations-repo.js';
import type { PgDb } from './pg-db.js';

const UPSERT = `INSERT INTO stations (id, name, token_sha256, created_at) VALUES (@id, @name, @tokenSha256, @createdAt)
  ON CONFLICT (id) DO UPDATE SET name = excluded.name, token_sha256 = excluded.token_sha256, created_at = excluded.created_at`;

export class PgStationsRepo implements StationsRepo {
  private readonly db: PgDb;

  constructor(db: PgDb) {
    this.db = db;
  }

  async register(reg: StationRegistration): Promise<boolean> {
    // One statement: two instances registering the same id at once cannot both win.
    const won = await this.db.run(`${UPSERT} WHERE stations.token_sha256 = ''`, params(reg));
    return won === 1;
  }

  async upsertRegistration(reg: StationRegistration): Promise<void> {
    await this.db.run(UPSERT, params(reg));
  }

  async tokenHash(id: string): Promise<string | undefined> {
    const row = await this.db.one<{ token_sha256: string }>('SELECT token_sha256 FROM stations WHERE id = @id', { id });
    return row?.token_sha256 || undefined;
  }

  async isActive(id: string): Promise<boolean> {
    return isTokenHash(await this.tokenHash(id));
  }

  async stationForTokenHash(hash: string): Promise<string | undefined> {
    if (!isTokenHash(hash)) return undefined;
    return (await this.db.one<{ id: string }>('SELECT id FROM stations WHERE token_sha256 = @hash ORDER BY id LIMIT 1', { hash }))?.id;
  }

  async registrations(): Promise<StationRegistration[]> {
    const rows = await this.db.rows<Omit<StationRegistration, 'v'>>(
      `SELECT id, name, token_sha256 AS "tokenSha256", created_at AS "createdAt" FROM stations WHERE token_sha256 != '' ORDER BY id`);
    return rows.map((r) => ({ v: 1, ...r }));
  }

  async get(id: string): Promise<StationRecord | undefined> {
    const row = await this.db.one<StationRow>('SELECT * FROM stations WHERE id = @id', { id });
    return row ? toStationRecord(row) : undefined;
  }

  async list(): Promise<StationRecord[]> {
    return (await this.db.rows<StationRow>('SELECT * FROM stations ORDER BY id')).map(toStationRecord);
  }

  async touch(id: string, patch: StationHealthPatch): Promise<StationRecord | undefined> {
    const row = await this.db.one<StationRow>(`UPDATE stations SET
        last_seen = CASE WHEN stations.last_seen IS NULL OR stations.last_seen < @lastSeen THEN @lastSeen ELSE stations.last_seen END,
        state = COALESCE(@state, stations.state),
        software_version = COALESCE(@softwareVersion, stations.software_version),
        model_version = COALESCE(@modelVersion, stations.model_version),
        telemetry = COALESCE(@telemetry, stations.telemetry)
      WHERE id = @id RETURNING *`, healthPatchParams(id, patch));
    return row ? toStationRecord(row) : undefined;
  }
}

const params = (reg: StationRegistration) => ({ id: reg.id, name: reg.name, tokenSha256: reg.tokenSha256, createdAt: reg.createdAt });
