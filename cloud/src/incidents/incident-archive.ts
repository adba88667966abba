import { incidentDayPrefix, INCIDENTS_PREFIX, isIncidentDocKey } from '#shared/bucket/layout.js';
import { describeError } from '#shared/errors.js';
import type { IncidentPayload } from '#shared/mqtt/location.js';
import type { Logger } from '#shared/util/logger.js';
import { getJson, type ObjectStorage } from '../adapters/storage/object-storage.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const READ_CONCURRENCY = 8;

export interface ArchiveReadOptions {
  nowMs: number;
  /** Days back from today (UTC) whose incident folders are read. */
  days: number;
  /** Most incidents kept (the newest by start time). */
  max: number;
}

/**
 * Reads back the incidents formed before a restart: the bucket keeps the
 * latest form of each (`incidents/<yyyy-mm-dd>/<id>.json`, #shared/bucket/layout.js),
 * so the day folders from tomorrow (a station clock running ahead) back to
 * `days` ago, plus the older flat `incidents/<id>.json` documents, are listed
 * and read. A document that cannot be read or does not look like an incident
 * is skipped with a warning. Newest first.
 */
export async function readRecentIncidents(storage: ObjectStorage, options: ArchiveReadOptions, logger: Logger): Promise<IncidentPayload[]> {
  const keys: string[] = [];
  for (let d = -1; d < options.days; d++) {
    for await (const o of storage.list(incidentDayPrefix(new Date(options.nowMs - d * DAY_MS)))) if (isIncidentDocKey(o.key)) keys.push(o.key);
  }
  for await (const o of storage.list(`${INCIDENTS_PREFIX}in-`)) if (isIncidentDocKey(o.key)) keys.push(o.key);
  const found: IncidentPayload[] = [];
  for (let i = 0; i < keys.length; i += READ_CONCURRENCY) {
    const batch = await Promise.all(keys.slice(i, i + READ_CONCURRENCY).map((key) => getJson<unknown>(storage, key).then(
      (doc) => (looksLikeIncident(doc) ? doc : warn(logger, key, 'not an incident document')),
      (err: unknown) => warn(logger, key, describeError(err)),
    )));
    for (const doc of batch) if (doc) found.push(doc);
  }
  const newestFirst = found.sort((a, b) => Date.parse(b.startTime) - Date.parse(a.startTime));
  // One id may be in both layouts (written before and after the dated keys): the latest update wins.
  const byId = new Map<string, IncidentPayload>();
  for (const doc of newestFirst) {
    const seen = byId.get(doc.incidentId);
    if (!seen || Date.parse(doc.updatedAt) > Date.parse(seen.updatedAt)) byId.set(doc.incidentId, doc);
  }
  return [...byId.values()].slice(0, options.max);
}

function warn(logger: Logger, key: string, reason: string): undefined {
  logger.warn({ key, reason }, 'incident document skipped');
  return undefined;
}

function looksLikeIncident(doc: unknown): doc is IncidentPayload {
  if (typeof doc !== 'object' || doc === null) return false;
  const d = doc as Partial<IncidentPayload>;
  return d.v === 1 && typeof d.incidentId === 'string' && typeof d.label === 'string' && Array.isArray(d.stations)
    && Number.isFinite(Date.parse(d.startTime ?? '')) && typeof d.corroboration === 'string';
}
