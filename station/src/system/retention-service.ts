import { describeError } from '#shared/errors.js';
import type { Logger } from '#shared/util/logger.js';
import type { Clock } from '../core/clock.js';
import type { Service } from '../core/service.js';
import type { RetentionResult, StoreRetention } from '../store/retention.js';

/**
 * Runs the store's retention pass at start and then every `intervalMs` of the
 * injected clock (a simulated month passes in seconds in the fault suite). A
 * failed pass is logged and tried again next time: nothing is lost by waiting.
 */
export class RetentionService implements Service {
  readonly name = 'retention';
  private loop: Promise<void> | undefined;

  constructor(
    private readonly retention: StoreRetention,
    private readonly intervalMs: number,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  start(signal: AbortSignal): void {
    this.loop = this.run(signal);
  }

  async stop(): Promise<void> {
    await this.loop;
  }

  /** One pass now (also what the loop runs). */
  async runOnce(): Promise<RetentionResult | undefined> {
    try {
      const result = await this.retention.prune(this.clock.now());
      const { dbBytes, ...counts } = result;
      if (Object.values(counts).some((n) => n > 0)) this.logger.info({ ...counts, dbBytes }, 'retention: settled rows pruned');
      return result;
    } catch (err) {
      this.logger.warn({ err: describeError(err) }, 'retention pass failed; will try again');
      return undefined;
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.runOnce();
      await this.clock.sleepUntil(this.clock.now() + this.intervalMs, signal);
    }
  }
}
