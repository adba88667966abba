import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isStationDocKey, STATIONS_PREFIX } from '#shared/bucket/layout.js';
import type { CloudConfig } from '#shared/config/cloud-config.js';
import { systemClock } from '#shared/util/clock.js';
import type { StationRegistration } from '../adapters/db/stations-repo.js';
import { getJson, type ObjectStorage } from '../adapters/storage/object-storage.js';
import { brokerAuthFiles, mosquittoPasswordHash, mqttUrlCredentials, type BrokerUser } from '../stations/mqtt-credentials.js';
import { StationService } from '../stations/station-service.js';
import { createStorage, openIndex } from '../wiring.js';

/**
 * `ecosight-cloud station-token rotate|revoke <id>`: the same operation as the
 * admin API, on storage and the index file the running service reads (it sees
 * the change on its next request).
 */
export async function stationToken(config: CloudConfig, action: 'rotate' | 'revoke', id: string): Promise<string> {
  const { storage } = await createStorage(config);
  const { repos } = await openIndex(config);
  try {
    const service = new StationService({ storage, stations: repos.stations, clock: systemClock });
    if (action === 'revoke') {
      await service.revoke(id);
      return `station ${id}: token revoked (regenerate the broker files: ecosight-cloud mqtt-acl)\n`;
    }
    const { token } = await service.rotate(id);
    return `station ${id}: new token (shown once; put it in the station's upload.token and MQTT password):\n${token}\n`;
  } finally {
    await repos.close();
  }
}

/** Every registered, not revoked station with its broker password hash. */
export async function brokerStations(storage: ObjectStorage): Promise<BrokerUser[]> {
  const users: BrokerUser[] = [];
  for await (const info of storage.list(STATIONS_PREFIX)) {
    if (!isStationDocKey(info.key)) continue;
    const reg = await getJson<StationRegistration>(storage, info.key);
    if (reg.mqttPasswordHash && /^[0-9a-f]{64}$/.test(reg.tokenSha256)) users.push({ username: reg.id, passwordHash: reg.mqttPasswordHash });
  }
  return users;
}

/**
 * `ecosight-cloud mqtt-acl --out DIR`: writes `passwd` and `acl` for Mosquitto
 * (password_file / acl_file). The cloud's own login comes from MQTT_URL's user
 * and password. Stations registered before issue 13 have no broker password
 * until their token is rotated.
 */
export async function mqttAcl(config: CloudConfig, outDir: string): Promise<string> {
  const { storage } = await createStorage(config);
  const stations = await brokerStations(storage);
  const login = mqttUrlCredentials(config.mqttUrl);
  const cloud = login ? { username: login.username, passwordHash: mosquittoPasswordHash(login.password) } : undefined;
  const files = brokerAuthFiles(config.mqttPrefix, stations, cloud);
  await mkdir(outDir, { recursive: true });
  for (const [name, text] of [['passwd', files.passwords], ['acl', files.acl]] as const) {
    await writeFile(join(outDir, name), text, { mode: 0o600 });
    await chmod(join(outDir, name), 0o600);
  }
  const note = cloud ? '' : ' (MQTT_URL has no user: the cloud gets no broker login)';
  return `wrote ${join(outDir, 'passwd')} and ${join(outDir, 'acl')}: ${stations.length} station(s)${note}\n`;
}
