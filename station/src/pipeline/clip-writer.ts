import { describeError } from '#shared/errors.js';
import type { Logger } from '#shared/util/logger.js';
import type { Clipper, PendingClip, WrittenClip } from './clipper.js';

/** Housekeeping around clip writes (the disk quota). */
export interface ClipHousekeeping {
  /** Free room for about `samples` more audio (called after a failed write). */
  makeRoom(samples: number): Promise<void>;
  /** Called after clips were committed. */
  afterClips(): Promise<void>;
}

export type ClipOutcome = { clip: WrittenClip; error?: undefined } | { clip?: undefined; error: string };

/**
 * Writes clips whose audio is complete. A failed write (disk full) frees space
 * through the quota and retries once; if it still fails the caller closes the
 * detection without a clip: a detection and its alert are never lost for it.
 */
export class ClipWriter {
  constructor(private readonly clipper: Clipper, private readonly housekeeping: ClipHousekeeping, private readonly logger: Logger) {}

  async write(pending: PendingClip): Promise<ClipOutcome> {
    let error = 'unknown error';
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        return { clip: await this.clipper.write(pending) };
      } catch (err) {
        error = describeError(err);
        if (attempt === 0) await this.housekeeping.makeRoom(pending.endSample - pending.startSample).catch(() => undefined);
      }
    }
    return { error };
  }

  /** After a batch of clips was committed: enforce the quota (a failure only delays it). */
  async afterClips(): Promise<void> {
    await this.housekeeping.afterClips().catch((err: unknown) => this.logger.warn({ err: describeError(err) }, 'clip housekeeping failed'));
  }
}
