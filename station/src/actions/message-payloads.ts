import type { AlertPayload, EventPayload } from '#shared/mqtt/payloads.js';
import type { DetectionRecord } from '../store/detection-store.js';

/**
 * What the outbox holds for the MQTT actions: the payload minus the fields only
 * known when it is sent (`delayed`, `sentAt`), so a message queued during a link
 * loss still carries the times of the moment it was raised.
 */
export type QueuedAlert = Omit<AlertPayload, 'delayed' | 'sentAt'>;
export type QueuedEvent = Omit<EventPayload, 'delayed'>;

/** An event lifecycle message (`start` / `update` / `end`) from the detection as stored. */
export function eventPayload(stationId: string, type: EventPayload['type'], d: DetectionRecord): QueuedEvent {
  return {
    v: 1, type, stationId, eventId: d.id, label: d.label, confidence: roundScore(d.peakConfidence),
    startTime: iso(d.startTimeMs), endTime: type === 'start' ? undefined : iso(d.endTimeMs), peakTime: iso(d.peakTimeMs),
    windowCount: d.windowCount, shotCount: d.shotCount ?? undefined, clipKey: d.clipKey, modelVersion: d.modelVersion,
    source: d.source, alert: d.alertId !== null,
  };
}

/** The alert raised by the detection `d` (its first), with the label and confidence of the event that raised it. */
export function alertPayload(
  stationId: string, alertId: string, d: DetectionRecord, raisedBy: { label: string; peakConfidence: number }, shotCount: number, raisedAtMs: number,
): QueuedAlert {
  return {
    v: 1, alertId, stationId, label: raisedBy.label, confidence: roundScore(raisedBy.peakConfidence),
    startTime: iso(d.startTimeMs), windowEndTime: iso(d.endTimeMs), shotCount, clipKey: d.clipKey, modelVersion: d.modelVersion,
    eventId: d.id, raisedAt: iso(raisedAtMs),
  };
}

/** Scores and confidences travel with 4 decimals: more is noise, and it keeps payloads short. */
export function roundScore(x: number): number {
  return Math.round(x * 10000) / 10000;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
