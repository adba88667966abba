import type { Logger } from '#shared/util/logger.js';
import { describeError } from '#shared/errors.js';
import { isoNow, type Clock } from '#shared/util/clock.js';
import { clash } from '../errors.js';
import { JobProgress } from './job-progress.js';
import type { JobStore } from './job-store.js';
import type { JobRequest, JobResult, JobStatus } from './job-status.js';
import { inBackground } from '#shared/util/background.js';

/** Runs one job to completion; throws to fail it. */
export type JobExecutor = (request: JobRequest, progress: JobProgress, signal: AbortSignal) => Promise<JobResult>;

export interface JobRunnerDeps {
  store: JobStore;
  execute: JobExecutor;
  logger: Logger;
  clock: Clock;
  /** `inline`: jobs run in this process when submitted; `worker`: a worker process claims them from storage. */
  mode: 'inline' | 'worker';
  /** Extra sink for log lines (the CLI's progress bar). */
  echo?: (line: string, status: JobStatus) => void;
}

/**
 * One job at a time. submit() checks for an active job and creates the new one
 * under an in-process lock, so two requests racing in one API process cannot
 * both start a job; across processes the check reads storage.
 */
export class JobRunner {
  private readonly deps: JobRunnerDeps;
  private lock: Promise<unknown> = Promise.resolve();
  private current: Promise<void> | undefined;
  private abort = new AbortController();
  private pollTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(deps: JobRunnerDeps) {
    this.deps = deps;
  }

  /**
   * Creates a job, or throws 409 JOB_RUNNING with the active job's id. `precheck`
   * runs after the active-job check (so a running job is reported first) and may throw.
   */
  submit(request: Omit<JobRequest, 'v' | 'id' | 'kind' | 'requestedAt' | 'runner'>, precheck?: () => Promise<void>): Promise<JobStatus> {
    const run = this.lock.then(async () => {
      const active = await this.deps.store.active();
      if (active.length > 0) {
        throw clash('JOB_RUNNING', `a retrain job is already ${active[0].state} (${active[0].id})`, { job_id: active[0].id });
      }
      await precheck?.();
      const full: JobRequest = {
        v: 1, id: this.deps.store.newId(), kind: 'retrain', requestedAt: isoNow(this.deps.clock), runner: this.deps.mode, ...request,
      };
      const status = await this.deps.store.create(full);
      if (this.deps.mode === 'inline') this.startInBackground(status);
      return status;
    });
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Inline mode at startup: jobs this kind of runner was running died with the old process; queued ones start. */
  async recover(): Promise<void> {
    for (const status of await this.deps.store.active()) {
      if (status.runner !== this.deps.mode) continue;
      if (status.state === 'running') await this.deps.store.fail(status, 'interrupted: the service restarted while the job ran');
      else if (this.deps.mode === 'inline' && !this.current) this.startInBackground(status);
    }
  }

  /** Worker mode: poll storage for queued worker jobs and run them one by one. */
  startPolling(intervalMs: number): void {
    const tick = async () => {
      if (this.stopped || this.current) return;
      try {
        const queued = (await this.deps.store.active()).find((s) => s.state === 'queued' && s.runner === 'worker');
        if (queued) this.startInBackground(queued);
      } catch (err) {
        this.deps.logger.warn({ err: describeError(err) }, 'worker: cannot read the job queue');
      }
    };
    // tick() catches everything it can fail on; inBackground is the guard for the rest.
    this.pollTimer = setInterval(() => inBackground(tick(), this.deps.logger, 'worker poll'), intervalMs);
    inBackground(tick(), this.deps.logger, 'worker poll');
  }

  /** Resolves when no job is running in this process. */
  async idle(): Promise<void> {
    while (this.current) await this.current;
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.abort.abort();
    await this.idle();
  }

  private startInBackground(queued: JobStatus): void {
    const done = this.runOne(queued).finally(() => {
      if (this.current === done) this.current = undefined;
    });
    this.current = done;
  }

  private async runOne(queued: JobStatus): Promise<void> {
    const { store, logger, clock } = this.deps;
    let progress: JobProgress | undefined;
    try {
      const request = await store.request(queued.id);
      const claimed = await store.claim(queued);
      if (!claimed) {
        logger.info({ job: queued.id }, 'retrain job already claimed by another process');
        return;
      }
      progress = new JobProgress(store, claimed, clock, this.deps.echo);
      logger.info({ job: queued.id }, 'retrain job started');
      const result = await this.deps.execute(request, progress, this.abort.signal);
      await progress.finish({
        state: 'succeeded', percent: 100, result, finishedAt: isoNow(clock),
        log: [...progress.current.log, { time: isoNow(clock), message: `done: ${result.outcome} ${result.version}` }],
      });
      logger.info({ job: queued.id, outcome: result.outcome, version: result.version }, 'retrain job finished');
    } catch (err) {
      const message = describeError(err);
      logger.error({ job: queued.id, err: message }, 'retrain job failed');
      if (progress) {
        await progress.finish({
          state: 'failed', error: message, finishedAt: isoNow(clock),
          log: [...progress.current.log, { time: isoNow(clock), message: `failed: ${message}` }],
        }).catch(() => undefined);
      } else {
        await store.fail(queued, message).catch(() => undefined);
      }
    }
  }
}
