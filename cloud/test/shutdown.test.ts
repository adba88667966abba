/**
 * `ecosight-cloud serve` stops within seconds of one SIGINT or SIGTERM sent to
 * its process group (as a terminal's Ctrl-C or systemd's stop does), even while
 * clients hold connections open: a keep-alive socket after a request, and a
 * client whose request has not arrived yet (which Node's server.close() waits
 * for until its header timeout, about a minute).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort, waitFor } from '#testkit/ports.js';

const CLI = fileURLToPath(new URL('../../dist/cloud/src/cli.js', import.meta.url));
/** The bound; the service needs about its 2 s shutdown grace. */
const STOP_BOUND_MS = 5_000;

describe('ecosight-cloud serve shutdown', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`exits 0 within seconds of ${signal} to its process group while clients hold connections`, async () => {
      const port = await freePort();
      const child = spawn(process.execPath, [CLI, 'serve'], {
        detached: true, stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, DATA_DIR: mkdtempSync(join(tmpdir(), 'ecosight-shutdown-')), PORT: String(port), HOST: '127.0.0.1', ECOSIGHT_TF_BACKEND: 'wasm', LOG_LEVEL: 'warn' },
      });
      const output: string[] = [];
      child.stdout.on('data', (b: Buffer) => output.push(b.toString()));
      child.stderr.on('data', (b: Buffer) => output.push(b.toString()));
      const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, sig) => resolve(code ?? sig)));
      const sockets: Socket[] = [];
      try {
        await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/status`).catch(() => undefined))?.ok ? true : undefined), 60_000, 'the service to answer');
        // A keep-alive connection that has served a request...
        const keepAlive = connect(port, '127.0.0.1');
        sockets.push(keepAlive);
        await new Promise<void>((resolve) => keepAlive.once('connect', resolve));
        keepAlive.write(`GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
        await new Promise<void>((resolve) => keepAlive.once('data', () => resolve()));
        // ...and one whose request has not arrived.
        const silent = connect(port, '127.0.0.1');
        sockets.push(silent);
        await new Promise<void>((resolve) => silent.once('connect', resolve));
      } finally {
        process.kill(-(child.pid as number), signal);
      }
      const sentAt = Date.now();
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 90_000))]);
      const stoppedMs = Date.now() - sentAt;
      for (const s of sockets) s.destroy();
      if (code === 'timeout') process.kill(-(child.pid as number), 'SIGKILL');
      expect(code, output.join('')).toBe(0);
      expect(stoppedMs).toBeLessThan(STOP_BOUND_MS);
    }, 120_000);
  }
});
