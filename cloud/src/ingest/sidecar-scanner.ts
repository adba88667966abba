import { clipDayPrefix, clipKeysFor, isSidecarKey, sidecarKeyFor } from '#shared/bucket/layout.js';
import type { Logger } from '#shared/util/logger.js';
import type { Clock } from '#shared/util/clock.js';
import type { DetectionsRepo } from '../adapters/db/detections-repo.js';
import type { StationsRepo } from '../adapters/db/stations-repo.js';
import type { ObjectStorage } from '../adapters/storage/object-storage.js';
import type { Ingestor } from './ingestor.js';

export interface ScanResult {
  /** Sidecars indexed by this scan. */
  sidecars: number;
  /** Clips found in storage for detections that were waiting for them. */
  clipsFound: number;
}

export interface ScannerDeps {
  storage: ObjectStorage;
  detections: DetectionsRepo;
  stations: StationsRepo;
  ingestor: Ingestor;
  logger: Logger;
  clock: Clock;
}

const PENDING_LOOKBACK_DAYS = 3;
const PENDING_LIMIT = 500;

/**
 * Finds clips uploaded straight to S3 (presigned URLs the service never sees
 * complete). Cheap by design: it checks clips that MQTT events announced, and
 * lists only today's and yesterday's folder of each known station.
 */
export class SidecarScanner {
  private readonly deps: ScannerDeps;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ScanResult> | undefined;

  constructor(deps: ScannerDeps) {
    this.deps = deps;
  }

  /** Runs one scan; concurrent callers share the scan in progress. */
  scan(): Promise<ScanResult> {
    if (!this.running) {
      this.running = this.scanOnce().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.scan().catch((err: Error) => this.deps.logger.warn({ err: err.message }, 'sidecar scan failed'));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async scanOnce(): Promise<ScanResult> {
    const result: ScanResult = { sidecars: 0, clipsFound: 0 };
    const now = new Date(this.deps.clock.now());
    const since = new Date(now.getTime() - PENDING_LOOKBACK_DAYS * 86_400_000).toISOString();
    for (const clipKey of await this.deps.detections.pendingClipKeys(since, PENDING_LIMIT)) {
      const sidecarKey = sidecarKeyFor(clipKey);
      if (!(await this.deps.detections.hasSidecar(clipKey)) && (await this.deps.storage.head(sidecarKey))) {
        if (await this.deps.ingestor.onSidecar(sidecarKey)) result.sidecars++;
      }
      if (await this.deps.storage.head(clipKey)) {
        result.clipsFound += (await this.deps.detections.markClipAvailable(clipKey, now.toISOString())).length;
      }
    }
    const days = [now, new Date(now.getTime() - 86_400_000)];
    for (const station of await this.deps.stations.list()) {
      for (const day of days) {
        for await (const info of this.deps.storage.list(clipDayPrefix(station.id, day))) {
          if (!isSidecarKey(info.key)) continue;
          if (await this.anyIndexed(clipKeysFor(info.key))) continue;
          if (await this.deps.ingestor.onSidecar(info.key)) result.sidecars++;
        }
      }
    }
    if (result.sidecars || result.clipsFound) this.deps.logger.info(result, 'sidecar scan found new clips');
    return result;
  }

  private async anyIndexed(clipKeys: readonly string[]): Promise<boolean> {
    for (const k of clipKeys) if (await this.deps.detections.hasSidecar(k)) return true;
    return false;
  }
}
