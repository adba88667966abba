import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}

describe('logger', () => {
  it('writes one JSON object per line with a syslog severity', () => {
    const { stream, lines } = capture();
    const log = createLogger({ name: 't', destination: stream, journald: false });
    log.warn({ a: 1 }, 'careful');
    const entry = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'warn', severity: 4, name: 't', msg: 'careful', a: 1 });
  });

  it('prefixes lines with <priority> for journald so levels survive', () => {
    const { stream, lines } = capture();
    const log = createLogger({ name: 't', destination: stream, journald: true });
    log.error('bad');
    log.info('fine');
    expect(lines[0]).toMatch(/^<3>\{/);
    expect(lines[1]).toMatch(/^<6>\{/);
  });

  it('never writes secrets it is given under well-known keys', () => {
    const { stream, lines } = capture();
    const log = createLogger({ name: 't', destination: stream, journald: false });
    log.info({ apiKey: 'sekrit-1', config: { password: 'sekrit-2', token: 'sekrit-3' } }, 'starting');
    expect(lines.join('\n')).not.toMatch(/sekrit/);
  });
});
