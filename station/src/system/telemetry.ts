import { readFile, statfs } from 'node:fs/promises';
import type { StationLocationFields } from '#shared/mqtt/location.js';
import type { TelemetryPayload } from '#shared/mqtt/payloads.js';
import type { AudioSource } from '../capture/audio-source.js';
import type { ClipQuota } from '../store/clip-quota.js';
import type { Outbox } from '../store/outbox.js';
import type { SegmentStore } from '../store/segment-store.js';
import type { Clock } from '../core/clock.js';
import type { Heartbeat } from './health.js';

export interface TelemetrySources {
  stationId: string;
  dataDir: string;
  startedAtMs: number;
  outbox: Outbox;
  segments: SegmentStore;
  quota: ClipQuota;
  heartbeat: Heartbeat;
  source: AudioSource;
  modelVersion: () => string;
  droppedWindows: () => number;
  clock: Clock;
  /** Position and clock state (see location/location-reporter.ts). */
  locationFields?: () => StationLocationFields;
}

/** A snapshot of the station's health, for the telemetry topic, STATUS= and doctor. */
export async function collectTelemetry(s: TelemetrySources): Promise<TelemetryPayload & StationLocationFields> {
  const counts = s.outbox.counts();
  const now = s.clock.now();
  const pendingUploads = counts.pending.upload;
  const pendingAlerts = counts.pending.alert + counts.pending.logging;
  return {
    v: 1,
    stationId: s.stationId,
    time: new Date(now).toISOString(),
    uptimeSec: Math.round((now - s.startedAtMs) / 1000),
    queueDepth: pendingUploads + pendingAlerts + counts.pending.event + counts.pending.confirm + counts.pending.status,
    pendingUploads,
    pendingAlerts,
    diskFreeBytes: await diskFree(s.dataDir),
    clipBytes: s.quota.usedBytes(),
    cpuTempC: await cpuTemperature(),
    modelVersion: s.modelVersion(),
    lastAudioTime: s.heartbeat.lastAudioTimeMs === null ? null : new Date(s.heartbeat.lastAudioTimeMs).toISOString(),
    droppedWindows: s.droppedWindows(),
    gapCount: s.segments.gapCount(),
    ...s.locationFields?.(),
  };
}

/** One line for systemd's STATUS=. */
export function statusLine(t: TelemetryPayload): string {
  const free = t.diskFreeBytes === null ? '?' : `${Math.round(t.diskFreeBytes / 1e6)} MB`;
  return `model ${t.modelVersion}; queue ${t.queueDepth} (uploads ${t.pendingUploads}, alerts ${t.pendingAlerts}); disk free ${free}; gaps ${t.gapCount}`;
}

async function diskFree(dir: string): Promise<number | null> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** CPU temperature where the kernel exposes it (Raspberry Pi and most SBCs). */
async function cpuTemperature(): Promise<number | null> {
  try {
    const milli = Number((await readFile('/sys/class/thermal/thermal_zone0/temp', 'utf8')).trim());
    return Number.isFinite(milli) ? Math.round(milli / 100) / 10 : null;
  } catch {
    return null;
  }
}
