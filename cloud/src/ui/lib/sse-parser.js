/**
 * Incremental parser for the server-sent-events wire format (WHATWG HTML,
 * "event stream interpretation"). Pure: feed it text chunks as they arrive,
 * in any split, and it returns the complete events. The dashboard reads
 * streams with fetch rather than EventSource because EventSource cannot send
 * the x-api-key header a private dashboard needs.
 */

/**
 * @typedef {object} SseMessage
 * @property {string} event  event name ("message" when the block had no `event:` line)
 * @property {string} data   the data lines joined with "\n"
 * @property {string} [id]
 */

export class SseParser {
  constructor() {
    /** Text after the last complete line. */
    this.pending = '';
    /** A chunk ended on "\r": a "\n" at the start of the next chunk belongs to it. */
    this.skipLf = false;
    this.resetBlock();
  }

  resetBlock() {
    this.eventName = '';
    this.dataLines = [];
    this.lastId = undefined;
  }

  /**
   * @param {string} chunk decoded text
   * @returns {SseMessage[]} events completed by this chunk
   */
  push(chunk) {
    let text = chunk;
    if (this.skipLf && text.startsWith('\n')) text = text.slice(1);
    this.skipLf = false;
    this.pending += text;
    const out = [];
    let start = 0;
    for (let i = 0; i < this.pending.length; i++) {
      const ch = this.pending[i];
      if (ch !== '\n' && ch !== '\r') continue;
      this.line(this.pending.slice(start, i), out);
      if (ch === '\r') {
        if (i + 1 < this.pending.length) {
          if (this.pending[i + 1] === '\n') i++;
        } else {
          this.skipLf = true;
        }
      }
      start = i + 1;
    }
    this.pending = this.pending.slice(start);
    return out;
  }

  /** @param {string} line @param {SseMessage[]} out */
  line(line, out) {
    if (line === '') {
      if (this.dataLines.length > 0) {
        /** @type {SseMessage} */
        const message = { event: this.eventName || 'message', data: this.dataLines.join('\n') };
        if (this.lastId !== undefined) message.id = this.lastId;
        out.push(message);
      }
      this.resetBlock();
      return;
    }
    if (line.startsWith(':')) return; // comment (the server's pings)
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.eventName = value;
    else if (field === 'data') this.dataLines.push(value);
    else if (field === 'id') this.lastId = value;
  }
}
