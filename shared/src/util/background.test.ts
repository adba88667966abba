import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inBackground, keepRunningOnUnexpectedRejection } from './background.js';

function recordingLogger() {
  const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  return { lines, error: (obj: Record<string, unknown>, msg: string) => lines.push({ obj, msg }) };
}

describe('inBackground', () => {
  it('logs a rejection once, with what failed', async () => {
    const logger = recordingLogger();
    inBackground(Promise.reject(new Error('boom')), logger as never, 'model announcement');
    await new Promise((r) => setImmediate(r));
    expect(logger.lines).toEqual([{ obj: { err: 'boom' }, msg: 'model announcement failed' }]);
  });

  it('says nothing when the task succeeds', async () => {
    const logger = recordingLogger();
    inBackground(Promise.resolve(1), logger as never, 'x');
    await new Promise((r) => setImmediate(r));
    expect(logger.lines).toEqual([]);
  });
});

describe('keepRunningOnUnexpectedRejection', () => {
  it('logs an unhandled rejection and can be removed', () => {
    const logger = recordingLogger();
    const target = new EventEmitter();
    const off = keepRunningOnUnexpectedRejection(logger as never, target);
    target.emit('unhandledRejection', new TypeError('a.localeCompare is not a function'));
    expect(logger.lines[0].msg).toContain('unhandled rejection');
    expect(logger.lines[0].obj.err).toBe('a.localeCompare is not a function');
    off();
    expect(target.listenerCount('unhandledRejection')).toBe(0);
  });

  const built = join(process.cwd(), 'dist/shared/src/util/background.js');
  it.skipIf(!existsSync(built))('keeps a real Node process alive after a rejection nobody handles', () => {
    const script = `
      const { keepRunningOnUnexpectedRejection } = await import(${JSON.stringify(built)});
      keepRunningOnUnexpectedRejection({ error: (o, m) => console.log('logged:', m) });
      Promise.reject(new Error('hostile payload'));
      setTimeout(() => { console.log('still alive'); }, 50);`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('logged: unexpected unhandled rejection');
    expect(run.stdout).toContain('still alive');
    // Without the handler the same script dies: the test would catch a handler that does nothing.
    const bare = spawnSync(process.execPath, ['--input-type=module', '-e', `Promise.reject(new Error('x')); setTimeout(() => console.log('still alive'), 50);`], { encoding: 'utf8' });
    expect(bare.status).not.toBe(0);
    expect(bare.stdout).not.toContain('still alive');
  });
});
