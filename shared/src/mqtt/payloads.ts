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
