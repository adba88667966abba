import { describe, expect, it } from 'vitest';
import { SseParser } from './sse-parser.js';

/** What the service's openSse writes (cloud/src/routes/sse.ts). */
const WIRE = ': connected\n\nevent: detection\ndata: {"id":"ev-1","label":"gunshot"}\n\n: ping\n\nevent: job\ndata: {"percent":50}\n\n';

describe('SseParser', () => {
  it('parses the service\'s stream in one piece, skipping comments', () => {
    expect(new SseParser().push(WIRE)).toEqual([
      { event: 'detection', data: '{"id":"ev-1","label":"gunshot"}' },
      { event: 'job', data: '{"percent":50}' },
    ]);
  });

  it('gives the same events whatever the chunk boundaries', () => {
    const whole = new SseParser().push(WIRE);
    for (let size = 1; size <= 7; size++) {
      const parser = new SseParser();
      const got = [];
      for (let i = 0; i < WIRE.length; i += size) got.push(...parser.push(WIRE.slice(i, i + size)));
      expect(got).toEqual(whole);
    }
  });

  it('handles CRLF and CR line ends, even split between chunks', () => {
    const parser = new SseParser();
    expect(parser.push('event: a\r\ndata: 1\r')).toEqual([]);
    expect(parser.push('\n\r\nevent: b\rdata: 2\r\r')).toEqual([{ event: 'a', data: '1' }, { event: 'b', data: '2' }]);
  });

  it('joins multi-line data, defaults the event name, keeps the id and ignores blocks without data', () => {
    const parser = new SseParser();
    expect(parser.push('data: line one\ndata:line two\nid: 7\n\nevent: lonely\n\nretry: 100\ndata\n\n')).toEqual([
      { event: 'message', data: 'line one\nline two', id: '7' },
      { event: 'message', data: '' },
    ]);
  });

  it('keeps an unfinished event until its blank line arrives', () => {
    const parser = new SseParser();
    expect(parser.push('event: station\ndata: {"id":"st-1"}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'station', data: '{"id":"st-1"}' }]);
  });
});
