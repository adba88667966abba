import { decodePayload, type LoggingAlertPayload } from '#shared/mqtt/payloads.js';
import type { LoggingAlertRecord, LoggingRepo } from '../adapters/db/logging-repo.js';
import type { LiveHub } from '../adapters/live-hub.js';
import { isSafeId, isStationClipKey } from './payload-checks.js';
import { coreProblem } from './payload-clean.js';

const MAX_TEXT_CHARS = 500;

/** Why a logging payload is refused, or undefined when it is fine. */
export function checkLoggingAlert(p: LoggingAlertPayload, topicStation: string): string | undefined {
  if (p.stationId !== topicStation) return 'stationId does not match the topic';
  if (!isSafeId(p.alertId)) return 'unsafe alertId';
  if (!['start', 'update', 'end'].includes(p.type)) return 'unknown logging alert type';
  for (const key of ['durationSec', 'presentSec', 'meanConfidence'] as const) {
    if (typeof p[key] !== 'number' || !Number.isFinite(p[key]) || p[key] < 0) return `bad ${key}`;
  }
  if (typeof p.lastHeardTime !== 'string' || Number.isNaN(Date.parse(p.lastHeardTime))) return 'bad lastHeardTime';
  if (typeof p.raisedAt !== 'string' || Number.isNaN(Date.parse(p.raisedAt))) return 'bad raisedAt';
  return coreProblem(p.label, p.peakConfidence, p.startTime);
}

/**
 * A `logging` message: checked, cleaned (a clip key outside the station's
 * prefix is dropped, free text capped), stored, pushed live. Returns the
 * problem when the message is refused.
 */
export async function ingestLoggingAlert(
  deps: { logging: LoggingRepo; live: LiveHub; now: () => string }, stationId: string, raw: Buffer,
): Promise<{ record?: LoggingAlertRecord; problem?: string }> {
  const p = decodePayload<LoggingAlertPayload>(raw, ['type', 'alertId', 'stationId', 'label', 'startTime', 'durationSec']);
  const problem = p ? checkLoggingAlert(p, stationId) : 'not a logging alert payload';
  if (problem || !p) return { problem };
  const text = (x: unknown): string | null => (typeof x === 'string' ? x.slice(0, MAX_TEXT_CHARS) : null);
  const clean: LoggingAlertPayload = {
    ...p,
    onsetClipKey: isStationClipKey(stationId, p.onsetClipKey) ? p.onsetClipKey : null,
    onsetEventId: isSafeId(p.onsetEventId) ? p.onsetEventId : null,
    modelVersion: text(p.modelVersion) ?? '',
    caveat: text(p.caveat),
    presentSec: p.presentSec,
    delayed: p.delayed === true,
  };
  const record = await deps.logging.apply(clean, deps.now());
  deps.live.publish('logging', record);
  return { record };
}
