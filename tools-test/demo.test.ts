/**
 * The README's main command (`npm start`): the demo comes up on embedded
 * defaults, detections reach the cloud (and so the dashboard) within a minute,
 * and Ctrl-C stops everything cleanly.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort, waitFor } from '#testkit/ports.js';

const DEMO = fileURLToPath(new URL('../dist/scripts/demo.js', import.meta.url));

describe('npm start (the embedded demo)', () => {
  it('shows station detections in the cloud within a minute and stops on SIGINT', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'ecosight-demo-'));
    const child = spawn(process.execPath, [DEMO], { env: { ...process.env, ECOSIGHT_DEMO_DIR: dir, PORT: String(port), ECOSIGHT_TF_BACKEND: 'wasm' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout.on('data', (b: Buffer) => output.push(b.toString()));
    child.stderr.on('data', (b: Buffer) => output.push(b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
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
    } finally {
      child.kill('SIGINT');
    }
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000))]);
    if (code === 'timeout') child.kill('SIGKILL');
    expect(code).toBe(0);
  }, 180_000);
});
