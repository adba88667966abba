/**
 * Typed MQTT payloads. Each carries `v` (schema version) so subscribers can
 * evolve; all times are ISO 8601 UTC strings.
 */
export const PAYLOAD_VERSION = 1;

/** `<prefix>/<stationId>/status`, retained; the broker publishes the `offline` form as the last will. */
export interface StatusPayload {
  v: 1;
  stationId: string;
  state: 'online' | 'offline';
  time: string;
  softwareVersion?: string;
  modelVersion?: string;
}

/** `<prefix>/<stationId>/event`: Frigate-style lifecycle of one detection. */
export interface EventPayload {
  v: 1;
  type: 'start' | 'update' | 'end';
  stationId: string;
  eventId: string;
  label: string;
  /** Highest window score so far. */
  confidence: number;
  startTime: string;
  /** Set on `end` (and on `update` as the latest window end). */
  endTime?: string;
  peakTime: string;
  windowCount: number;
  shotCount?: number;
  /** Object key the clip will have once uploaded (known from the start). */
  clipKey: string;
  modelVersion: string;
  /** Where the audio came from (device or file name). */
  source: string;
  alert: boolean;
  delayed: boolean;
}

/** `<prefix>/<stationId>/alert`, QoS 1: one message per alert id. */
export interface AlertPayload {
  v: 1;
  alertId: string;
  stationId: string;
  label: string;
  confidence: number;
  /** When the first shot of the burst was heard. */
  startTime: string;
  /** End of the analysis window that crossed the threshold (the earliest the station could know). */
  windowEndTime: string;
  shotCount: number;
  /** True when the alert waited for the broker (sent later than it was raised). */
  delayed: boolean;
  clipKey: string;
  modelVersion: string;
  eventId: string;
  raisedAt: string;
  sentAt: string;
}

/**
 * `<prefix>/<stationId>/logging`, QoS 1: the lifecycle of one logging alert
 * (a class, chainsaw by default, present in most windows of a sliding span).
 * Frigate-style: `start` once, `update` while it lasts, `end` when it stops.
 */
export interface LoggingAlertPayload {
  v: 1;
  type: 'start' | 'update' | 'end';
  alertId: string;
  stationId: string;
  label: string;
  /** When the class was first heard (the first present window of the span that raised the alert). */
  startTime: string;
  /** End of the latest window in which it was heard. */
  lastHeardTime: string;
  /** lastHeardTime - startTime, s: the total duration so far (on `end`, in all). */
  durationSec: number;
  /** Seconds of windows in which it was heard (present windows x hop). */
  presentSec: number;
  peakConfidence: number;
  meanConfidence: number;
  /** Object key of the clip of its onset (the first detection of the class in the alert); null when none. */
  onsetClipKey: string | null;
  onsetEventId: string | null;
  modelVersion: string;
  /** Why the model's verdict on this class needs care (the model's `weakClasses`); null when validated. */
  caveat: string | null;
  raisedAt: string;
  /** True when the message waited for the broker. */
  delayed: boolean;
  sentAt: string;
}

/** A logging alert message as the station raises it (the publisher adds `delayed` and `sentAt`). */
export type LoggingAlertDraft = Omit<LoggingAlertPayload, 'delayed' | 'sentAt'>;

/** `<prefix>/<stationId>/telemetry`, periodic. */
export interface TelemetryPayload {
  v: 1;
  stationId: string;
  time: string;
  uptimeSec: number;
  /** Outbox items not yet done (uploads + messages). */
  queueDepth: number;
  pendingUploads: number;
  pendingAlerts: number;
  diskFreeBytes: number | null;
  clipBytes: number;
  cpuTempC: number | null;
  modelVersion: string;
  lastAudioTime: string | null;
  droppedWindows: number;
  gapCount: number;
}

// `<prefix>/models/latest` carries a ReleaseAnnouncement: see #shared/release/pointer.js.

export function encodePayload(payload: object): Buffer {
  return Buffer.from(JSON.stringify(payload));
}

/** Parses a payload and checks its version and required keys; undefined when it is not one of ours. */
export function decodePayload<T extends { v: number }>(raw: Buffer | string, required: readonly (keyof T)[]): T | undefined {
  try {
    const value = JSON.parse(raw.toString()) as Partial<T>;
    if (typeof value !== 'object' || value === null || value.v !== PAYLOAD_VERSION) return undefined;
    for (const key of required) if (!(key in value)) return undefined;
    return value as T;
  } catch {
    return undefined;
  }
}
