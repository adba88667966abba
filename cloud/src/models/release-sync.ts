import { ObjectNotFoundError } from '../errors.js';
import type { ReleasesRepo } from '../plugins/db/releases-repo.js';
import { getJson, type ObjectStorage } from '../plugins/storage/object-storage.js';
import { LATEST_KEY, type LatestPointer, type ReleaseRecord } from './release.js';

/**
 * Brings the index's releases up to date with storage, where a worker on
 * another machine may have published or rejected a model. With `onlyIfPointerMoved`
 * it reads just models/latest.json unless that names a version the index lacks.
 * Returns the releases that were new to the index.
 */
export async function syncReleases(storage: ObjectStorage, releases: ReleasesRepo, onlyIfPointerMoved = false): Promise<ReleaseRecord[]> {
  let pointer: LatestPointer | undefined;
  try {
    pointer = await getJson<LatestPointer>(storage, LATEST_KEY);
  } catch (err) {
    if (!(err instanceof ObjectNotFoundError)) throw err;
  }
  if (onlyIfPointerMoved && (pointer === undefined || pointer.version === releases.latest())) return [];
  const added: ReleaseRecord[] = [];
  for await (const info of storage.list('models/')) {
    const m = /^models\/([^/]+)\/release\.json$/.exec(info.key);
    if (!m || releases.get(m[1])) continue;
    const record = await getJson<ReleaseRecord>(storage, info.key);
    releases.upsert(record);
    added.push(record);
  }
  if (pointer && releases.get(pointer.version)?.status === 'published') releases.setLatest(pointer.version);
  return added;
}
