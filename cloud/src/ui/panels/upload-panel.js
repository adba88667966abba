import { byId, h, say } from '../lib/dom.js';
import { bytes, dateTime } from '../lib/format.js';

/**
 * @typedef {{ key: string, class: string, name: string, bytes: number, createdAt: string }} Upload
 *
 * @typedef {object} UploadContext
 * @property {(form: FormData) => Promise<{ message: string, file_path: string, class: string }>} upload  POST /upload
 * @property {() => Promise<{ items: Upload[], total: number }>} recent  GET /api/uploads
 * @property {() => boolean} requireKey  false (and says why) when no admin key is set
 */

/** The upload form (class picker + WAV) and the list of recent uploads. */
export class UploadPanel {
  /** @param {UploadContext} ctx */
  constructor(ctx) {
    this.ctx = ctx;
    this.form = /** @type {HTMLFormElement} */ (byId('upload-form'));
    this.select = /** @type {HTMLSelectElement} */ (byId('upload-class'));
    this.file = /** @type {HTMLInputElement} */ (byId('upload-file'));
    this.submit = /** @type {HTMLButtonElement} */ (byId('upload-submit'));
    this.message = byId('upload-message');
    this.list = byId('uploads');
    this.empty = byId('uploads-empty');
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.send();
    });
  }

  /** @param {string[]} classes */
  setClasses(classes) {
    const previous = this.select.value;
    this.select.replaceChildren(
      h('option', { value: '', text: 'Choose a class…' }),
      ...classes.map((c) => h('option', { value: c, text: c })),
    );
    if (classes.includes(previous)) this.select.value = previous;
  }

  /** @param {string} text */
  classesFailed(text) {
    this.select.replaceChildren(h('option', { value: '', text: 'Classes unavailable' }));
    say(this.message, 'error', text);
  }

  async send() {
    const className = this.select.value;
    const file = this.file.files?.[0];
    if (!className) {
      say(this.message, 'error', 'Choose the class the recording belongs to.');
      this.select.focus();
      return;
    }
    if (!file) {
      say(this.message, 'error', 'Choose an audio file (WAV, FLAC or Opus) to upload.');
      this.file.focus();
      return;
    }
    if (!this.ctx.requireKey()) return;
    // The service reads `class` before `file` (docs/api.md), so append in that order.
    const form = new FormData();
    form.append('class', className);
    form.append('file', file, file.name);
    this.submit.disabled = true;
    say(this.message, 'info', `Uploading ${file.name}…`);
    try {
      const answer = await this.ctx.upload(form);
      say(this.message, 'ok', `${answer.message}: ${file.name} stored as ${answer.file_path}.`);
      this.file.value = '';
      await this.reload();
    } catch (err) {
      say(this.message, 'error', `Upload refused: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.submit.disabled = false;
    }
  }

  async reload() {
    try {
      const { items, total } = await this.ctx.recent();
      this.empty.hidden = items.length > 0;
      this.list.replaceChildren(...items.map((u) => h('li', { 'data-key': u.key },
        h('span', { class: 'tag', text: u.class }), ' ',
        h('span', { class: 'upload-name', text: u.name }), ' ',
        h('span', { class: 'hint', text: `${bytes(u.bytes)} · ${dateTime(u.createdAt)}` }))));
      if (total > items.length) this.list.append(h('li', { class: 'hint', text: `…and ${total - items.length} older` }));
    } catch (err) {
      say(this.message, 'error', `Could not list uploads: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
