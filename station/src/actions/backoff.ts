/**
 * Exponential backoff with full jitter: attempt n waits a random time in
 * [0, min(max, base * 2^n)], never less than `minMs`, so a fleet of stations
 * coming back online does not retry in lockstep.
 */
export interface BackoffPolicy {
  minMs: number;
  maxMs: number;
}

export function backoffDelayMs(attempts: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.minMs * 2 ** Math.min(attempts, 30));
  return Math.max(policy.minMs, Math.round(random() * ceiling));
}
