import { byId, say } from '../lib/dom.js';

/**
 * The key form: the viewer key (VIEWER_KEY, read-only) or the admin key (API_KEY).
 * The key goes to sessionStorage (KeyStore) and from there
 * into every request's x-api-key header; it is never put in a URL.
 */
export class KeyPanel {
  /** @param {import('../lib/key-store.js').KeyStore} keys */
  constructor(keys) {
    this.keys = keys;
    this.form = /** @type {HTMLFormElement} */ (byId('key-form'));
    this.input = /** @type {HTMLInputElement} */ (byId('api-key'));
    this.state = byId('key-state');
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      const key = this.input.value.trim();
      if (!key) {
        this.show('Type a key first: the viewer key (VIEWER_KEY) to look, the admin key (API_KEY) to also make changes.', true);
        this.input.focus();
        return;
      }
      this.input.value = '';
      keys.set(key);
    });
    byId('key-forget').addEventListener('click', () => {
      this.input.value = '';
      keys.set('');
    });
    keys.onChange(() => this.describe());
    this.describe();
  }

  describe() {
    this.show(this.keys.get()
      ? 'Key set for this tab. A viewer key shows the data; uploads, reviews and retraining need the admin key (checked when you make a change).'
      : 'No key: a private service shows nothing. Enter the viewer key to look, or the admin key to upload, review or retrain.', false);
  }

  /** The service refused the key (401 with a key set). @param {string} message */
  refused(message) {
    this.show(`The service refused the admin key: ${message}. Enter it again.`, true);
  }

  /**
   * For actions that need the key: true when one is set; otherwise says so
   * next to the action and moves focus to the key field.
   * @param {HTMLElement} messageEl
   */
  require(messageEl) {
    if (this.keys.get()) return true;
    say(messageEl, 'error', 'This needs the admin API key: enter it at the top of the page.');
    this.input.focus();
    return false;
  }

  /** @param {string} text @param {boolean} error */
  show(text, error) {
    this.state.textContent = text;
    this.state.className = error ? 'hint msg-error' : 'hint';
  }
}
