import type { Clock } from '../src/core/clock.js';

/**
 * A clock tests move by hand: a simulated day passes in seconds. Sleepers wake
 * when the clock is advanced past their time (or their signal aborts).
 */
export class ManualClock implements Clock {
  private readonly sleepers: Array<{ at: number; wake: () => void }> = [];

  constructor(private time: number) {}

  now(): number {
    return this.time;
  }

  sleepUntil(timeMs: number, signal?: AbortSignal): Promise<void> {
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
