import type { Clock } from '#shared/util/clock.js';

export interface ManualClockOptions {
  /**
   * Sleeps return at once, moving the clock to their end, and are recorded in
   * `sleeps` (pacing assertions). Default false: sleepers wait for `advance`.
   */
  instantSleeps?: boolean;
}

/**
 * The test clock: tests move it by hand, so a simulated day passes in seconds.
 * Sleepers wake when the clock is advanced past their time (or their signal
 * aborts); with `instantSleeps` they return at once instead.
 */
export class ManualClock implements Clock {
  /** Target times of the sleeps (recorded with `instantSleeps` only: a simulated month would grow it without bound). */
  readonly sleeps: number[] = [];
  private readonly sleepers: Array<{ at: number; wake: () => void }> = [];

  constructor(private time = 1_700_000_000_000, private readonly options: ManualClockOptions = {}) {}

  now(): number {
    return this.time;
  }

  sleepUntil(timeMs: number, signal?: AbortSignal): Promise<void> {
    if (this.options.instantSleeps) {
      this.sleeps.push(timeMs);
      this.time = Math.max(this.time, timeMs);
      return Promise.resolve();
    }
    if (timeMs <= this.time || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const onAbort = (): void => {
        const i = this.sleepers.indexOf(sleeper);
        if (i >= 0) this.sleepers.splice(i, 1);
        resolve();
      };
      const sleeper = {
        at: timeMs,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  advance(ms: number): void {
    this.time += ms;
    for (const s of this.sleepers.filter((x) => x.at <= this.time)) {
      this.sleepers.splice(this.sleepers.indexOf(s), 1);
      s.wake();
    }
  }
}
