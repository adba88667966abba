import { EcoSightError } from '#shared/errors.js';

/** Every slot is taken and the queue is full: the caller should answer 503 with Retry-After. */
export class GateFullError extends EcoSightError {
  readonly retryAfterSec: number;

  constructor(retryAfterSec: number) {
    super('BUSY', 'the service is busy with other predictions: retry shortly');
    this.retryAfterSec = retryAfterSec;
  }
}

/**
 * A bounded semaphore for memory-heavy work (/predict decodes and classifies a
 * whole file in memory): at most `concurrency` run, at most `queue` wait (their
 * bodies are not read yet, so waiting costs a socket, not memory), the rest are
 * refused at once.
 */
export class PredictGate {
  private running = 0;
  private peakRunning = 0;
  private peakWaiting = 0;
  private refused = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly settings: { concurrency: number; queue: number; retryAfterSec: number };

  constructor(settings: { concurrency: number; queue: number; retryAfterSec?: number }) {
    this.settings = { retryAfterSec: 5, ...settings };
  }

  /** Runs `work` when a slot is free; throws GateFullError when the queue is full too. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.settings.concurrency) {
      if (this.waiting.length >= this.settings.queue) {
        this.refused++;
        throw new GateFullError(this.settings.retryAfterSec);
      }
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        this.peakWaiting = Math.max(this.peakWaiting, this.waiting.length);
      });
    } else {
      this.running++;
      this.peakRunning = Math.max(this.peakRunning, this.running);
    }
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter (running stays the same), else free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Now, the most ever at once since start, and how many were refused. */
  get stats(): { running: number; waiting: number; peakRunning: number; peakWaiting: number; refused: number } {
    return { running: this.running, waiting: this.waiting.length, peakRunning: this.peakRunning, peakWaiting: this.peakWaiting, refused: this.refused };
  }
}
