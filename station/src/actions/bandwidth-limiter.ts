import type { Clock } from '../core/clock.js';

/**
 * A shared byte budget for uploads: `take(bytes)` waits until sending that
 * many bytes keeps the average rate at or under the cap. Coarse (per object),
 * which is what a metered satellite link needs: an upper bound on spend.
 */
export class BandwidthLimiter {
  private nextFreeMs = 0;

  constructor(private readonly bytesPerSec: number, private readonly clock: Clock) {}

  async take(bytes: number, signal: AbortSignal): Promise<void> {
    if (this.bytesPerSec <= 0) return;
    const now = this.clock.now();
    const start = Math.max(now, this.nextFreeMs);
    this.nextFreeMs = start + (bytes / this.bytesPerSec) * 1000;
    if (start > now) await this.clock.sleepUntil(start, signal);
  }
}
