import { randomBytes } from 'node:crypto';

/**
 * Logged-in browsers: random 32-byte tokens held in memory (a restart logs everyone
 * out, which is fine for a technician's visit). At most `maxSessions`: the oldest
 * goes first, so a flood of logins cannot grow memory.
 */
export class Sessions {
  private readonly expiries = new Map<string, number>();

  constructor(private readonly lifetimeMs: number, private readonly now: () => number, private readonly maxSessions = 32) {}

  create(): string {
    const token = randomBytes(32).toString('base64url');
    while (this.expiries.size >= this.maxSessions) {
      const oldest = this.expiries.keys().next().value;
      if (oldest === undefined) break;
      this.expiries.delete(oldest);
    }
    this.expiries.set(token, this.now() + this.lifetimeMs);
    return token;
  }

  valid(token: string | undefined): boolean {
    if (!token) return false;
    const expires = this.expiries.get(token);
    if (expires === undefined) return false;
    if (expires <= this.now()) {
      this.expiries.delete(token);
      return false;
    }
    return true;
  }

  end(token: string | undefined): void {
    if (token) this.expiries.delete(token);
  }
}

/**
 * Failed logins slow the next ones down (1 s, 2 s, 4 s... up to a minute), counted for
 * the whole page rather than per address: a guessing script on the LAN gets a few
 * tries a minute, and scrypt work stays bounded.
 */
export class LoginThrottle {
  private failures = 0;
  private blockedUntilMs = 0;

  constructor(private readonly now: () => number) {}

  /** Milliseconds until the next attempt is allowed (0: now). */
  waitMs(): number {
    return Math.max(0, this.blockedUntilMs - this.now());
  }

  failed(): void {
    this.failures++;
    this.blockedUntilMs = this.now() + Math.min(60_000, 1000 * 2 ** Math.min(this.failures - 1, 6));
  }

  succeeded(): void {
    this.failures = 0;
    this.blockedUntilMs = 0;
  }
}
