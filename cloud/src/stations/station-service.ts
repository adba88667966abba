import { stationDocKey } from '#shared/bucket/layout.js';
import { EcoSightError } from '#shared/errors.js';
import { isoNow, type Clock } from '#shared/util/clock.js';
import { newStationToken, sha256Token } from '../plugins/auth.js';
import type { StationRegistration, StationsRepo } from '../adapters/db/stations-repo.js';
import { getJson, putJson, type ObjectStorage } from '../adapters/storage/object-storage.js';
import { mosquittoPasswordHash } from './mqtt-credentials.js';

/** A station operation that cannot be done; routes map the code to HTTP (exists: 409, unknown: 404). */
export class StationError extends EcoSightError {
  constructor(code: 'STATION_EXISTS' | 'STATION_NOT_FOUND', message: string) {
    super(code, message);
  }
}

export interface IssuedToken {
  id: string;
  /** Shown once; only its SHA-256 (and a broker password hash) is stored. */
  token: string;
}

/**
 * Registration and the station token's life: issue, rotate, revoke. Storage
 * (`stations/<id>/station.json`) is written first, then the index, which every
 * request reads: a rotated or revoked token stops working at once for presigning,
 * model downloads and MQTT ingestion. The document also carries the broker
 * password hash of the token, from which `ecosight-cloud mqtt-acl` writes the
 * broker's password file.
 */
export class StationService {
  private readonly deps: { storage: ObjectStorage; stations: StationsRepo; clock: Clock };

  constructor(deps: { storage: ObjectStorage; stations: StationsRepo; clock: Clock }) {
    this.deps = deps;
  }

  async register(id: string, name: string | undefined): Promise<IssuedToken> {
    const { storage, stations } = this.deps;
    if ((await stations.tokenHash(id)) || (await storage.head(stationDocKey(id)))) throw new StationError('STATION_EXISTS', `station ${id} is already registered`);
    const token = newStationToken();
    const reg = this.registration(id, name ?? id, token, isoNow(this.deps.clock));
    await putJson(storage, stationDocKey(id), reg);
    if (!(await stations.register(reg))) throw new StationError('STATION_EXISTS', `station ${id} is already registered`);
    return { id, token };
  }

  /** A new token; the old one is refused from now on. Also re-enables a revoked station. */
  async rotate(id: string): Promise<IssuedToken> {
    const current = await this.current(id);
    const token = newStationToken();
    const reg = this.registration(id, current.name, token, current.createdAt);
    await putJson(this.deps.storage, stationDocKey(id), reg);
    await this.deps.stations.upsertRegistration(reg);
    return { id, token };
  }

  /** No token works for the station any more; its data stays. */
  async revoke(id: string): Promise<void> {
    const current = await this.current(id);
    const reg: StationRegistration = { v: 1, id, name: current.name, tokenSha256: REVOKED, createdAt: current.createdAt, revokedAt: isoNow(this.deps.clock) };
    await putJson(this.deps.storage, stationDocKey(id), reg);
    await this.deps.stations.upsertRegistration(reg);
  }

  private async current(id: string): Promise<StationRegistration> {
    try {
      return await getJson<StationRegistration>(this.deps.storage, stationDocKey(id));
    } catch (err) {
      if ((err as { code?: string }).code === 'OBJECT_NOT_FOUND') throw new StationError('STATION_NOT_FOUND', `station ${id} is not registered`);
      throw err;
    }
  }

  private registration(id: string, name: string, token: string, createdAt: string): StationRegistration {
    return { v: 1, id, name, tokenSha256: sha256Token(token), mqttPasswordHash: mosquittoPasswordHash(token), createdAt, rotatedAt: isoNow(this.deps.clock) };
  }
}

/** The token hash of a revoked station: never a SHA-256, so no token matches it. */
export const REVOKED = 'revoked';
