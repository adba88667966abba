import type { Static, TSchema } from '@sinclair/typebox';
import { clipKeysFor, EVENTS_PREFIX, isSidecarKey, isStationDocKey, JOBS_PREFIX, LABELS_PREFIX, parseUploadKey, STATIONS_PREFIX, UPLOADS_PREFIX } from '#shared/bucket/layout.js';
import type { Logger } from '#shared/util/logger.js';
import type { JobStatus } from '../jobs/job-status.js';
import { LATEST_KEY, MODELS_PREFIX, parseReleaseRecordKey } from '#shared/release/layout.js';
import { LatestPointerSchema } from '#shared/release/pointer.js';
import { ReleaseRecordSchema } from '#shared/release/record.js';
import { checkWire } from '#shared/util/wire-check.js';
import type { DetectionRecord } from '../adapters/db/detections-repo.js';
import type { Repos } from '../adapters/db/repos.js';
import type { StationRegistration } from '../adapters/db/stations-repo.js';
import { getJson, type ObjectStorage } from '../adapters/storage/object-storage.js';
import type { Ingestor } from './ingestor.js';
import type { LabelDoc } from './label-doc.js';

export interface ReindexCounts {
  stations: number;
  detections: number;
  sidecars: number;
  labels: number;
  uploads: number;
  jobs: number;
  releases: number;
  skipped: number;
}

/**
 * Rebuilds the index from storage alone into `repos` (which should be empty):
 * registrations, MQTT event documents, then sidecars (the station's final word),
 * then reviews, uploads, jobs and releases. Unreadable documents are counted and skipped.
 */
export async function rebuildIndex(storage: ObjectStorage, repos: Repos, ingestor: Ingestor, logger: Logger): Promise<ReindexCounts> {
  const counts: ReindexCounts = { stations: 0, detections: 0, sidecars: 0, labels: 0, uploads: 0, jobs: 0, releases: 0, skipped: 0 };
  const read = async <T>(key: string): Promise<T | undefined> => {
    try {
      return await getJson<T>(storage, key);
    } catch (err) {
      counts.skipped++;
      logger.warn({ key, err: (err as Error).message }, 'reindex: unreadable document skipped');
      return undefined;
    }
  };

  const stationKeys: string[] = [];
  for await (const info of storage.list(STATIONS_PREFIX)) stationKeys.push(info.key);
  const stored = new Set(stationKeys);
  for (const key of stationKeys.filter(isStationDocKey)) {
    const reg = await read<StationRegistration>(key);
    if (reg?.id && reg.tokenSha256) {
      await repos.stations.upsertRegistration(reg);
      counts.stations++;
    }
  }
  for await (const info of storage.list(EVENTS_PREFIX)) {
    const record = await read<DetectionRecord>(info.key);
    if (record?.id) {
      await repos.detections.restore(record);
      counts.detections++;
    }
  }
  for (const key of stationKeys.filter(isSidecarKey)) {
    if (await ingestor.onSidecar(key, clipKeysFor(key).some((k) => stored.has(k)))) counts.sidecars++;
    else counts.skipped++;
  }
  for (const d of await repos.detections.all()) {
    if (!d.clipAvailable && d.clipKey && stored.has(d.clipKey)) await repos.detections.markClipAvailable(d.clipKey, d.updatedAt);
  }
  for await (const info of storage.list(LABELS_PREFIX)) {
    // Both layouts: labels/<station>/<event>.json, and the older labels/<event>.json (its document names the station).
    const doc = await read<LabelDoc>(info.key);
    if (doc?.eventId && doc.stationId && (await repos.detections.setReview(doc.stationId, doc.eventId, doc.label, doc.reviewedAt))) counts.labels++;
  }
  for await (const info of storage.list(UPLOADS_PREFIX)) {
    const parsed = parseUploadKey(info.key);
    if (!parsed) continue;
    await repos.uploads.upsert({ key: info.key, class: parsed.class, name: parsed.name, bytes: info.bytes, createdAt: parsed.createdAt ?? info.lastModified.toISOString() });
    counts.uploads++;
  }
  for await (const info of storage.list(JOBS_PREFIX)) {
    if (!info.key.endsWith('/status.json')) continue;
    const status = await read<JobStatus>(info.key);
    if (status?.id) {
      await repos.jobs.upsert(status);
      counts.jobs++;
    }
  }
  // Release documents are part of the wire contract: checked against its schema, not just parsed.
  const readChecked = async <T extends TSchema>(schema: T, key: string): Promise<Static<T> | undefined> => {
    const value = await read<unknown>(key);
    if (value === undefined) return undefined;
    try {
      return checkWire(schema, value, key);
    } catch (err) {
      counts.skipped++;
      logger.warn({ key, err: (err as Error).message }, 'reindex: malformed document skipped');
      return undefined;
    }
  };
  for await (const info of storage.list(MODELS_PREFIX)) {
    if (parseReleaseRecordKey(info.key) === undefined) continue;
    const record = await readChecked(ReleaseRecordSchema, info.key);
    if (record) {
      await repos.releases.upsert(record);
      counts.releases++;
    }
  }
  if (await storage.head(LATEST_KEY)) {
    const pointer = await readChecked(LatestPointerSchema, LATEST_KEY);
    if (pointer && (await repos.releases.get(pointer.version))?.status === 'published') await repos.releases.setLatest(pointer.version);
  }
  logger.info(counts, 'index rebuilt from storage');
  return counts;
}
