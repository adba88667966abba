import { JOBS_PREFIX, jobClaimKey, jobRequestKey, jobStatusKey } from '#shared/bucket/layout.js';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { isoNow, type Clock } from '#shared/util/clock.js';
import type { JobsRepo } from '../adapters/db/jobs-repo.js';
import type { LiveHub } from '../adapters/live-hub.js';
import { getJson, putJson, type ObjectStorage } from '../adapters/storage/object-storage.js';
import { ObjectNotFoundError } from '../errors.js';
import { isActive, MAX_LOG_LINES, RETRAIN_STAGES, type JobRequest, type JobStatus } from './job-status.js';

/**
 * Who won the job and when. On SQLite it is the claim itself (createIfAbsent: two
 * workers cannot both create it); on PostgreSQL the database claims and this records it.
 */

interface ClaimDoc {
  token: string;
  by: string;
  at: string;
}

/** A running job that has not written its status for this long is presumed dead. */
export const STALE_AFTER_MS = 15 * 60_000;

export interface JobStoreDeps {
  storage: ObjectStorage;
  jobs: JobsRepo;
  live: LiveHub;
  clock: Clock;
  /** Called once when a job run elsewhere (a worker) is first seen finished. */
  onRemoteFinish?: (status: JobStatus) => Promise<void>;
}

/**
 * Jobs in storage (`jobs/<id>/request.json` and `status.json`) with the index
 * as a cache. Storage is the truth because the API and a worker on another
 * machine both read and write it.
 */
export class JobStore {
  private readonly deps: JobStoreDeps;
  private readonly listeners = new Map<string, Set<(s: JobStatus) => void>>();

  constructor(deps: JobStoreDeps) {
    this.deps = deps;
  }

  newId(): string {
    const t = isoNow(this.deps.clock).replace(/[-:T]/g, '').slice(0, 14);
    return `job-${t}-${randomBytes(3).toString('hex')}`;
  }

  async create(request: JobRequest): Promise<JobStatus> {
    const now = request.requestedAt;
    const status: JobStatus = {
      v: 1, id: request.id, kind: 'retrain', state: 'queued', stage: null, percent: 0, stages: [...RETRAIN_STAGES],
      log: [{ time: now, message: `queued (${request.runner} runner, mode ${request.mode}, min ${request.minSamples} new samples)` }],
      request: { minSamples: request.minSamples, mode: request.mode, ...(request.seed !== undefined ? { seed: request.seed } : {}) }, runner: request.runner, claimedBy: null,
      createdAt: now, startedAt: null, updatedAt: now, finishedAt: null, result: null, error: null, seq: 0,
    };
    await putJson(this.deps.storage, jobRequestKey(request.id), request);
    await this.write(status);
    return status;
  }

  async request(id: string): Promise<JobRequest> {
    return getJson<JobRequest>(this.deps.storage, jobRequestKey(id));
  }

  /** Reads the status from storage (the truth) and refreshes the index; undefined when unknown. */
  async read(id: string): Promise<JobStatus | undefined> {
    const cached = await this.deps.jobs.get(id);
    if (cached && !isActive(cached)) return cached;
    try {
      const status = await this.readStatusDoc(id);
      if (!status) return cached;
      await this.deps.jobs.upsert(status);
      if (!cached || status.seq > cached.seq) {
        const { log: _log, ...summary } = status;
        this.deps.live.publish('job', summary);
      }
      if (!isActive(status) && (!cached || isActive(cached))) {
        for (const fn of this.listeners.get(id) ?? []) fn(status);
        await this.deps.onRemoteFinish?.(status);
      }
      return status;
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return cached;
      throw err;
    }
  }

  /**
   * The status document, or undefined when it is unreadable right now. Some
   * S3-compatible servers (s3rver) can serve an object while it is being
   * replaced; one retry covers that, and a reader simply sees the last state.
   */
  private async readStatusDoc(id: string): Promise<JobStatus | undefined> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        return await getJson<JobStatus>(this.deps.storage, jobStatusKey(id));
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return undefined;
  }

  /** Writes a new status (seq + 1), updates the index, tells watchers and the live channel. */
  async write(status: JobStatus): Promise<JobStatus> {
    const next: JobStatus = { ...status, seq: status.seq + 1, updatedAt: isoNow(this.deps.clock), log: status.log.slice(-MAX_LOG_LINES) };
    await putJson(this.deps.storage, jobStatusKey(next.id), next);
    await this.deps.jobs.upsert(next);
    const { log: _log, ...summary } = next;
    this.deps.live.publish('job', summary);
    for (const fn of this.listeners.get(next.id) ?? []) fn(next);
    return next;
  }

  /** Local change notifications (same process); remote changes are seen by polling read(). */
  watch(id: string, fn: (s: JobStatus) => void): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.listeners.delete(id);
    };
  }

  /**
   * Jobs queued or running, read from storage. Running jobs without a status
   * write for STALE_AFTER_MS are marked failed here, so a dead worker cannot
   * block retraining forever.
   */
  async active(): Promise<JobStatus[]> {
    const ids = new Set((await this.deps.jobs.active()).map((j) => j.id));
    for await (const info of this.deps.storage.list(JOBS_PREFIX)) {
      const m = /^jobs\/([^/]+)\/status\.json$/.exec(info.key);
      if (m && !(await this.deps.jobs.get(m[1]))) ids.add(m[1]);
    }
    const out: JobStatus[] = [];
    for (const id of ids) {
      const status = await this.read(id);
      if (!status || !isActive(status)) continue;
      const now = this.deps.clock.now();
      if (status.state === 'running' && now - Date.parse(status.updatedAt) > STALE_AFTER_MS) {
        await this.fail(status, `no progress for ${STALE_AFTER_MS / 60_000} minutes: the process running it probably stopped`);
        continue;
      }
      if (status.state === 'queued') {
        // Claimed but never started: the claimer died between the claim and its first status write.
        const claim = await this.deps.storage.head(jobClaimKey(id));
        if (claim && now - claim.lastModified.getTime() > STALE_AFTER_MS) {
          await this.fail(status, `claimed ${STALE_AFTER_MS / 60_000} minutes ago but never started: the process that claimed it probably stopped`);
          continue;
        }
      }
      out.push(status);
    }
    return out.sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
  }

  /**
   * Claims a queued job for this process and marks it running; undefined when
   * another process claimed it first (or it is no longer queued). A shared index
   * (PostgreSQL) claims in one statement; otherwise the claim is an object only one
   * caller can create, and reading it back also settles the race on S3-compatible
   * servers that ignore conditional writes.
   */
  async claim(status: JobStatus): Promise<JobStatus | undefined> {
    const { storage, jobs } = this.deps;
    const now = isoNow(this.deps.clock);
    const mine: ClaimDoc = { token: randomBytes(16).toString('hex'), by: `${hostname()}:${process.pid}`, at: now };
    if (jobs.claim) {
      if (!(await jobs.claim(status.id, mine.by, now))) return undefined;
      // Kept for the stale-claim check in active() (its age) and for diagnosis.
      await storage.createIfAbsent(jobClaimKey(status.id), JSON.stringify(mine), 'application/json');
    } else {
      if (!(await storage.createIfAbsent(jobClaimKey(status.id), JSON.stringify(mine), 'application/json'))) return undefined;
      if ((await getJson<ClaimDoc>(storage, jobClaimKey(status.id))).token !== mine.token) return undefined;
    }
    const current = (await this.readStatusDoc(status.id)) ?? status;
    if (current.state !== 'queued') return undefined;
    return this.write({
      ...current, state: 'running', startedAt: now, claimedBy: mine.by,
      log: [...current.log, { time: now, message: `started by ${mine.by}` }],
    });
  }

  async fail(status: JobStatus, message: string): Promise<JobStatus> {
    const now = isoNow(this.deps.clock);
    return this.write({ ...status, state: 'failed', error: message, finishedAt: now, log: [...status.log, { time: now, message: `failed: ${message}` }] });
  }
}
