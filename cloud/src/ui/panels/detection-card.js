import { h, say } from '../lib/dom.js';
import { percent, when } from '../lib/format.js';

/**
 * @typedef {object} Detection  the API's Detection (docs/api.md)
 * @property {string} id
 * @property {string} stationId
 * @property {string} url  this detection's API path (names the station: event ids are unique per station only)
 * @property {string} label
 * @property {number} confidence
 * @property {string} startTime
 * @property {string | null} endTime
 * @property {number | null} shotCount
 * @property {boolean} alert
 * @property {'open' | 'closed'} state
 * @property {boolean} clipAvailable
 * @property {string | null} audioUrl
 * @property {string | null} spectrogramUrl
 * @property {string | null} modelVersion
 * @property {boolean} reviewed
 * @property {string | null} reviewedLabel
 * @property {string | null} reviewedAt
 *
 * @typedef {object} CardContext
 * @property {() => string[]} classes  labels a review may choose
 * @property {(path: string) => Promise<string>} mediaUrl  a URL <img>/<audio> can load (direct, or a blob: URL with the key)
 * @property {(d: Detection, label: string) => Promise<Detection>} review  PATCH d.url with the admin key
 */

/**
 * One detection in the live list. Updated in place as the event goes from
 * open to closed, the clip arrives and a reviewer labels it, so a playing
 * clip is never interrupted by an update.
 */
export class DetectionCard {
  /** @param {CardContext} ctx @param {Detection} d */
  constructor(ctx, d) {
    this.ctx = ctx;
    this.d = d;
    /** @type {string[]} object URLs to revoke when the card goes */
    this.blobUrls = [];
    /** @type {string | null} */
    this.shownSpectrogram = null;
    /** @type {string | null} */
    this.shownAudio = null;
    const titleId = `det-${cssId(d.id)}-title`;
    this.title = h('h3', { id: titleId, class: 'det-title' });
    this.badges = h('p', { class: 'badges' });
    this.meta = h('p', { class: 'meta' });
    this.img = h('img', { class: 'spectrogram', alt: '', hidden: true, width: 480, height: 160, decoding: 'async' });
    this.audio = h('audio', { controls: true, preload: 'metadata', hidden: true });
    this.pending = h('p', { class: 'hint clip-pending' });
    this.reviewState = h('p', { class: 'review-state', role: 'status' });
    this.buttons = h('div', { class: 'review-buttons', role: 'group', 'aria-labelledby': `${titleId} det-${cssId(d.id)}-rl` });
    this.message = h('p', { class: 'msg', hidden: true });
    this.element = h('li', { class: 'det', 'data-id': d.id, 'data-key': `${d.stationId}/${d.id}` },
      h('article', { 'aria-labelledby': titleId },
        h('header', { class: 'det-head' }, this.title, this.badges),
        this.meta,
        h('div', { class: 'media' }, this.img, this.audio, this.pending),
        h('div', { class: 'review' },
          h('span', { id: `det-${cssId(d.id)}-rl`, class: 'review-label', text: 'Label:' }),
          this.buttons,
          this.reviewState,
          this.message)));
    this.render();
  }

  /** @param {Detection} d */
  update(d) {
    this.d = d;
    this.render();
  }

  /** The class list changed (a new model): rebuild the review buttons. */
  refreshClasses() {
    this.renderButtons();
  }

  destroy() {
    for (const url of this.blobUrls) URL.revokeObjectURL(url);
    this.blobUrls = [];
  }

  render() {
    const d = this.d;
    this.element.classList.toggle('is-alert', d.alert);
    this.element.classList.toggle('is-open', d.state === 'open');
    this.element.classList.toggle('is-reviewed', d.reviewed);
    this.title.replaceChildren(
      h('span', { class: 'det-label', text: d.label }), ' ',
      h('span', { class: 'det-conf', text: percent(d.confidence) }),
      h('span', { class: 'visually-hidden', text: ` confidence, station ${d.stationId}` }),
    );
    this.badges.replaceChildren(
      d.alert ? h('span', { class: 'badge badge-alert', text: d.shotCount ? `Alert · ${d.shotCount} shot${d.shotCount === 1 ? '' : 's'}` : 'Alert' }) : '',
      d.state === 'open' ? h('span', { class: 'badge badge-open', text: 'In progress' }) : '',
      d.reviewed ? h('span', { class: 'badge badge-reviewed', text: 'Reviewed' }) : '',
    );
    this.meta.replaceChildren(
      'Station ', h('strong', { class: 'det-station', text: d.stationId }),
      ' · ', h('time', { datetime: d.startTime, text: when(d.startTime) }),
      d.modelVersion ? ` · model ${d.modelVersion}` : '',
    );
    this.renderMedia();
    this.renderButtons();
    this.reviewState.textContent = !d.reviewed
      ? 'Not reviewed yet.'
      : d.reviewedLabel === d.label ? `Confirmed as ${d.reviewedLabel}.` : `Corrected to ${d.reviewedLabel}.`;
  }

  renderMedia() {
    const d = this.d;
    this.pending.hidden = d.clipAvailable;
    this.pending.textContent = d.clipAvailable ? '' : 'Clip not uploaded yet: the spectrogram and audio appear when it arrives.';
    this.img.alt = `Spectrogram of the ${d.label} clip from ${d.stationId} (time left to right, low frequencies at the bottom)`;
    this.audio.setAttribute('aria-label', `Audio of the ${d.label} clip from ${d.stationId}`);
    if (d.spectrogramUrl && d.spectrogramUrl !== this.shownSpectrogram) {
      this.shownSpectrogram = d.spectrogramUrl;
      this.load(d.spectrogramUrl, (url) => {
        this.img.setAttribute('src', url);
        this.img.hidden = false;
      });
    }
    if (d.audioUrl && d.audioUrl !== this.shownAudio) {
      this.shownAudio = d.audioUrl;
      this.load(d.audioUrl, (url) => {
        this.audio.setAttribute('src', url);
        this.audio.hidden = false;
      });
    }
  }

  /** @param {string} path @param {(url: string) => void} show */
  load(path, show) {
    this.ctx.mediaUrl(path).then((url) => {
      if (url.startsWith('blob:')) this.blobUrls.push(url);
      show(url);
    }, (err) => {
      say(this.message, 'error', `Could not load the clip: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  renderButtons() {
    const d = this.d;
    const classes = this.ctx.classes();
    const ordered = classes.includes(d.label) ? [d.label, ...classes.filter((c) => c !== d.label)] : classes;
    const disabled = !d.clipAvailable;
    this.buttons.replaceChildren(...ordered.map((label) => {
      const confirm = label === d.label;
      const chosen = d.reviewed && d.reviewedLabel === label;
      const button = h('button', {
        type: 'button',
        class: `review-button${confirm ? ' confirm' : ''}${chosen ? ' chosen' : ''}`,
        'data-label': label,
        'aria-pressed': chosen ? 'true' : 'false',
        disabled,
        text: confirm ? `✓ Confirm ${label}` : `Correct to ${label}`,
      });
      button.addEventListener('click', () => void this.review(label));
      return button;
    }));
    if (disabled) this.buttons.setAttribute('title', 'Review opens once the clip is in storage');
    else this.buttons.removeAttribute('title');
  }

  /** @param {string} label */
  async review(label) {
    const buttons = [...this.buttons.querySelectorAll('button')];
    buttons.forEach((b) => b.setAttribute('disabled', ''));
    say(this.message, 'info', `Saving ${label}…`);
    try {
      say(this.message, '');
      this.update(await this.ctx.review(this.d, label));
    } catch (err) {
      say(this.message, 'error', err instanceof Error ? err.message : String(err));
      this.renderButtons();
    }
  }
}

/** An id safe inside an HTML id attribute and CSS selectors. */
function cssId(id) {
  return id.replace(/[^A-Za-z0-9_-]/g, '_');
}
