import { byId, h, say } from '../lib/dom.js';
import { percent, time } from '../lib/format.js';
import { DetectionCard } from './detection-card.js';

/** Cards kept on the page; older ones leave it (they stay in the API). */
const MAX_CARDS = 200;
/** Alert notices shown at once at the top of the page. */
const MAX_ALERT_NOTICES = 3;

/**
 * @typedef {import('./detection-card.js').Detection} Detection
 * @typedef {import('./detection-card.js').CardContext} CardContext
 *
 * @typedef {object} AlertEvent  the live `alert` event
 * @property {string} alertId
 * @property {string} stationId
 * @property {string} eventId
 * @property {string} label
 * @property {number} confidence
 * @property {number | null} shotCount
 * @property {string} raisedAt
 * @property {boolean} delayed
 */

/**
 * The live list: filled from GET /api/detections, then kept current by the
 * `detection` and `alert` events of /api/live. Newest first (by start time).
 */
export class DetectionsPanel {
  /**
   * @param {CardContext & { load: () => Promise<{ items: Detection[] }> }} ctx
   */
  constructor(ctx) {
    this.ctx = ctx;
    /** @type {Map<string, DetectionCard>} */
    this.cards = new Map();
    this.list = byId('detections');
    this.empty = byId('live-empty');
    this.message = byId('live-message');
    this.banner = byId('alert-banner');
    this.filter = 'all';
    for (const radio of document.querySelectorAll('input[name="live-filter"]')) {
      radio.addEventListener('change', (e) => {
        const input = /** @type {HTMLInputElement} */ (e.target);
        if (input.checked) {
          this.filter = input.value;
          this.applyFilter();
        }
      });
    }
  }

  /** Loads the newest detections (at start and after every reconnection, to fill any gap). */
  async reload() {
    try {
      const { items } = await this.ctx.load();
      for (const d of [...items].reverse()) this.upsert(d, false);
      say(this.message, '');
    } catch (err) {
      say(this.message, 'error', `Could not load detections: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.applyFilter();
  }

  /** @param {Detection} d @param {boolean} [fresh] true when it arrived live (briefly highlighted) */
  upsert(d, fresh = true) {
    // Event ids are unique per station only.
    const existing = this.cards.get(`${d.stationId}/${d.id}`);
    if (existing) {
      existing.update(d);
    } else {
      const card = new DetectionCard(this.ctx, d);
      this.cards.set(`${d.stationId}/${d.id}`, card);
      this.insertSorted(card);
      if (fresh) {
        card.element.classList.add('is-new');
        setTimeout(() => card.element.classList.remove('is-new'), 4_000);
      }
      this.trim();
    }
    this.applyFilter();
  }

  /** @param {AlertEvent} a */
  onAlert(a) {
    const text = `${a.label} alert at ${a.stationId}: ${percent(a.confidence)}${a.shotCount ? `, ${a.shotCount} shot${a.shotCount === 1 ? '' : 's'}` : ''}, ${time(a.raisedAt)}${a.delayed ? ' (delivered late)' : ''}`;
    const dismiss = h('button', { type: 'button', class: 'secondary small', text: 'Dismiss', 'aria-label': `Dismiss ${text}` });
    const notice = h('p', { class: 'alert-notice', 'data-event-id': a.eventId }, h('strong', { text: 'Alert: ' }), text, ' ', dismiss);
    dismiss.addEventListener('click', () => notice.remove());
    this.banner.prepend(notice);
    while (this.banner.children.length > MAX_ALERT_NOTICES) this.banner.lastElementChild?.remove();
  }

  /** The class list changed: every card's review buttons follow. */
  refreshClasses() {
    for (const card of this.cards.values()) card.refreshClasses();
  }

  /** @param {DetectionCard} card */
  insertSorted(card) {
    const t = Date.parse(card.d.startTime);
    for (const li of this.list.children) {
      const other = this.cards.get(li.getAttribute('data-key') ?? '');
      if (other && Date.parse(other.d.startTime) < t) {
        this.list.insertBefore(card.element, li);
        return;
      }
    }
    this.list.append(card.element);
  }

  trim() {
    while (this.list.children.length > MAX_CARDS) {
      const last = this.list.lastElementChild;
      const id = last?.getAttribute('data-key') ?? '';
      this.cards.get(id)?.destroy();
      this.cards.delete(id);
      last?.remove();
    }
  }

  applyFilter() {
    let visible = 0;
    for (const card of this.cards.values()) {
      const show = this.filter === 'alerts' ? card.d.alert : this.filter === 'unreviewed' ? !card.d.reviewed : true;
      card.element.hidden = !show;
      if (show) visible++;
    }
    this.empty.hidden = visible > 0;
    this.empty.textContent = this.cards.size === 0
      ? 'No detections yet. They appear here the moment a station reports one.'
      : this.filter === 'alerts' ? 'No alerts among the recent detections.' : 'Nothing left to review among the recent detections.';
  }
}
