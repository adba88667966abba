import type { StationConfig } from '#shared/config/station-config.js';
import { createS3Client } from '#shared/s3/client.js';
import type { Clock } from '#shared/util/clock.js';
import type { Logger } from '#shared/util/logger.js';
import { BandwidthLimiter } from './actions/bandwidth-limiter.js';
import { ConfirmUploads } from './actions/confirm-uploads.js';
import { OutboxWorker } from './actions/outbox-worker.js';
import { UploadClips } from './actions/upload-clips.js';
import { PresignedTarget, S3Target, type UploadTarget } from './actions/upload-target.js';
import type { Db } from './core/db.js';
import type { DetectionStore } from './store/detection-store.js';
import type { Outbox } from './store/outbox.js';
import { UploadLedger } from './store/upload-ledger.js';

/** The upload side of the station, wired here for main.ts (as logging-composition.ts is for the logging stage). */
export interface UploadStores {
  db: Db;
  detections: DetectionStore;
  outbox: Outbox;
}

/** Where clips go: presigned URLs from the cloud, a bucket with the station's own keys, or nowhere (kept on disk). */
export function buildUploadTarget(config: StationConfig): UploadTarget | undefined {
  const u = config.upload;
  if (u.presignUrl) {
    if (!u.token) throw new Error('upload.presignUrl is set but upload.token (ECOSIGHT_STATION_TOKEN) is not');
    return new PresignedTarget(u.presignUrl, config.stationId, u.token);
  }
  if (!u.bucket) return undefined;
  const client = createS3Client({ endpoint: u.endpoint, region: u.region, forcePathStyle: u.forcePathStyle, requestTimeoutMs: u.attemptTimeoutSec * 1000 });
  return new S3Target(client, u.bucket, u.multipartThresholdMb * 1024 * 1024);
}

/** The upload worker and, for presigned uploads, the worker that confirms each upload to the cloud. */
export function uploadWorkers(config: StationConfig, target: UploadTarget, stores: UploadStores, clock: Clock, logger: Logger): OutboxWorker<unknown>[] {
  const { outbox, detections, db } = stores;
  const backoff = { minMs: config.upload.retryMinSec * 1000, maxMs: config.upload.retryMaxSec * 1000 };
  const limiter = new BandwidthLimiter(config.upload.maxBytesPerSec, clock);
  const rejectedRetryMs = Math.max(backoff.maxMs, 60_000);
  const attemptTimeoutMs = config.upload.attemptTimeoutSec * 1000;
  // Presigned uploads confirm each clip to the cloud that presigned it (no listing there); direct S3 has no cloud to tell.
  const { presignUrl, token } = config.upload;
  const confirm = presignUrl && token ? new ConfirmUploads({ baseUrl: presignUrl, stationId: config.stationId, token, attemptTimeoutMs, rejectedRetryMs }, logger) : undefined;
  const ledger = new UploadLedger(db, detections, outbox, confirm !== undefined);
  const upload = new UploadClips({ stationId: config.stationId, attemptTimeoutMs, rejectedRetryMs }, target, detections, ledger, limiter, clock);
  const options = { concurrency: config.upload.concurrency, backoff, batch: 20 };
  const workers = [new OutboxWorker('upload', outbox, upload, options, clock, logger) as OutboxWorker<unknown>];
  if (confirm) workers.push(new OutboxWorker('confirm', outbox, confirm, options, clock, logger) as OutboxWorker<unknown>);
  return workers;
}
