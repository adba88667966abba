import { CLIP_EXTENSION_PATTERN, codecOfKey } from '#shared/audio/clip-codec.js';
import type { AlertPayload, EventPayload, StatusPayload, TelemetryPayload } from '#shared/mqtt/payloads.js';
import type { ClipSidecar } from '#shared/mqtt/sidecar.js';
import { clipKeysFor } from '#shared/bucket/layout.js';
import { isSafeKey } from '../adapters/storage/object-keys.js';
import { coreProblem, telemetryProblem } from './payload-clean.js';

/** Station and event ids become object key segments: same rule as keys, one segment. */
export function isSafeId(id: unknown): id is string {
  return typeof id === 'string' && id.length <= 128 && !id.includes('/') && isSafeKey(id);
}

/**
 * Event ids name their station (`<stationId>.ev-<hash>`; station ids hold no dot).
 * An id naming another station is refused; a legacy id without a station is
 * accepted, and rows are keyed by (station, event) either way.
 */
export function eventIdProblem(eventId: unknown, stationId: string): string | undefined {
  if (!isSafeId(eventId)) return 'unsafe eventId';
  const dot = eventId.indexOf('.');
  if (dot > 0 && eventId.slice(0, dot) !== stationId) return 'eventId names another station';
  return undefined;
}

/** A clip key the station may own: safe, under its prefix, a WAV, FLAC or Opus file. */
export function isStationClipKey(stationId: string, key: unknown): key is string {
  return typeof key === 'string' && isSafeKey(key) && key.startsWith(`stations/${stationId}/`) && CLIP_EXTENSION_PATTERN.test(key);
}

export function checkEvent(p: EventPayload, topicStation: string): string | undefined {
  if (p.stationId !== topicStation) return 'stationId does not match the topic';
  const idProblem = eventIdProblem(p.eventId, topicStation);
  if (idProblem) return idProblem;
  if (!['start', 'update', 'end'].includes(p.type)) return 'unknown event type';
  return coreProblem(p.label, p.confidence, p.startTime);
}

export function checkAlert(p: AlertPayload, topicStation: string): string | undefined {
  if (p.stationId !== topicStation) return 'stationId does not match the topic';
  if (typeof p.alertId !== 'string') return 'missing alertId';
  const idProblem = eventIdProblem(p.eventId, topicStation);
  if (idProblem) return idProblem;
  return coreProblem(p.label, p.confidence, p.startTime);
}

export function checkStatus(p: StatusPayload, topicStation: string): string | undefined {
  if (p.stationId !== topicStation) return 'stationId does not match the topic';
  if (p.state !== 'online' && p.state !== 'offline') return 'unknown state';
  return undefined;
}

export function checkTelemetry(p: TelemetryPayload, topicStation: string): string | undefined {
  if (p.stationId !== topicStation) return 'stationId does not match the topic';
  return telemetryProblem(p);
}

/** A sidecar must describe the clip next to it and belong to the station whose prefix holds it. */
export function checkSidecar(s: ClipSidecar, sidecarKey: string): string | undefined {
  if (typeof s !== 'object' || s === null || s.v !== 1) return 'not a v1 sidecar';
  if (!isSafeId(s.stationId) || !sidecarKey.startsWith(`stations/${s.stationId}/`)) return 'stationId does not match the key';
  if (typeof s.clipKey !== 'string' || !clipKeysFor(sidecarKey).includes(s.clipKey)) return 'clipKey does not match the sidecar key';
  if (s.codec !== undefined && s.codec !== codecOfKey(s.clipKey)) return 'codec does not match the clip key';
  const d = s.detection;
  if (typeof d !== 'object' || d === null) return 'bad detection block';
  const idProblem = eventIdProblem(d.eventId, s.stationId);
  if (idProblem) return `detection: ${idProblem}`;
  const problem = coreProblem(d.label, d.confidence, d.startTime);
  return problem ? `detection: ${problem}` : undefined;
}
