/* global sessionStorage */

const STORAGE_KEY = 'ecosight.apiKey';

/**
 * The admin key, kept in sessionStorage: it survives reloads of this tab but
 * not closing it, and other sites cannot read it. When the browser refuses
 * storage, the key lives in memory until the page is left. Listeners hear
 * every change.
 */
export class KeyStore {
  constructor() {
    /** @type {Set<(key: string) => void>} */
    this.listeners = new Set();
    this.memory = '';
  }

  get() {
    try {
      return sessionStorage.getItem(STORAGE_KEY) ?? '';
    } catch {
      return this.memory;
    }
  }

  /** @param {string} key '' forgets it */
  set(key) {
    this.memory = key;
    try {
      if (key) sessionStorage.setItem(STORAGE_KEY, key);
      else sessionStorage.removeItem(STORAGE_KEY);
    } catch {
      // Storage disabled: the in-memory copy above serves this page.
    }
    for (const listener of this.listeners) listener(key);
  }

  /** @param {(key: string) => void} listener */
  onChange(listener) {
    this.listeners.add(listener);
  }
}
