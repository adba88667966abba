import type { Db } from '../core/db.js';
import type { DetectionStore } from './detection-store.js';
import type { Outbox } from './outbox.js';

/** One object as the station uploaded it (what a confirmation names). */
export interface UploadedObject {
  key: string;
  bytes: number;
  /** sha256 of the uploaded bytes, hex. */
  sha256: string;
}

/** The `confirm` outbox payload: everything the confirmation sends, so it needs neither the clip file nor its rows. */
export interface ConfirmJob {
  clipId: string;
  objects: UploadedObject[];
}

/** The outbox key of a clip's confirmation. */
export const confirmDedupeKey = (clipId: string) => `confirm:${clipId}`;

/**
 * Records a finished upload: the clip is marked uploaded and, when the cloud
 * takes confirmations, its confirmation is queued, in one transaction (a crash
 * cannot leave an uploaded clip that is never confirmed).
 */
export class UploadLedger {
  constructor(
    private readonly db: Db,
    private readonly detections: DetectionStore,
    private readonly outbox: Outbox,
    /** False when uploads go straight to S3 with no cloud to confirm to. */
    private readonly confirm: boolean,
  ) {}

  recordUploaded(clipId: string, objects: UploadedObject[], nowMs: number): void {
    this.db.transaction(() => {
      this.detections.markUploaded(clipId, nowMs);
      if (this.confirm) this.outbox.enqueue('confirm', confirmDedupeKey(clipId), { clipId, objects } satisfies ConfirmJob, nowMs);
    })();
  }
}
