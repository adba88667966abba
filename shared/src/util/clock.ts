/**
 * Time as a dependency: production uses the system clock, tests inject a
 * manual one (`#testkit/manual-clock.js`) to simulate hours of link loss, or
 * a month of operation, in seconds. Times are epoch milliseconds.
 */
export interface Clock {
  now(): number;
  /** Resolves at `timeMs` (or at once if past), or early when `signal` aborts. */
  sleepUntil(timeMs: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleepUntil: (timeMs, signal) => sleep(Math.max(0, timeMs - Date.now()), signal),
};

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The clock's time as an ISO-8601 UTC string (what records and logs store). */
export function isoNow(clock: Pick<Clock, 'now'>): string {
  return new Date(clock.now()).toISOString();
}
