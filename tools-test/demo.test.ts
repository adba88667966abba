/**
 * The README's main command (`npm start`): the demo comes up on embedded
 * defaults, detections reach the cloud (and so the dashboard) within a minute,
 * and Ctrl-C stops everything cleanly and quickly. Ctrl-C is tested as a
 * terminal sends it: SIGINT to the whole process group of `npm start` (npm, the
 * shell it runs the script with, and node), not to one process.
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort, waitFor } from '#testkit/ports.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
/** The bound for Ctrl-C; the demo needs about 2.5 s (the cloud's shutdown grace). */
const CTRL_C_BOUND_MS = 5_000;

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start (the embedded demo)', () => {
  it('shows station detections in the cloud within a minute and stops within seconds of Ctrl-C', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'ecosight-demo-'));
    // detached: npm start leads a process group of its own, like a job in a terminal.
    const child = spawn('npm', ['start', '--silent'], {
      cwd: REPO, detached: true, env: { ...process.env, ECOSIGHT_DEMO_DIR: dir, PORT: String(port), ECOSIGHT_TF_BACKEND: 'wasm' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pgid = child.pid as number;
    let slowClient: Socket | undefined;
    const output: string[] = [];
    child.stdout.on('data', (b: Buffer) => output.push(b.toString()));
    child.stderr.on('data', (b: Buffer) => output.push(b.toString()));
    // npm re-raises the SIGINT it got (as in a terminal): it ends by the signal or with 0.
    const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
    try {
      await waitFor(() => (output.join('').includes('EcoSight is running on embedded defaults') ? true : undefined), 60_000, 'the demo banner');
      const banner = output.join('');
      expect(banner).toContain(`http://127.0.0.1:${port}/`);
      const detections = await waitFor(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/api/detections?limit=10`).catch(() => undefined);
        const body = res?.ok ? ((await res.json()) as { items: Array<{ stationId: string; label: string }> }) : undefined;
        return body && body.items.length > 0 ? body.items : undefined;
      }, 60_000, 'a detection from the demo station');
      expect(detections[0].stationId).toBe('demo-01');
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);
      // A client whose request has not arrived yet (a phone on a slow link, a half-open
      // keep-alive): the server must not wait for it (it used to, for about a minute).
      slowClient = connect(port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => slowClient?.once('connect', resolve).once('error', reject));
    } finally {
      process.kill(-pgid, 'SIGINT');
    }
    const signalledAt = Date.now();
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000))]);
    const stoppedMs = Date.now() - signalledAt;
    slowClient?.destroy();
    if (code === 'timeout' || groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    expect([0, 'SIGINT'], output.join('').slice(-2000)).toContain(code);
    expect(output.join(''), 'the demo stopped its parts in order and exited by itself').toContain('EcoSight stopped.');
    expect(groupAlive(pgid), 'a process of the group outlived npm').toBe(false);
    expect(stoppedMs, 'Ctrl-C took too long').toBeLessThan(CTRL_C_BOUND_MS);
  }, 180_000);
});
