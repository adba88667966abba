import type { Pool, PoolClient } from 'pg';
import { describeError } from '#shared/errors.js';
import type { Logger } from '#shared/util/logger.js';
import type { IngestLeadership } from './ingest-leadership.js';

/** The advisory lock's key: one per database, 'ECOI' (EcoSight ingest) as a 32-bit number. */
export const INGEST_LOCK_KEY = 0x45434f49;

export interface PgLeadershipOptions {
  /** How often a follower tries the lock and a leader checks its connection, ms. Default 2000. */
  intervalMs?: number;
}

/**
 * Ingest leadership among API instances on one PostgreSQL database: the
 * instance whose session holds `pg_try_advisory_lock(INGEST_LOCK_KEY)` leads.
 * The lock lives as long as that session, so a leader that dies (or loses its
 * database connection) frees it at once and the next follower to try takes
 * over; the ingest link's persistent MQTT session hands it what stations
 * published meanwhile. A leader whose connection fails steps down before a
 * follower can take the lock only if it notices first: it checks its
 * connection every interval, and the broker disconnects the older of two
 * clients holding the same MQTT client id, so a brief overlap loses nothing.
 * A leader that lost its session waits three intervals before it tries the
 * lock again, so that a follower with a healthy connection takes over rather
 * than the instance whose connection just failed.
 */
export class PgAdvisoryLeadership implements IngestLeadership {
  leading = false;
  readonly describe = 'PostgreSQL advisory lock';
  private client: PoolClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** After losing its session a leader does not try the lock again before this time (ms): a healthy follower takes over first. */
  private retryAfterMs = 0;
  private onChange: (leading: boolean) => void = () => undefined;

  constructor(private readonly pool: Pool, private readonly logger: Logger, private readonly options: PgLeadershipOptions = {}) {}

  start(onChange: (leading: boolean) => void): void {
    this.onChange = onChange;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    if (client) {
      await client.query('SELECT pg_advisory_unlock($1)', [INGEST_LOCK_KEY]).catch(() => undefined);
      client.release();
    }
    this.setLeading(false);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.tick().catch((err: unknown) => this.logger.warn({ err: describeError(err) }, 'ingest leadership check failed'));
    }, ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      if (this.client) await this.client.query('SELECT 1');
      else if (Date.now() >= this.retryAfterMs) await this.tryLock();
    } catch (err) {
      this.logger.warn({ err: describeError(err) }, 'ingest leadership: database connection lost');
      this.dropClient(err);
    }
    this.schedule(this.options.intervalMs ?? 2000);
  }

  private async tryLock(): Promise<void> {
    const client = await this.pool.connect();
    let keep = false;
    try {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [INGEST_LOCK_KEY]);
      keep = rows[0]?.ok === true && !this.stopped;
      if (!keep) return;
      client.on('error', (err) => this.dropClient(err));
      this.client = client;
      this.setLeading(true);
    } finally {
      if (!keep) client.release();
    }
  }

  private dropClient(err: unknown): void {
    const client = this.client;
    this.client = undefined;
    // A broken connection is destroyed, not returned to the pool; the lock dies with its session.
    client?.release(err instanceof Error ? err : new Error(String(err)));
    if (client) this.retryAfterMs = Date.now() + 3 * (this.options.intervalMs ?? 2000);
    this.setLeading(false);
  }

  private setLeading(leading: boolean): void {
    if (this.leading === leading) return;
    this.leading = leading;
    this.onChange(leading);
  }
}
