import { isoNow, type Clock } from '#shared/util/clock.js';
import type { JobStore } from './job-store.js';
import { MAX_LOG_LINES, RETRAIN_STAGES, type JobStatus, type RetrainStage } from './job-status.js';

/** Share of the whole job each stage takes (sums to 100). */
const STAGE_WEIGHTS: Record<RetrainStage, number> = {
  collect: 2, load: 8, augment: 20, features: 15, train: 35, onset: 5, evaluate: 10, publish: 5,
};

const MIN_WRITE_INTERVAL_MS = 1_000;

/** What a job stage may report. */
export interface ProgressSink {
  stage(name: RetrainStage): Promise<void>;
  /** Progress inside the current stage, 0..1, with an optional log line. */
  update(fraction: number, message?: string): void;
  log(message: string): void;
}

/**
 * Progress of one running job: stage, percent over the whole job, log lines.
 * Writes to the job store at most once a second (stage changes immediately), so
 * a chatty trainer does not turn into hundreds of storage writes.
 */
export class JobProgress implements ProgressSink {
  private status: JobStatus;
  private readonly store: JobStore;
  private readonly clock: Clock;
  private readonly echo: ((line: string, status: JobStatus) => void) | undefined;
  private lastWriteMs = 0;
  private pending: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(store: JobStore, status: JobStatus, clock: Clock, echo?: (line: string, status: JobStatus) => void) {
    this.store = store;
    this.status = status;
    this.clock = clock;
    this.echo = echo;
  }

  get current(): JobStatus {
    return this.status;
  }

  async stage(name: RetrainStage): Promise<void> {
    this.status = { ...this.status, stage: name, percent: round(stageStart(name)) };
    this.log(`stage ${name}`);
    await this.flush();
  }

  update(fraction: number, message?: string): void {
    const stage = this.status.stage ?? 'collect';
    const f = Math.max(0, Math.min(1, fraction));
    const percent = round(stageStart(stage) + STAGE_WEIGHTS[stage] * f);
    this.status = { ...this.status, percent: Math.max(this.status.percent, percent) };
    if (message) this.log(message);
    else this.schedule();
  }

  log(message: string): void {
    const log = [...this.status.log, { time: isoNow(this.clock), message }].slice(-MAX_LOG_LINES);
    this.status = { ...this.status, log };
    this.echo?.(message, this.status);
    this.schedule();
  }

  /** Final state: written at once. */
  async finish(patch: Partial<JobStatus>): Promise<JobStatus> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.pending;
    this.status = await this.store.write({ ...this.status, ...patch });
    return this.status;
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = this.pending.then(async () => {
      this.lastWriteMs = Date.now();
      const written = await this.store.write(this.status);
      // Lines logged while the write was in flight stay; only the store's bookkeeping is taken over.
      this.status = { ...this.status, seq: written.seq, updatedAt: written.updatedAt };
    });
    await this.pending;
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastWriteMs + MIN_WRITE_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch(() => undefined);
    }, wait);
    this.timer.unref();
  }
}

function stageStart(name: RetrainStage): number {
  let sum = 0;
  for (const s of RETRAIN_STAGES) {
    if (s === name) return sum;
    sum += STAGE_WEIGHTS[s];
  }
  return sum;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
