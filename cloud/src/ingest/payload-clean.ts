import type { AlertPayload, EventPayload, StatusPayload, TelemetryPayload } from '#shared/mqtt/payloads.js';
import type { ClipSidecar } from '#shared/mqtt/sidecar.js';

/**
 * What stations send is stored in the index and served to every dashboard,
 * whose answers have schemas: one string where a number belongs made
 * GET /api/detections (or /api/stations) fail for everyone. After the checks
 * in payload-checks.ts pass (the fields a detection cannot do without), these
 * keep the secondary fields only when their type is right, else null: a
 * detection is never dropped for a bad detail.
 */

/** Longest label (class names are short) and free-text field we keep. */
export const MAX_LABEL_CHARS = 64;
const MAX_TEXT_CHARS = 128;
const MAX_SCORES = 64;

export const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** A parseable time, as a canonical ISO string (the index compares times as strings). */
export function isoOrNull(t: unknown): string | null {
  if (typeof t !== 'string' || t.length > 64) return null;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

export const countOrNull = (x: unknown): number | null => (Number.isSafeInteger(x) && (x as number) >= 0 ? (x as number) : null);
export const textOrNull = (x: unknown, max = MAX_TEXT_CHARS): string | null => (typeof x === 'string' && x.length <= max ? x : null);
const numberOrNull = (x: unknown): number | null => (isFiniteNumber(x) ? x : null);

/** Class scores: the entries that are finite numbers with short keys, or null if there is no such object. */
export function scoresOrNull(x: unknown): Record<string, number> | null {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return null;
  const entries = Object.entries(x).filter(([k, v]) => k.length <= MAX_LABEL_CHARS && isFiniteNumber(v)).slice(0, MAX_SCORES);
  return Object.fromEntries(entries);
}

/** The fields every detection needs; a message without them is dropped (by payload-checks). */
export function coreProblem(label: unknown, confidence: unknown, startTime: unknown): string | undefined {
  if (typeof label !== 'string' || label.length === 0 || label.length > MAX_LABEL_CHARS) return 'bad label';
  if (!isFiniteNumber(confidence) || confidence < 0 || confidence > 1) return 'confidence is not a number in [0, 1]';
  if (isoOrNull(startTime) === null) return 'bad startTime';
  return undefined;
}

// The repositories read optional fields with `?? null`: an undefined field is stored as null.
const opt = <T>(x: T | null): T | undefined => (x === null ? undefined : x);

export function cleanEvent(p: EventPayload): EventPayload {
  return {
    ...p,
    startTime: isoOrNull(p.startTime) as string,
    endTime: opt(isoOrNull(p.endTime)),
    peakTime: opt(isoOrNull(p.peakTime)) as string,
    windowCount: opt(countOrNull(p.windowCount)) as number,
    shotCount: opt(countOrNull(p.shotCount)),
    modelVersion: opt(textOrNull(p.modelVersion)) as string,
    source: opt(textOrNull(p.source)) as string,
    alert: p.alert === true,
  };
}

export function cleanAlert(p: AlertPayload): AlertPayload {
  return {
    ...p,
    startTime: isoOrNull(p.startTime) as string,
    shotCount: countOrNull(p.shotCount) ?? 0,
    modelVersion: opt(textOrNull(p.modelVersion)) as string,
    delayed: p.delayed === true,
  };
}

export function cleanSidecar(s: ClipSidecar): ClipSidecar {
  const d = s.detection;
  return {
    ...s,
    modelVersion: opt(textOrNull(s.modelVersion)) as string,
    source: opt(textOrNull(s.source)) as string,
    createdAt: opt(isoOrNull(s.createdAt)) as string,
    detection: {
      ...d,
      startTime: isoOrNull(d.startTime) as string,
      endTime: opt(isoOrNull(d.endTime)) as string,
      peakTime: opt(isoOrNull(d.peakTime)) as string,
      windowCount: opt(countOrNull(d.windowCount)) as number,
      shotCount: countOrNull(d.shotCount),
      scores: opt(scoresOrNull(d.scores)) as Record<string, number>,
    },
  };
}

export function cleanStatus(p: StatusPayload): Pick<StatusPayload, 'state' | 'softwareVersion' | 'modelVersion'> {
  return { state: p.state, softwareVersion: opt(textOrNull(p.softwareVersion, 64)), modelVersion: opt(textOrNull(p.modelVersion, 64)) };
}

/** The telemetry the dashboard shows: known fields only, numbers finite (the required ones are checked before). */
export type StoredTelemetry = Omit<TelemetryPayload, 'v' | 'stationId' | 'modelVersion'>;

const REQUIRED_TELEMETRY_NUMBERS = ['uptimeSec', 'queueDepth', 'pendingUploads', 'pendingAlerts', 'clipBytes', 'droppedWindows', 'gapCount'] as const;

export function telemetryProblem(p: TelemetryPayload): string | undefined {
  if (isoOrNull(p.time) === null) return 'bad time';
  const bad = REQUIRED_TELEMETRY_NUMBERS.filter((k) => !isFiniteNumber(p[k]));
  return bad.length ? `not numbers: ${bad.join(', ')}` : undefined;
}

export function cleanTelemetry(p: TelemetryPayload): { telemetry: StoredTelemetry; modelVersion: string | undefined } {
  const telemetry: StoredTelemetry = {
    time: isoOrNull(p.time) as string,
    uptimeSec: p.uptimeSec, queueDepth: p.queueDepth, pendingUploads: p.pendingUploads, pendingAlerts: p.pendingAlerts,
    clipBytes: p.clipBytes, droppedWindows: p.droppedWindows, gapCount: p.gapCount,
    diskFreeBytes: numberOrNull(p.diskFreeBytes), cpuTempC: numberOrNull(p.cpuTempC), lastAudioTime: isoOrNull(p.lastAudioTime),
  };
  return { telemetry, modelVersion: opt(textOrNull(p.modelVersion, 64)) };
}
