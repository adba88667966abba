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
  /**
   * Day folders listed per station, today first (default 2: today and yesterday). A run
   * should reach back past the previous one: at least the interval in days plus one.
   */
  listDays?: number;
}

const PENDING_LOOKBACK_DAYS = 3;
const PENDING_LIMIT = 500;
/** Longest wait for the first reconciliation after start (ms). */
const FIRST_RUN_MAX_DELAY_MS = 10 * 60_000;

/** Day folders a reconciliation every `intervalSec` lists so that consecutive runs overlap. */
export function reconcileListDays(intervalSec: number): number {
  return Math.max(2, Math.ceil(intervalSec / 86_400) + 1);
}

/**
 * The reconciliation: finds clips uploaded straight to S3 that no confirmation
 * announced (stations before confirmations, confirmations lost for good). It
 * checks clips that MQTT events announced (HEAD each), and lists the recent day
 * folders of each known station: LIST requests that grow with stations x runs,
 * which is why it runs daily by default and confirmations are the ingest path
 * (docs/costs.md). Ingestion is an upsert: what a confirmation already indexed
 * is skipped or rewritten, never duplicated.
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

  /**
   * Runs every `intervalMs`, the first time after at most FIRST_RUN_MAX_DELAY_MS: a service
   * redeployed more often than its interval still reconciles (one listing per station per start).
   */
  start(intervalMs: number): void {
    if (this.timer) return;
    const run = (): void => {
      this.scan().catch((err: Error) => this.deps.logger.warn({ err: err.message }, 'reconciliation scan failed'));
    };
    this.timer = setTimeout(() => {
      run();
      this.timer = setInterval(run, intervalMs);
      this.timer.unref();
    }, Math.min(intervalMs, FIRST_RUN_MAX_DELAY_MS));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    // clearInterval clears a timeout too (one id space in Node).
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async scanOnce(): Promise<ScanResult> {
    const result: ScanResult = { sidecars: 0, clipsFound: 0 };
    const now = new Date(this.deps.clock.now());
    const listDays = this.deps.listDays ?? 2;
    const since = new Date(now.getTime() - Math.max(PENDING_LOOKBACK_DAYS, listDays) * 86_400_000).toISOString();
    for (const clipKey of await this.deps.detections.pendingClipKeys(since, PENDING_LIMIT)) {
      const sidecarKey = sidecarKeyFor(clipKey);
      if (!(await this.deps.detections.hasSidecar(clipKey)) && (await this.deps.storage.head(sidecarKey))) {
        if (await this.deps.ingestor.onSidecar(sidecarKey)) result.sidecars++;
      }
      if (await this.deps.storage.head(clipKey)) {
        result.clipsFound += (await this.deps.detections.markClipAvailable(clipKey, now.toISOString())).length;
      }
    }
    const days = Array.from({ length: listDays }, (_, i) => new Date(now.getTime() - i * 86_400_000));
    for (const station of await this.deps.stations.list()) {
      for (const day of days) {
        for await (const info of this.deps.storage.list(clipDayPrefix(station.id, day))) {
          if (!isSidecarKey(info.key)) continue;
          if (await this.anyIndexed(clipKeysFor(info.key))) continue;
          if (await this.deps.ingestor.onSidecar(info.key)) result.sidecars++;
        }
      }
    }
    if (result.sidecars || result.clipsFound) this.deps.logger.info(result, 'reconciliation found clips no confirmation announced');
    return result;
  }

  private async anyIndexed(clipKeys: readonly string[]): Promise<boolean> {
    for (const k of clipKeys) if (await this.deps.detections.hasSidecar(k)) return true;
    return false;
  }
}
