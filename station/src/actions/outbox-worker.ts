import { describeError } from '#shared/errors.js';
import type { Logger } from '#shared/util/logger.js';
import type { Outbox, OutboxItem, OutboxKind } from '../store/outbox.js';
import type { Clock } from '../core/clock.js';
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';
import { inBackground } from '#shared/util/background.js';

/** What performing one outbox item led to. */
export type ActionResult =
  | { outcome: 'done' }
  /** Try again later (link down, server busy): not a failure. */
  | { outcome: 'deferred'; reason: string; retryAfterMs?: number }
  /** Can never succeed (e.g. its clip no longer exists). */
  | { outcome: 'failed'; reason: string };

export interface OutboxAction<P> {
  /** False while the action cannot run at all (broker disconnected): items wait without using attempts. */
  ready(): boolean;
  perform(item: OutboxItem<P>, signal: AbortSignal): Promise<ActionResult>;
}

export interface OutboxWorkerOptions {
  concurrency: number;
  backoff: BackoffPolicy;
  /** Items fetched per round. */
  batch: number;
}

/**
 * Drains one kind of outbox item through an idempotent action: woken at once
 * when an item is added, on a timer for deferred retries, and when the action
 * becomes ready again (reconnect). Results are written back to the outbox.
 */
export class OutboxWorker<P> {
  private wakeUp: (() => void) | undefined;
  private readonly inFlight = new Set<number>();
  private running: Promise<void> | undefined;
  private readonly controller = new AbortController();

  constructor(
    readonly kind: OutboxKind,
    private readonly outbox: Outbox,
    private readonly action: OutboxAction<P>,
    private readonly options: OutboxWorkerOptions,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly random: () => number = Math.random,
  ) {}

  start(): void {
    this.outbox.onEnqueue((kind) => {
      if (kind === this.kind) this.wake();
    });
    this.running = this.loop();
  }

  /** Something changed (e.g. broker reconnected): look at the outbox again now. */
  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  /** Stops taking items; waits up to `graceMs` for those in flight. */
  async stop(graceMs: number): Promise<void> {
    this.controller.abort();
    this.wake();
    const deadline = this.clock.now() + graceMs;
    while (this.inFlight.size > 0 && this.clock.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.running;
  }

  get busy(): number {
    return this.inFlight.size;
  }

  private async loop(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      const free = this.options.concurrency - this.inFlight.size;
      const due = free > 0 && this.action.ready()
        ? this.outbox.due<P>(this.kind, this.clock.now(), this.options.batch).filter((i) => !this.inFlight.has(i.id)).slice(0, free)
        : [];
      for (const item of due) inBackground(this.run(item, signal), this.logger, `outbox ${this.kind} item`);
      if (due.length === 0) await this.idle(signal);
    }
  }

  private async run(item: OutboxItem<P>, signal: AbortSignal): Promise<void> {
    this.inFlight.add(item.id);
    try {
      const result = await this.action.perform(item, signal).catch((err: unknown): ActionResult => ({ outcome: 'deferred', reason: describeError(err) }));
      this.record(item, result);
    } finally {
      this.inFlight.delete(item.id);
      this.wake();
    }
  }

  private record(item: OutboxItem<P>, result: ActionResult): void {
    const now = this.clock.now();
    if (result.outcome === 'done') {
      this.outbox.markDone(item.id, now);
    } else if (result.outcome === 'failed') {
      this.outbox.markFailed(item.id, result.reason);
      this.logger.error({ kind: this.kind, key: item.dedupeKey, reason: result.reason }, 'outbox item failed permanently');
    } else {
      const delay = result.retryAfterMs ?? backoffDelayMs(item.attempts, this.options.backoff, this.random);
      this.outbox.defer(item.id, result.reason, now + delay);
      this.logger.debug({ kind: this.kind, key: item.dedupeKey, reason: result.reason, retryInMs: delay }, 'outbox item deferred');
    }
  }

  /** Sleeps until woken, or until the next deferred item is due (re-checked at least every 5 s). */
  private async idle(signal: AbortSignal): Promise<void> {
    const next = this.outbox.nextDueAt(this.kind);
    const now = this.clock.now();
    const until = Math.min(next !== undefined ? Math.max(next, now + 10) : Infinity, now + 5000);
    // A private signal cancels the timer when woken early, so sleeps never pile up.
    const sleep = new AbortController();
    const onStop = (): void => sleep.abort();
    signal.addEventListener('abort', onStop, { once: true });
    await new Promise<void>((resolve) => {
      this.wakeUp = resolve;
      this.clock.sleepUntil(until, sleep.signal).then(() => resolve(), () => resolve());
    });
    sleep.abort();
    signal.removeEventListener('abort', onStop);
    this.wakeUp = undefined;
  }
}
