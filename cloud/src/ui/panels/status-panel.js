import { byId } from '../lib/dom.js';

/** /status is cheap and not pushed: re-read it this often for the header. */
const STATUS_EVERY_MS = 30_000;
/** While the service loads a new release, look again this soon. */
const RETRY_MS = 2_000;

/**
 * @typedef {object} ServiceStatus  GET /status (docs/api.md)
 * @property {'ok' | 'degraded'} status
 * @property {string} version
 * @property {string | null} modelVersion
 * @property {string | null} latestRelease
 * @property {{ driver: string, ok: boolean, error?: string }} storage
 * @property {{ configured: boolean, connected: boolean }} broker
 * @property {{ enabled: boolean, reason?: string | null }} publishing
 * @property {Record<string, string>} [weakClasses]  classes the model should not be trusted on, with the reason
 */

/** The header's status line: service, model, storage, broker and the live connection. */
export class StatusPanel {
  /** @param {{ load: () => Promise<ServiceStatus>, onStatus: (s: ServiceStatus) => void }} ctx */
  constructor(ctx) {
    this.ctx = ctx;
    this.service = byId('status-service');
    this.model = byId('status-model');
    this.storage = byId('status-storage');
    this.broker = byId('status-broker');
    this.weak = byId('status-weak');
    this.live = byId('status-live');
    /** @type {ServiceStatus | null} */
    this.last = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.retryTimer = undefined;
  }

  start() {
    void this.reload();
    setInterval(() => void this.reload(), STATUS_EVERY_MS);
  }

  async reload() {
    try {
      const s = await this.ctx.load();
      this.last = s;
      set(this.service, s.status === 'ok' ? 'ok' : 'warn', `${s.status === 'ok' ? 'OK' : 'Degraded'} · v${s.version}`);
      // Right after a release the service may still be loading it: say so rather than show the old one as current.
      const loading = s.latestRelease && s.modelVersion !== s.latestRelease;
      set(this.model, s.modelVersion && !loading ? 'ok' : 'warn',
        loading ? `${s.latestRelease} (loading; serving ${s.modelVersion ?? 'none'})` : (s.modelVersion ?? 'none'));
      if (loading) this.retrySoon();
      const weak = Object.entries(s.weakClasses ?? {});
      set(this.weak, weak.length ? 'warn' : 'ok', weak.length ? weak.map(([c]) => c).join(', ') : 'none');
      this.weak.title = weak.length ? weak.map(([c, why]) => `${c}: ${why}`).join('\n') : 'Every class is validated on audio from sources it was not trained on';
      set(this.storage, s.storage.ok ? 'ok' : 'bad', s.storage.ok ? s.storage.driver : `${s.storage.driver}: ${s.storage.error ?? 'unreachable'}`);
      set(this.broker, !s.broker.configured ? 'off' : s.broker.connected ? 'ok' : 'bad',
        !s.broker.configured ? 'not configured' : s.broker.connected ? 'connected' : 'disconnected');
      this.ctx.onStatus(s);
    } catch (err) {
      set(this.service, 'bad', `unreachable: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Re-reads /status shortly (once at a time) while the service switches models. */
  retrySoon() {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.reload();
    }, RETRY_MS);
  }

  /** @param {'connecting' | 'open' | 'retrying' | 'closed'} state @param {string} [detail] */
  setLive(state, detail) {
    const text = { connecting: 'connecting…', open: 'connected', retrying: 'reconnecting…', closed: 'stopped' }[state];
    set(this.live, state === 'open' ? 'ok' : state === 'closed' ? 'bad' : 'warn', detail && state !== 'open' ? `${text} (${detail})` : text);
  }
}

/** @param {HTMLElement} el @param {'ok' | 'warn' | 'bad' | 'off'} level @param {string} text */
function set(el, level, text) {
  el.textContent = text;
  el.className = `pill pill-${level}`;
}
