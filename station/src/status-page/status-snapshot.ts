import type { TelemetryPayload } from '#shared/mqtt/payloads.js';
import type { DoctorReport } from '../system/doctor-types.js';
import type { AudioLevel, AudioTap } from './audio-tap.js';
import type { OutboxDepth, RecentDetection, StatusQueries } from './status-queries.js';

/** What the status page needs from the running station (all read-only). */
export interface StatusSources {
  stationId: string;
  softwareVersion: string;
  clipCodec: string;
  tap: AudioTap;
  queries: StatusQueries;
  telemetry: () => Promise<TelemetryPayload>;
  mqttState: () => 'connected' | 'disconnected' | 'off';
  /** Where clips go (`s3://bucket`, the presign URL), or undefined in local mode. */
  uploadTarget: string | undefined;
  modelVersion: () => string;
  /** A model update being downloaded, verified or switched to, if any. */
  pendingModelUpdate: () => string | null;
  /** The doctor's checks that are safe on a running station; runs them (bounded). */
  doctor: () => Promise<DoctorReport>;
  now: () => number;
}

export interface StatusSnapshot {
  stationId: string;
  time: string;
  softwareVersion: string;
  audio: { level: AudioLevel | null; lastAudioTime: string | null; droppedWindows: number; gapCount: number };
  model: { version: string; pendingUpdate: string | null };
  link: { mqtt: string; uploads: { target: string; lastUploadAt: string | null; lastError: OutboxDepth['lastUploadError'] } };
  outbox: { queueDepth: number; pendingUploads: number; pendingAlerts: number; byKind: OutboxDepth['byKind'] };
  clips: { codec: string; bytesOnDisk: number };
  disk: { freeBytes: number | null };
  cpuTempC: number | null;
  clock: { status: string; detail: string; checkedAt: string } | null;
  detections: RecentDetection[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * Builds the page's status, at most once per `maxAgeMs` however many browsers ask
 * (they share one promise), so page traffic never multiplies the station's work.
 */
export class StatusSnapshots {
  private cached: { atMs: number; value: Promise<StatusSnapshot> } | undefined;
  private lastDoctor: DoctorReport | undefined;

  constructor(private readonly sources: StatusSources, private readonly maxAgeMs = 1000) {}

  get(): Promise<StatusSnapshot> {
    const now = this.sources.now();
    if (!this.cached || now - this.cached.atMs >= this.maxAgeMs) this.cached = { atMs: now, value: this.build() };
    return this.cached.value;
  }

  /** Remembers the newest doctor report (its clock check is the page's clock sync state). */
  doctorRan(report: DoctorReport): void {
    this.lastDoctor = report;
  }

  private async build(): Promise<StatusSnapshot> {
    const s = this.sources;
    const t = await s.telemetry();
    const depth = s.queries.outboxDepth();
    const clock = this.lastDoctor?.checks.find((c) => c.name === 'clock');
    return {
      stationId: s.stationId, time: new Date(s.now()).toISOString(), softwareVersion: s.softwareVersion,
      audio: { level: s.tap.currentLevel(), lastAudioTime: t.lastAudioTime, droppedWindows: t.droppedWindows, gapCount: t.gapCount },
      model: { version: s.modelVersion(), pendingUpdate: s.pendingModelUpdate() },
      link: { mqtt: s.mqttState(), uploads: { target: s.uploadTarget ?? 'off (local mode)', lastUploadAt: iso(depth.lastUploadAtMs), lastError: depth.lastUploadError } },
      outbox: { queueDepth: t.queueDepth, pendingUploads: t.pendingUploads, pendingAlerts: t.pendingAlerts, byKind: depth.byKind },
      clips: { codec: s.clipCodec, bytesOnDisk: t.clipBytes },
      disk: { freeBytes: t.diskFreeBytes },
      cpuTempC: t.cpuTempC ?? null,
      clock: clock && this.lastDoctor ? { status: clock.status, detail: clock.detail, checkedAt: this.lastDoctor.startedAt } : null,
      detections: s.queries.recentDetections(20),
    };
  }
}
