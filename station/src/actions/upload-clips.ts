import { readFile } from 'node:fs/promises';
import { clipContentType, codecOfKey } from '#shared/audio/clip-codec.js';
import { sha256Hex } from '#shared/manifest/canonical-json.js';
import { sidecarKeyFor } from '#shared/bucket/layout.js';
import type { ClipSidecar } from '#shared/mqtt/sidecar.js';
import type { DetectionStore } from '../store/detection-store.js';
import type { OutboxItem } from '../store/outbox.js';
import type { UploadLedger } from '../store/upload-ledger.js';
import type { Clock } from '../core/clock.js';
import type { BandwidthLimiter } from './bandwidth-limiter.js';
import type { ActionResult, OutboxAction } from './outbox-worker.js';
import { UploadRejectedError, type UploadTarget } from './upload-target.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';

/** Upload outbox payload: everything else is read from the clip and detection rows. */
export interface UploadJob {
  clipId: string;
}

export interface UploadClipsOptions {
  stationId: string;
  attemptTimeoutMs: number;
  /** Retry delay after the target refused us (credentials, bucket): config must change first. */
  rejectedRetryMs: number;
}

/**
 * Uploads one clip and then its JSON sidecar under the clip's deterministic
 * key, so a retry overwrites instead of duplicating, and a sidecar in the
 * bucket always means its clip (WAV, FLAC or Opus) is there too. The ledger
 * then marks the clip uploaded and queues its confirmation to the cloud
 * (confirm-uploads.ts) in one transaction.
 */
export class UploadClips implements OutboxAction<UploadJob> {
  constructor(
    private readonly options: UploadClipsOptions,
    private readonly target: UploadTarget,
    private readonly detections: DetectionStore,
    private readonly ledger: UploadLedger,
    private readonly limiter: BandwidthLimiter,
    private readonly clock: Clock,
  ) {}

  ready(): boolean {
    return true;
  }

  async perform(item: OutboxItem<UploadJob>, signal: AbortSignal): Promise<ActionResult> {
    const clip = this.detections.getClip(item.payload.clipId);
    const detection = this.detections.get(item.payload.clipId);
    if (!clip || !detection) return { outcome: 'failed', reason: `clip ${item.payload.clipId} is not in the database` };
    if (clip.deletedAtMs !== null) return { outcome: 'failed', reason: 'clip was deleted (disk quota) before it could be uploaded' };
    // The key's extension names the codec the clip was written with (clips written before a codec change keep theirs).
    const codec = codecOfKey(clip.objectKey) ?? 'wav';
    let audio: Buffer;
    try {
      audio = await readFile(clip.path);
    } catch (err) {
      return { outcome: 'failed', reason: `clip file unreadable: ${(err as Error).message}` };
    }
    if (sha256Hex(audio) !== clip.sha256) return { outcome: 'failed', reason: 'clip file does not match its recorded sha256 (disk corruption)' };
    const sidecar: ClipSidecar = {
      v: 1, stationId: this.options.stationId, clipId: clip.id, clipKey: clip.objectKey, sha256: clip.sha256, bytes: clip.bytes, codec,
      sampleRateHz: SAMPLE_RATE_HZ, durationSec: clip.durationSec, clipStartTime: new Date(detection.startTimeMs).toISOString(),
      detection: {
        eventId: detection.id, label: detection.label, confidence: detection.peakConfidence,
        startTime: new Date(detection.startTimeMs).toISOString(), endTime: new Date(detection.endTimeMs).toISOString(),
        peakTime: new Date(detection.peakTimeMs).toISOString(), windowCount: detection.windowCount, shotCount: detection.shotCount,
        scores: detection.scores,
      },
      modelVersion: detection.modelVersion, source: detection.source, createdAt: new Date(clip.createdAtMs).toISOString(),
    };
    const json = Buffer.from(JSON.stringify(sidecar, null, 2));
    const attempt = AbortSignal.any([signal, AbortSignal.timeout(this.options.attemptTimeoutMs)]);
    try {
      // The limiter counts what goes on the link: the encoded clip, not its PCM size.
      await this.limiter.take(audio.byteLength + json.byteLength, attempt);
      await this.target.put(clip.objectKey, audio, clipContentType(codec), attempt);
      await this.target.put(sidecarKeyFor(clip.objectKey), json, 'application/json', attempt);
    } catch (err) {
      if (err instanceof UploadRejectedError) return { outcome: 'deferred', reason: err.message, retryAfterMs: this.options.rejectedRetryMs };
      const reason = attempt.aborted && !signal.aborted ? `attempt timed out after ${this.options.attemptTimeoutMs} ms` : (err as Error).message;
      return { outcome: 'deferred', reason: `link: ${reason}` };
    }
    const sidecarKey = sidecarKeyFor(clip.objectKey);
    this.ledger.recordUploaded(clip.id, [
      { key: clip.objectKey, bytes: audio.byteLength, sha256: clip.sha256 },
      { key: sidecarKey, bytes: json.byteLength, sha256: sha256Hex(json) },
    ], this.clock.now());
    return { outcome: 'done' };
  }
}
