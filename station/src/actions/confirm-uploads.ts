import type { Logger } from '#shared/util/logger.js';
import type { OutboxItem } from '../store/outbox.js';
import type { ConfirmJob } from '../store/upload-ledger.js';
import type { ActionResult, OutboxAction } from './outbox-worker.js';

export interface ConfirmUploadsOptions {
  /** The cloud's base URL (upload.presignUrl). */
  baseUrl: string;
  stationId: string;
  token: string;
  attemptTimeoutMs: number;
  /** Retry delay after the cloud refused the token: config must change first. */
  rejectedRetryMs: number;
}

type ObjectStatus = 'ok' | 'missing' | 'mismatch' | 'invalid';

/**
 * Tells the cloud which objects an upload stored (POST
 * /api/stations/:id/uploads/confirm), so the cloud checks and indexes exactly
 * those instead of listing the bucket. Idempotent: the cloud's ingest is an
 * upsert, so a confirmation sent twice (answer lost) indexes one detection.
 *
 * The clip is uploaded before this runs and never depends on it, so no answer
 * can lose a clip; what each answer means:
 * - 200, every object `ok`: done.
 * - 200 with an object `missing`: deferred (backoff): the object may yet appear; the cloud's reconciliation also looks.
 * - 200 with `mismatch` or `invalid`, or 400: failed: what is stored is not what was uploaded; retrying cannot change it.
 * - 404: the cloud predates confirmations (a station's own token never gets 404 from one that has them: an
 *   unknown or revoked station gets 401). Done, logged: that cloud lists the bucket and finds the clip itself.
 *   Neither lost nor retried without end.
 * - 401/403: deferred for `rejectedRetryMs` (the token needs fixing); 429, 5xx, no answer: deferred with backoff.
 */
export class ConfirmUploads implements OutboxAction<ConfirmJob> {
  private toldNoRoute = false;

  constructor(
    private readonly options: ConfirmUploadsOptions,
    private readonly logger: Logger,
  ) {}

  ready(): boolean {
    return true;
  }

  async perform(item: OutboxItem<ConfirmJob>, signal: AbortSignal): Promise<ActionResult> {
    const o = this.options;
    const url = `${o.baseUrl.replace(/\/+$/, '')}/api/stations/${encodeURIComponent(o.stationId)}/uploads/confirm`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-station-token': o.token },
        body: JSON.stringify({ objects: item.payload.objects }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(o.attemptTimeoutMs)]),
      });
      text = await res.text();
    } catch (err) {
      return { outcome: 'deferred', reason: `link: ${(err as Error).message}` };
    }
    if (res.status === 404) return this.noConfirmRoute();
    if (res.status === 401 || res.status === 403) return { outcome: 'deferred', reason: `cloud refused the confirmation: HTTP ${res.status}`, retryAfterMs: o.rejectedRetryMs };
    if (res.status === 400) return { outcome: 'failed', reason: `cloud refused the confirmation: ${text.slice(0, 300)}` };
    if (!res.ok) return { outcome: 'deferred', reason: `confirmation: HTTP ${res.status}`, retryAfterMs: retryAfterMs(res) };
    return verdict(text);
  }

  private noConfirmRoute(): ActionResult {
    if (!this.toldNoRoute) {
      this.toldNoRoute = true;
      this.logger.info({ baseUrl: this.options.baseUrl }, 'the cloud takes no upload confirmations (HTTP 404): it finds uploaded clips by listing the bucket');
    }
    return { outcome: 'done' };
  }
}

function verdict(text: string): ActionResult {
  let results: Array<{ key?: string; status?: ObjectStatus; detail?: string }>;
  try {
    results = (JSON.parse(text) as { results?: typeof results }).results ?? [];
  } catch {
    return { outcome: 'deferred', reason: 'confirmation answer is not JSON' };
  }
  const describe = (s: ObjectStatus[]) => results.filter((r) => r.status && s.includes(r.status)).map((r) => `${r.key}: ${r.status}${r.detail ? ` (${r.detail})` : ''}`).join('; ');
  const broken = describe(['mismatch', 'invalid']);
  if (broken) return { outcome: 'failed', reason: `the cloud found the upload not as sent: ${broken}` };
  const missing = describe(['missing']);
  if (missing || results.length === 0) return { outcome: 'deferred', reason: `not in the bucket yet: ${missing || 'no results'}` };
  return { outcome: 'done' };
}

/** Retry-After in seconds (429, 503), capped at an hour; undefined: the worker's backoff. */
function retryAfterMs(res: Response): number | undefined {
  const sec = Number(res.headers.get('retry-after'));
  return Number.isFinite(sec) && sec > 0 ? Math.min(sec, 3600) * 1000 : undefined;
}
