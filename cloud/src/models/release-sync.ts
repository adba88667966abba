import { ObjectNotFoundError } from '../errors.js';
import type { ReleasesRepo } from '../adapters/db/releases-repo.js';
import { LATEST_KEY, MODELS_PREFIX, parseReleaseRecordKey } from '#shared/release/layout.js';
import { LatestPointerSchema, type LatestPointer } from '#shared/release/pointer.js';
import { ReleaseRecordSchema, type ReleaseRecord } from '#shared/release/record.js';
import { checkWire } from '#shared/util/wire-check.js';
import { getJson, type ObjectStorage } from '../adapters/storage/object-storage.js';

/**
 * Brings the index's releases up to date with storage, where a worker on
 * another machine may have published or rejected a model. With `onlyIfPointerMoved`
 * it reads just models/latest.json unless that names a version the index lacks.
 * Returns the releases that were new to the index.
 */
export async function syncReleases(storage: ObjectStorage, releases: ReleasesRepo, onlyIfPointerMoved = false): Promise<ReleaseRecord[]> {
  let pointer: LatestPointer | undefined;
  try {
    pointer = checkWire(LatestPointerSchema, await getJson(storage, LATEST_KEY), LATEST_KEY);
  } catch (err) {
    if (!(err instanceof ObjectNotFoundError)) throw err;
  }
  if (onlyIfPointerMoved && (pointer === undefined || pointer.version === (await releases.latest()))) return [];
  const added: ReleaseRecord[] = [];
  for await (const info of storage.list(MODELS_PREFIX)) {
    const version = parseReleaseRecordKey(info.key);
    if (version === undefined || (await releases.get(version))) continue;
    const record = checkWire(ReleaseRecordSchema, await getJson(storage, info.key), info.key);
    await releases.upsert(record);
    added.push(record);
  }
  if (pointer && (await releases.get(pointer.version))?.status === 'published') await releases.setLatest(pointer.version);
  return added;
}
