/**
 * The README's main command (`npm start`): the demo comes up on embedded
 * defaults, detections reach the cloud (and so the dashboard) within a minute,
 * a modelled shot heard by the three demo stations becomes an incident located
 * where it was fired (the dashboard's map reads /api/incidents), and Ctrl-C stops everything cleanly and quickly. Ctrl-C is tested as a
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
import { geodeticToEnu } from '#shared/geo/enu.js';
import type { IncidentPayload } from '#shared/mqtt/location.js';
import { DEMO_SHOTS } from '../scripts/demo-audio.js';
import { DEMO_ORIGIN } from '../scripts/demo-field.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
/** The bound for Ctrl-C; the demo needs about 2.5 s (the cloud's shutdown grace). */
const CTRL_C_BOUND_MS = 5_000;
/** The demo fires every 20 s; a file is read 10 s after its start: an incident within 90 s of the banner, with room for a loaded machine. */
const INCIDENT_BOUND_MS = 90_000;
/** The demo's stations are 300 m apart with clocks within 1 ms: a shot is located within metres (measured: 0.5 m). */
const LOCATION_ERROR_BOUND_M = 10;

/** Distance from an incident's position to the nearest of the demo's shots, m. */
function errorM(incident: IncidentPayload): number {
  const at = geodeticToEnu(DEMO_ORIGIN, { latitude: incident.location?.latitude ?? 0, longitude: incident.location?.longitude ?? 0 });
  return Math.min(...DEMO_SHOTS.map((s) => Math.hypot(at.eastM - s.eastM, at.northM - s.northM)));
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start (the embedded demo)', () => {
  it('shows station detections and a located incident in the cloud within a minute or so, and stops within seconds of Ctrl-C', async () => {
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
      expect(['demo-01', 'demo-02', 'demo-03']).toContain(detections[0].stationId);
      // The admin key the banner prints reads the incidents (the dashboard's map draws them).
      const apiKey = /admin API key (\S+)/.exec(banner)?.[1] as string;
      expect(apiKey).toBeTruthy();
      const incidents = async (): Promise<IncidentPayload[]> => {
        const res = await fetch(`http://127.0.0.1:${port}/api/incidents`, { headers: { 'x-api-key': apiKey } }).catch(() => undefined);
        return res?.ok ? ((await res.json()) as { items: IncidentPayload[] }).items : [];
      };
      const located = await waitFor(async () => (await incidents()).find((i) => i.location?.kind === 'point' && errorM(i) < LOCATION_ERROR_BOUND_M),
        INCIDENT_BOUND_MS, 'an incident located near one of the demo\'s shots').catch(async (err: unknown) => {
        // What the cloud made of the shots instead: each incident's stations, their onsets and the error.
        console.log(JSON.stringify((await incidents()).map((i) => ({
          t: i.startTime, kind: i.location?.kind, errorM: i.location ? Math.round(errorM(i)) : null, flags: i.location?.flags,
          stations: i.stations.map((s) => `${s.stationId}:${s.shotOnsetsMs.map((o) => new Date(o).toISOString().slice(17, 23)).join('/')}`),
        }))));
        console.log(output.join('').slice(-4000));
        throw err;
      });
      expect(located.corroboration).toBe('corroborated');
      expect(located.stations.map((s) => s.stationId).sort()).toEqual(['demo-01', 'demo-02', 'demo-03']);
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
  }, 240_000);
});
