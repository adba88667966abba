import { byId, clear, h, say } from '../lib/dom.js';
import { percent, when } from '../lib/format.js';

/**
 * @typedef {object} LoggingAlert  GET /api/logging item and the live `logging` event (docs/api.md)
 * @property {string} alertId
 * @property {string} stationId
 * @property {string} label
 * @property {'active' | 'ended'} state
 * @property {string} startTime
 * @property {string} lastHeardTime
 * @property {number} durationSec
 * @property {number} presentSec
 * @property {number} peakConfidence
 * @property {number} meanConfidence
 * @property {string | null} onsetEventId
 * @property {string | null} caveat
 * @property {boolean} delayed
 */

/** Alerts kept on the page. */
const MAX_ALERTS = 50;

/**
 * Logging alerts (sustained chainsaw): filled from GET /api/logging, kept
 * current by the `logging` events of /api/live. An active alert also shows in
 * the page's alert banner. Each alert carries the model's caveat for its
 * class (e.g. trained on synthetic saws only) where the user reads it.
 */
export class LoggingPanel {
  /** @param {{ load: () => Promise<{ items: LoggingAlert[] }>, mediaUrl: (path: string) => Promise<string> }} ctx */
  constructor(ctx) {
    this.ctx = ctx;
    /** @type {Map<string, LoggingAlert>} */
    this.alerts = new Map();
    /** @type {Map<string, HTMLElement>} onset clip players by URL (not rebuilt on every update) */
    this.players = new Map();
    this.list = byId('logging-alerts');
    this.empty = byId('logging-empty');
    this.message = byId('logging-message');
    this.banner = byId('alert-banner');
  }

  async reload() {
    try {
      const { items } = await this.ctx.load();
      for (const a of items) this.alerts.set(a.alertId, a);
      say(this.message, '');
      this.render();
    } catch (err) {
      say(this.message, 'error', `Could not load logging alerts: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** @param {LoggingAlert} a */
  upsert(a) {
    this.alerts.set(a.alertId, a);
    this.render();
  }

  render() {
    const sorted = [...this.alerts.values()].sort((x, y) => y.startTime.localeCompare(x.startTime)).slice(0, MAX_ALERTS);
    clear(this.list);
    for (const a of sorted) this.list.append(this.item(a));
    this.empty.hidden = sorted.length > 0;
    this.showBanner(sorted.filter((a) => a.state === 'active'));
  }

  /** @param {LoggingAlert} a */
  item(a) {
    const active = a.state === 'active';
    const caveat = a.caveat ? h('p', { class: 'hint caveat', text: `Model caveat for ${a.label}: ${a.caveat}` }) : '';
    return h('li', { class: `logging-alert${active ? ' is-active' : ''}`, 'data-alert-id': a.alertId },
      h('h3', { text: `${active ? 'Logging in progress' : 'Logging'} at ${a.stationId}` }),
      h('p', { class: 'meta', text: `${a.label} since ${when(a.startTime)}, last heard ${when(a.lastHeardTime)}: ${duration(a.durationSec)} in all (${duration(a.presentSec)} heard), peak ${percent(a.peakConfidence)}${a.delayed ? ' (delivered late)' : ''}` }),
      caveat,
      this.onsetClip(a),
    );
  }

  /** The onset's clip (the first detection of the alert), once uploaded. @param {LoggingAlert} a */
  onsetClip(a) {
    if (!a.onsetEventId) return h('p', { class: 'hint', text: 'No onset clip.' });
    const path = `/api/detections/${encodeURIComponent(a.onsetEventId)}/audio`;
    const known = this.players.get(path);
    if (known) return known;
    const audio = h('audio', { controls: true, preload: 'none', 'aria-label': `Onset of the ${a.label} at ${a.stationId}` });
    const wrap = h('p', { class: 'onset' }, 'Onset clip: ', audio);
    this.players.set(path, wrap);
    this.ctx.mediaUrl(path).then((url) => audio.setAttribute('src', url), () => undefined);
    return wrap;
  }

  /** @param {LoggingAlert[]} active */
  showBanner(active) {
    for (const old of this.banner.querySelectorAll('.logging-notice')) old.remove();
    for (const a of active) {
      this.banner.append(h('p', { class: 'alert-notice logging-notice', 'data-alert-id': a.alertId },
        h('strong', { text: 'Logging: ' }),
        `${a.label} at ${a.stationId} for ${duration(a.durationSec)} (since ${when(a.startTime)})${a.caveat ? ' – model caveat: trained on synthetic audio only' : ''}`));
    }
  }
}

/** @param {number} sec */
function duration(sec) {
  if (!Number.isFinite(sec)) return '–';
  const m = Math.floor(sec / 60);
  const s = Math.round(sec - m * 60);
  return m > 0 ? `${m} min ${s} s` : `${s} s`;
}
