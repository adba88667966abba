import { CLIP_CODECS, CLIP_EXTENSION_PATTERN, clipExtension, type ClipCodec } from '../audio/clip-codec.js';
import { isSafeName } from '../util/safe-name.js';

/**
 * The bucket's key layout: where uploads, station clips and sidecars, event
 * documents, reviews (labels) and jobs live. Stations write clips and sidecars,
 * the cloud writes and reindexes the rest; both build keys only here, so the
 * layout is written down once. Model releases (`models/`) have their own
 * contract module (the release keys live with the manifest and latest pointer).
 *
 * Station and event ids are single key segments of [A-Za-z0-9._-] (checked at
 * the border before they reach a key builder).
 */

// ---- uploads: the seed's layout, `extracted_audio/<class>/<YYYYMMDD_HHMMSS>_<name>.<wav|flac|opus>`

export const UPLOADS_PREFIX = 'extracted_audio/';

/** The seed's timestamp format, UTC. */
export function uploadTimestamp(d: Date): string {
  const p = (n: number) => n.toString().padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}_${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

export function uploadKey(className: string, timestamp: string, name: string): string {
  return `${UPLOADS_PREFIX}${className}/${timestamp}_${name}`;
}

export interface ParsedUploadKey {
  class: string;
  name: string;
  /** From the key's timestamp; undefined for keys not written by this service. */
  createdAt: string | undefined;
}

export function parseUploadKey(key: string): ParsedUploadKey | undefined {
  const m = /^extracted_audio\/([^/]+)\/([^/]+\.(?:wav|flac|opus))$/i.exec(key);
  if (!m) return undefined;
  const [, cls, file] = m;
  const t = /^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})_(.+)$/.exec(file);
  if (!t) return { class: cls, name: file, createdAt: undefined };
  const [, y, mo, d, h, mi, s, name] = t;
  return { class: cls, name, createdAt: new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s)).toISOString() };
}

// ---- stations: `stations/<id>/station.json` (the cloud's) and the station's own clips and sidecars

export const STATIONS_PREFIX = 'stations/';

/** Everything a station may write lives below this prefix (except its station document). */
export const stationPrefix = (stationId: string) => `${STATIONS_PREFIX}${stationId}/`;

/** The registration document, written by the cloud only. */
export const stationDocKey = (stationId: string) => `${stationPrefix(stationId)}station.json`;

export const isStationDocKey = (key: string) => /^stations\/[^/]+\/station\.json$/.test(key);

/**
 * `stations/<stationId>/<yyyy>/<mm>/<dd>/<clipId>.<wav|flac|opus>`, from the detection's UTC start
 * date; the extension names the clip's codec (#shared/audio/clip-codec.js).
 */
export function clipObjectKey(stationId: string, clipId: string, startTimeMs: number, codec: ClipCodec = 'wav'): string {
  return `${clipDayPrefix(stationId, new Date(startTimeMs))}${clipId}${clipExtension(codec)}`;
}

/** The day folder `stations/<id>/<yyyy>/<mm>/<dd>/` a clip of that day lives in. */
export function clipDayPrefix(stationId: string, day: Date): string {
  const yyyy = day.getUTCFullYear().toString().padStart(4, '0');
  const mm = (day.getUTCMonth() + 1).toString().padStart(2, '0');
  const dd = day.getUTCDate().toString().padStart(2, '0');
  return `${stationPrefix(stationId)}${yyyy}/${mm}/${dd}/`;
}

/** The JSON sidecar next to a clip of any codec. */
export function sidecarKeyFor(clipKey: string): string {
  return clipKey.replace(CLIP_EXTENSION_PATTERN, '.json');
}

/** The keys the clip next to a sidecar may have, one per codec (the sidecar itself names which). */
export function clipKeysFor(sidecarKey: string): string[] {
  const stem = sidecarKey.replace(/\.json$/, '');
  return CLIP_CODECS.map((c) => stem + clipExtension(c));
}

/** `stations/<id>/<yyyy>/<mm>/<dd>/<clipId>.json` (not station.json). */
export function isSidecarKey(key: string): boolean {
  return /^stations\/[^/]+\/\d{4}\/\d{2}\/\d{2}\/[^/]+\.json$/.test(key);
}

/** A station clip (`stations/<id>/.../<clipId>.<wav|flac|opus>`). */
export function isClipKey(key: string): boolean {
  return /^stations\/[^/]+\/.+$/.test(key) && CLIP_EXTENSION_PATTERN.test(key);
}

/** The station a `stations/<id>/...` key belongs to. */
export function stationOfKey(key: string): string | undefined {
  return /^stations\/([^/]+)\//.exec(key)?.[1];
}

/** Longest clip or sidecar file name a station may write (a clip id of a 64-character station id, plus its extension). */
const STATION_FILE_MAX_LENGTH = 200;
const STATION_UPLOAD_KEY = /^stations\/[^/]+\/\d{4}\/\d{2}\/\d{2}\/([^/]+)$/;

/** Why a key a station names (confirm, presign) is not one of its own clips or sidecars. */
export interface StationKeyProblem {
  /** `foreign`: another station's prefix or none; `malformed`: not a clip or sidecar key. */
  kind: 'foreign' | 'malformed';
  message: string;
}

/**
 * Checks a key that arrives from a station (hostile input) against that station's own
 * layout: `stations/<stationId>/<yyyy>/<mm>/<dd>/<safe name>.<json|wav|flac|opus>`.
 * Undefined when it is one; the station document and anything outside the day folders are not.
 */
export function stationUploadKeyProblem(stationId: string, key: unknown): StationKeyProblem | undefined {
  if (typeof key !== 'string') return { kind: 'malformed', message: 'a key must be a string' };
  const shown = JSON.stringify(key.slice(0, 120));
  if (stationOfKey(key) !== stationId) return { kind: 'foreign', message: `key ${shown} is outside ${stationPrefix(stationId)}` };
  const file = STATION_UPLOAD_KEY.exec(key)?.[1];
  if (file === undefined || !isSafeName(file, STATION_FILE_MAX_LENGTH) || !(isSidecarKey(key) || isClipKey(key))) {
    return { kind: 'malformed', message: `key ${shown} is not a clip or sidecar key (${stationPrefix(stationId)}<yyyy>/<mm>/<dd>/<name>.<json|wav|flac|opus>)` };
  }
  return undefined;
}

// ---- events and labels: the cloud's documents, one per (station, event)

export const EVENTS_PREFIX = 'events/';

/** `events/<stationId>/<eventId>.json`: detections known from MQTT, kept so reindex can restore them. */
export const eventDocKey = (stationId: string, eventId: string) => `${EVENTS_PREFIX}${stationId}/${eventId}.json`;

export const LABELS_PREFIX = 'labels/';

/** `labels/<stationId>/<eventId>.json`: a review. (Before issue 13: `labels/<eventId>.json`, still read.) */
export const labelDocKey = (stationId: string, eventId: string) => `${LABELS_PREFIX}${stationId}/${eventId}.json`;

// ---- jobs: `jobs/<id>/{request,status,claim}.json`

export const JOBS_PREFIX = 'jobs/';
export const jobRequestKey = (id: string) => `${JOBS_PREFIX}${id}/request.json`;
export const jobStatusKey = (id: string) => `${JOBS_PREFIX}${id}/status.json`;
export const jobClaimKey = (id: string) => `${JOBS_PREFIX}${id}/claim.json`;

// ---- incidents: `incidents/<yyyy-mm-dd>/<incidentId>.json`, the latest form of each (the cloud's)

export const INCIDENTS_PREFIX = 'incidents/';

/** The day folder `incidents/<yyyy-mm-dd>/` of incidents whose first alert's onset fell on that UTC day. */
export function incidentDayPrefix(day: Date): string {
  return `${INCIDENTS_PREFIX}${day.toISOString().slice(0, 10)}/`;
}

/**
 * `incidents/<yyyy-mm-dd>/<incidentId>.json`, dated by the incident's first
 * alert's onset (fixed when the incident forms, so the key does not move as it
 * grows); rewritten with each change. Before persistence was reloaded:
 * `incidents/<incidentId>.json`, still read.
 */
export const incidentDocKey = (incidentId: string, firstOnsetMs: number) => `${incidentDayPrefix(new Date(firstOnsetMs))}${incidentId}.json`;

/** An incident document, dated or in the older flat form. */
export const isIncidentDocKey = (key: string) => /^incidents\/(?:\d{4}-\d{2}-\d{2}\/)?[^/]+\.json$/.test(key);
