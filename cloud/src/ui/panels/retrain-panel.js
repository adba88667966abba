import { byId, h, say } from '../lib/dom.js';
import { time } from '../lib/format.js';
import { EventStream } from '../lib/event-stream.js';

/** Log lines kept on the page (the service keeps the last 200 per job). */
const MAX_LOG_LINES = 200;

/**
 * @typedef {object} Job  the API's Job (docs/api.md); `log` is absent in status events
 * @property {string} id
 * @property {'queued' | 'running' | 'succeeded' | 'failed'} state
 * @property {string | null} stage
 * @property {number} percent
 * @property {string[]} stages
 * @property {{ time: string, message: string }[]} [log]
 * @property {{ outcome: 'published' | 'rejected', version: string, report: Record<string, unknown> } | null} result
 * @property {string | null} error
 * @property {number} seq
 *
 * @typedef {object} RetrainContext
 * @property {(body: { min_samples?: number, mode: string }) => Promise<{ job_id: string, message: string }>} start  POST /retrain
 * @property {() => Promise<{ items: Job[] }>} jobs  GET /api/jobs
 * @property {(id: string) => Promise<Job>} job  GET /api/jobs/:id
 * @property {() => Record<string, string>} headers  auth headers for the job's event stream
 * @property {() => boolean} requireKey
 * @property {() => void} onFinished  a job ended (the model list may have changed)
 */

/** The retrain button and the followed job's live progress (its SSE stream). */
export class RetrainPanel {
  /** @param {RetrainContext} ctx */
  constructor(ctx) {
    this.ctx = ctx;
    this.form = /** @type {HTMLFormElement} */ (byId('retrain-form'));
    this.min = /** @type {HTMLInputElement} */ (byId('retrain-min'));
    this.mode = /** @type {HTMLSelectElement} */ (byId('retrain-mode'));
    this.submit = /** @type {HTMLButtonElement} */ (byId('retrain-submit'));
    this.message = byId('retrain-message');
    this.box = byId('job');
    this.title = byId('job-title');
    this.stateLine = byId('job-state');
    this.progress = /** @type {HTMLProgressElement} */ (byId('job-progress'));
    this.stages = byId('job-stages');
    this.log = byId('job-log');
    /** @type {string | null} */
    this.jobId = null;
    /** @type {Job | undefined} the followed job's latest state */
    this.current = undefined;
    /** @type {EventStream | undefined} */
    this.stream = undefined;
    /** Log lines already shown (a reconnected stream repeats them). */
    this.seenLines = new Set();
    /** @type {string | null} why retraining cannot work here (no signing key), from /status */
    this.disabledReason = null;
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.start();
    });
  }

  /** @param {string | null} reason null when publishing works */
  setDisabledReason(reason) {
    this.disabledReason = reason;
    this.submit.disabled = reason !== null || this.isActive();
    if (reason) say(this.message, 'error', `Retraining is unavailable: ${reason}`);
  }

  /** Shows the newest job; follows it if it is still going. */
  async reload() {
    try {
      const { items } = await this.ctx.jobs();
      const newest = items[0];
      if (newest && newest.id !== this.jobId) this.follow(newest);
    } catch (err) {
      say(this.message, 'error', `Could not load jobs: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * A `job` event from /api/live: a job started elsewhere (CLI, another tab) is followed too.
   * @param {Job} job
   */
  onLiveJob(job) {
    if (job.id === this.jobId) this.show(job);
    else if (job.state === 'queued' || job.state === 'running') this.follow(job);
  }

  async start() {
    if (!this.ctx.requireKey()) return;
    const raw = this.min.value.trim();
    /** @type {{ min_samples?: number, mode: string }} */
    const body = { mode: this.mode.value };
    if (raw !== '') {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0) {
        say(this.message, 'error', 'Minimum new samples must be a whole number, 0 or more (or empty for the service default).');
        this.min.focus();
        return;
      }
      body.min_samples = n;
    }
    this.submit.disabled = true;
    say(this.message, 'info', 'Starting…');
    try {
      const answer = await this.ctx.start(body);
      say(this.message, 'ok', `Retraining started (${answer.job_id}).`);
      this.follow(await this.ctx.job(answer.job_id).catch((err) => {
        say(this.message, 'error', `Retraining started (${answer.job_id}), but its progress cannot be shown: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      }));
    } catch (err) {
      const e = /** @type {{ message?: string, code?: string, body?: { job_id?: string } }} */ (err);
      say(this.message, 'error', `Retraining refused: ${e.message ?? String(err)}`);
      // One job at a time: show the one that is running.
      if (e.code === 'JOB_RUNNING' && e.body?.job_id) this.follow(await this.ctx.job(e.body.job_id).catch(() => null));
    } finally {
      this.submit.disabled = this.disabledReason !== null || this.isActive();
    }
  }

  isActive() {
    const s = this.current?.state;
    return s === 'queued' || s === 'running';
  }

  /** @param {Job | null} job */
  follow(job) {
    if (!job) return;
    // Already following it (the live channel can announce a new job before the request that started it
    // returns): a late snapshot must not reset the panel; show() drops it if it is older.
    if (job.id === this.jobId && this.stream) {
      this.show(job);
      return;
    }
    this.stream?.stop();
    this.stream = undefined;
    this.jobId = job.id;
    this.seenLines.clear();
    this.log.replaceChildren();
    this.current = undefined;
    this.show(job);
    if (!this.isActive()) return;
    this.stream = new EventStream({
      url: `/api/jobs/${encodeURIComponent(job.id)}/events`,
      headers: this.ctx.headers,
      onEvent: (event, data) => this.onStreamEvent(job.id, event, data),
      isFatal: (status) => status === 401 || status === 404,
      onState: (state, detail) => {
        if (state === 'closed' && detail && this.isActive()) say(this.message, 'error', `Lost the job's progress stream: ${detail}`);
      },
    });
    this.stream.start();
  }

  /** @param {string} id @param {string} event @param {unknown} data */
  onStreamEvent(id, event, data) {
    if (id !== this.jobId) return;
    if (event === 'log') this.addLines([/** @type {{ time: string, message: string }} */ (data)]);
    else if (event === 'status' || event === 'end') this.show(/** @type {Job} */ (data));
    if (event === 'end') {
      this.stream?.stop();
      this.stream = undefined;
    }
  }

  /** @param {Job} job */
  show(job) {
    if (this.current && job.seq < this.current.seq) return; // an older snapshot arriving late
    const wasActive = this.isActive();
    this.current = job;
    this.box.hidden = false;
    this.title.textContent = `Job ${job.id}`;
    const pct = Math.max(0, Math.min(100, job.percent));
    this.progress.value = pct;
    this.progress.textContent = `${Math.round(pct)} %`;
    this.stateLine.textContent = describe(job);
    this.stateLine.className = `job-state job-${job.state}${job.result?.outcome === 'rejected' ? ' job-rejected' : ''}`;
    const at = job.stage ? job.stages.indexOf(job.stage) : -1;
    this.stages.replaceChildren(...job.stages.map((s, i) => {
      const done = job.state === 'succeeded' || i < at;
      const current = i === at && job.state !== 'succeeded';
      return h('li', { class: done ? 'done' : current ? (job.state === 'failed' ? 'failed' : 'current') : 'todo', 'aria-current': current ? 'step' : false },
        s, h('span', { class: 'visually-hidden', text: done ? ' (done)' : current ? (job.state === 'failed' ? ' (failed here)' : ' (running)') : '' }));
    }));
    if (job.log) this.addLines(job.log);
    this.submit.disabled = this.disabledReason !== null || this.isActive();
    if (wasActive && !this.isActive()) this.ctx.onFinished();
  }

  /** @param {{ time: string, message: string }[]} lines */
  addLines(lines) {
    for (const line of lines) {
      const key = `${line.time}\n${line.message}`;
      if (this.seenLines.has(key)) continue;
      this.seenLines.add(key);
      this.log.append(h('li', {}, h('time', { datetime: line.time, text: time(line.time) }), ' ', line.message));
    }
    while (this.log.children.length > MAX_LOG_LINES) this.log.firstElementChild?.remove();
  }
}

/** @param {Job} job */
function describe(job) {
  const pct = `${Math.round(job.percent)} %`;
  switch (job.state) {
    case 'queued': return `Queued (${pct})`;
    case 'running': return `Running: ${job.stage ?? 'starting'} (${pct})`;
    case 'failed': return `Failed${job.stage ? ` at ${job.stage}` : ''}: ${job.error ?? 'unknown error'}`;
    case 'succeeded': {
      const r = job.result;
      if (!r) return 'Finished';
      if (r.outcome === 'published') return `Finished: model ${r.version} published`;
      const gate = /** @type {{ gate?: { reasons?: string[] } }} */ (r.report).gate;
      const why = gate?.reasons?.length ? `: ${gate.reasons.join('; ')}` : '';
      return `Finished: model ${r.version} rejected by the gate (the current model stays)${why}`;
    }
    default: return job.state;
  }
}
