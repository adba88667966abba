import { SseParser } from './sse-parser.js';

/**
 * @typedef {'connecting' | 'open' | 'retrying' | 'closed'} StreamState
 *
 * @typedef {object} EventStreamOptions
 * @property {string} url
 * @property {() => Record<string, string>} headers  called per connection (the key may change)
 * @property {(event: string, data: unknown) => void} onEvent  data is parsed JSON
 * @property {(state: StreamState, detail?: string) => void} [onState]
 * @property {() => void} [onOpen]  after every (re)connection: the place to refetch what may have been missed
 * @property {boolean} [reconnect]  default true; false for streams the server ends on purpose (a job's events)
 * @property {(status: number, body: unknown) => boolean} [isFatal]  stop retrying on this HTTP answer (e.g. 401)
 */

/** Reconnect delays grow to this; the server pings every 15 s, so a dead link shows within ~30 s. */
const MAX_RETRY_MS = 15_000;
const FIRST_RETRY_MS = 1_000;

/**
 * A server-sent-events client over fetch (so it can send headers), with
 * reconnection and exponential back-off. start() once; stop() for good.
 */
export class EventStream {
  /** @param {EventStreamOptions} options */
  constructor(options) {
    this.options = options;
    /** @type {AbortController | undefined} */
    this.controller = undefined;
    this.stopped = false;
    this.retryMs = FIRST_RETRY_MS;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
  }

  start() {
    this.stopped = false;
    void this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.controller?.abort();
    this.state('closed');
  }

  /** Drops the current connection and opens a new one now (e.g. after the key changed). */
  restart() {
    this.stop();
    this.retryMs = FIRST_RETRY_MS;
    this.start();
  }

  /** @param {StreamState} s @param {string} [detail] */
  state(s, detail) {
    this.options.onState?.(s, detail);
  }

  async connect() {
    const controller = new AbortController();
    this.controller = controller;
    this.state('connecting');
    let ended = 'the stream ended';
    try {
      const res = await fetch(this.options.url, {
        headers: { accept: 'text/event-stream', ...this.options.headers() },
        signal: controller.signal,
        cache: 'no-store',
      });
      if (!res.ok || !res.body) {
        const body = await res.json().catch(() => null);
        const message = body && typeof body === 'object' && 'message' in body ? String(body.message) : `HTTP ${res.status}`;
        if (this.options.isFatal?.(res.status, body)) {
          this.stopped = true;
          this.state('closed', message);
          return;
        }
        throw new Error(message);
      }
      this.retryMs = FIRST_RETRY_MS;
      this.state('open');
      this.options.onOpen?.();
      await this.read(res.body);
    } catch (err) {
      if (controller.signal.aborted) return;
      ended = err instanceof Error ? err.message : String(err);
    }
    if (this.stopped || controller.signal.aborted) return;
    if (this.options.reconnect === false) {
      this.state('closed', ended);
      return;
    }
    const wait = this.retryMs;
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    this.state('retrying', `${ended}; reconnecting in ${Math.round(wait / 1000)} s`);
    this.timer = setTimeout(() => void this.connect(), wait);
  }

  /** @param {ReadableStream<Uint8Array>} body */
  async read(body) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const message of parser.push(decoder.decode(value, { stream: true }))) {
        let data;
        try {
          data = JSON.parse(message.data);
        } catch {
          continue; // not ours: every event this service sends is JSON
        }
        this.options.onEvent(message.event, data);
      }
    }
  }
}
