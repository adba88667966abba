import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '#shared/model/model-package.js';
import { recordScenario } from '#testkit/fault-report.js';
import { main } from '../../src/cli.js';
import { loudWav } from '../support/audio.js';
import { formBody } from '../support/multipart.js';
import { ADMIN_KEY, startTestCloud, VIEWER_KEY, type TestCloud } from '../support/test-cloud.js';
import { Findings } from './support/findings.js';

const admin = { 'x-api-key': ADMIN_KEY };
type Url = { url: string; headers: Record<string, string> };

function record(scenario: string, f: Findings, tried: string): void {
  recordScenario({ scenario, iterations: 1, faultsInjected: f.attacks, itemsChecked: f.checks, itemsLost: f.problems.length, tried });
}

async function register(cloud: TestCloud, id: string): Promise<string> {
  const res = await cloud.app.inject({ method: 'POST', url: '/api/stations', headers: admin, payload: { id } });
  return res.json().token as string;
}

/** Presigns one key, declaring its length when the service supports it. */
async function presignOne(cloud: TestCloud, base: string, id: string, token: string, key: string, bytes: number): Promise<Url | undefined> {
  const host = new URL(base).host;
  let res = await cloud.app.inject({ method: 'POST', url: `/api/stations/${id}/presign`, headers: { 'x-station-token': token, host }, payload: { objects: [{ key, bytes }] } });
  if (res.statusCode === 400) res = await cloud.app.inject({ method: 'POST', url: `/api/stations/${id}/presign`, headers: { 'x-station-token': token, host }, payload: { keys: [key] } });
  return res.statusCode === 200 ? (res.json().urls[0] as Url) : undefined;
}

describe('cloud hardening (issue 13 items 8, 10, 11, 12, 14)', () => {
  let cloud: TestCloud;
  let base: string;
  beforeAll(async () => {
    cloud = await startTestCloud({ UPLOADS_PER_MINUTE: '5', MAX_UPLOAD_MB: '2', PUBLIC_DASHBOARD: 'false' });
    base = await cloud.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => cloud.stop());

  it('presigned uploads: signed length, single use, a budget per station, bounded reads', async () => {
    const f = new Findings();
    const token = await register(cloud, 'st-p');
    const key = 'stations/st-p/2026/01/01/c1.wav';
    const small = Buffer.from(loudWav(0.1));
    const u = await presignOne(cloud, base, 'st-p', token, key, small.byteLength);
    if (!u) throw new Error('presign failed');
    f.attacks++;
    const big = await fetch(u.url, { method: 'PUT', headers: u.headers, body: Buffer.alloc(small.byteLength * 20) });
    f.check('a body larger than declared is refused', big.status >= 400, `answered ${big.status}`);
    f.check('the URL as issued works', (await fetch(u.url, { method: 'PUT', headers: u.headers, body: small })).status === 200);
    f.attacks++;
    const reuse = await fetch(u.url, { method: 'PUT', headers: u.headers, body: Buffer.alloc(small.byteLength, 1) });
    f.check('the URL cannot be reused to replace the object', reuse.status >= 400 && (await cloud.services.storage.get(key)).equals(small), `answered ${reuse.status}`);
    // Presigning has a budget per station (UPLOADS_PER_MINUTE = 5).
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await cloud.app.inject({ method: 'POST', url: '/api/stations/st-p/presign', headers: { 'x-station-token': token }, payload: { keys: [`stations/st-p/2026/01/01/r${i}.wav`] } });
      statuses.push(r.statusCode);
    }
    f.attacks += 12;
    f.check('presigning is rate limited per station', statuses.filter((s) => s === 429).length >= 5, statuses.join(','));
    // Reads of objects whose size is not known to be small: never read whole.
    const reads: string[] = [];
    const storage = cloud.services.storage;
    const realGet = storage.get.bind(storage);
    (storage as { get: typeof storage.get }).get = async (k: string) => {
      reads.push(k);
      return realGet(k);
    };
    try {
      const hugeSidecar = 'stations/st-p/2026/01/01/huge.json';
      await storage.put(hugeSidecar, `{"pad":"${'x'.repeat(20 * 1024 * 1024)}"}`);
      f.attacks++;
      const indexed = await cloud.services.ingestor.onSidecar(hugeSidecar);
      f.check('a 20 MB sidecar is refused without being read whole', indexed === undefined && !reads.includes(hugeSidecar), `read whole: ${reads.includes(hugeSidecar)}`);
      const hugeClip = 'stations/st-p/2026/01/01/st-p.ev-huge.wav';
      await storage.put(hugeClip, Buffer.alloc(30 * 1024 * 1024));
      await cloud.services.repos.detections.applyEvent({ v: 1, type: 'end', stationId: 'st-p', eventId: 'st-p.ev-huge', label: 'gunshot', confidence: 0.9, startTime: new Date().toISOString(), peakTime: null, windowCount: 1, clipKey: hugeClip, modelVersion: null, source: null, alert: false, delayed: false } as never, new Date().toISOString());
      await cloud.services.repos.detections.markClipAvailable(hugeClip, new Date().toISOString());
      f.attacks++;
      const png = await cloud.app.inject({ method: 'GET', url: '/api/detections/st-p.ev-huge/spectrogram.png?station=st-p', headers: admin });
      f.check('a 30 MB clip is not read whole for a spectrogram', png.statusCode === 413 && !reads.includes(hugeClip), `answered ${png.statusCode}, read whole: ${reads.includes(hugeClip)}`);
    } finally {
      (storage as { get: typeof storage.get }).get = realGet;
    }
    record('Presign: length, reuse, budget, reads', f, 'PUT over the declared length, URL reuse, 12 presigns/min, 20 MB sidecar, 30 MB clip');
    expect(f.problems).toEqual([]);
  });

  it('station tokens: rotation and revocation take effect at once (API and CLI)', async () => {
    const f = new Findings();
    const old = await register(cloud, 'st-t');
    const version = (await cloud.app.inject({ method: 'GET', url: '/api/models/latest', headers: admin })).json().version as string;
    const uses = async (token: string) => ({
      presign: (await cloud.app.inject({ method: 'POST', url: '/api/stations/st-t/presign', headers: { 'x-station-token': token }, payload: { keys: ['stations/st-t/2026/01/01/a.wav'] } })).statusCode,
      download: (await cloud.app.inject({ method: 'GET', url: `/api/models/${version}/manifest.json`, headers: { 'x-station-token': token } })).statusCode,
    });
    const mqttBelieved = async (eventId: string) => {
      const t = new Date().toISOString();
      await cloud.services.ingestor.onStationMessage('alert', 'st-t', Buffer.from(JSON.stringify({ v: 1, alertId: `al-${eventId}`, stationId: 'st-t', eventId, label: 'gunshot', confidence: 0.9, startTime: t, shotCount: 1, raisedAt: t, delayed: false, clipKey: '' })));
      return (await cloud.services.repos.detections.get('st-t', eventId)) !== undefined;
    };
    f.check('the first token works', JSON.stringify(await uses(old)) === '{"presign":200,"download":200}');
    const rotated = await cloud.app.inject({ method: 'POST', url: '/api/stations/st-t/token', headers: admin });
    f.check('rotate answers a new token', rotated.statusCode === 200, `answered ${rotated.statusCode}`);
    const fresh = rotated.json().token as string | undefined;
    f.attacks++;
    const oldUse = await uses(old);
    f.check('the old token is refused at once', oldUse.presign === 401 && oldUse.download === 401, JSON.stringify(oldUse));
    f.check('the new token works', fresh !== undefined && JSON.stringify(await uses(fresh)) === '{"presign":200,"download":200}');
    f.check('the station is believed on MQTT', await mqttBelieved('st-t.ev-1'));
    const revoked = await cloud.app.inject({ method: 'DELETE', url: '/api/stations/st-t/token', headers: admin });
    f.check('revoke answers 200', revoked.statusCode === 200, `answered ${revoked.statusCode}`);
    f.attacks += 2;
    const after = await uses(fresh ?? old);
    f.check('a revoked token is refused', after.presign === 401 && after.download === 401, JSON.stringify(after));
    f.check('a revoked station is not believed on MQTT', !(await mqttBelieved('st-t.ev-2')));
    f.check('a viewer key cannot rotate', (await cloud.app.inject({ method: 'POST', url: '/api/stations/st-t/token', headers: { 'x-api-key': VIEWER_KEY } })).statusCode === 401);
    // The CLI, as an operator runs it on the service's disk.
    const saved = { ...process.env };
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    Object.assign(process.env, { DATA_DIR: cloud.config.dataDir, API_KEY: ADMIN_KEY, LOG_LEVEL: 'silent' });
    (process.stdout as { write: unknown }).write = (chunk: string) => out.push(String(chunk)) > 0;
    let code: number;
    try {
      code = await main(['station-token', 'rotate', 'st-t']);
    } finally {
      (process.stdout as { write: unknown }).write = write;
      process.env = saved;
    }
    const cliToken = /est_[A-Za-z0-9_-]+/.exec(out.join(''))?.[0];
    f.check('CLI rotate prints a token', code === 0 && cliToken !== undefined, `exit ${code}`);
    f.check('the CLI token works at once in the running service', cliToken !== undefined && JSON.stringify(await uses(cliToken)) === '{"presign":200,"download":200}');
    record('Tokens: rotate and revoke', f, 'old, rotated and revoked tokens on presign, model download and MQTT; CLI rotate');
    expect(f.problems).toEqual([]);
  });

  it('private by default; a viewer key reads and changes nothing', async () => {
    const f = new Findings();
    const plain = await startTestCloud({ PUBLIC_DASHBOARD: '' });
    try {
      // An open event stream never ends: a request that is not refused within 3 s was served.
      const served = { statusCode: 200, body: '(stream open)' };
      const get = (url: string) => Promise.race([plain.app.inject({ method: 'GET', url }), new Promise<typeof served>((r) => setTimeout(() => r(served), 3_000).unref())]);
      for (const url of ['/api/detections', '/api/stations', '/api/live', '/api/models', '/api/uploads']) {
        f.refused(`default config: ${url} without a key`, await get(url), [401]);
        f.check(`viewer key reads ${url}`, url === '/api/live' || (await plain.app.inject({ method: 'GET', url, headers: { 'x-api-key': VIEWER_KEY } })).statusCode === 200);
      }
      f.refused('viewer key registers a station', await plain.app.inject({ method: 'POST', url: '/api/stations', headers: { 'x-api-key': VIEWER_KEY }, payload: { id: 'st-v' } }), [401]);
      f.refused('viewer key reviews', await plain.app.inject({ method: 'PATCH', url: '/api/detections/x', headers: { 'x-api-key': VIEWER_KEY }, payload: { label: 'gunshot' } }), [401]);
      f.refused('viewer key retrains', await plain.app.inject({ method: 'POST', url: '/retrain', headers: { 'x-api-key': VIEWER_KEY }, payload: { min_samples: 0 } }), [401]);
    } finally {
      await plain.stop();
    }
    const blueprint = readFileSync(join(repositoryRoot(), 'render.yaml'), 'utf8');
    f.check('render.yaml keeps the dashboard private', /key: PUBLIC_DASHBOARD\s+value: "false"/.test(blueprint));
    f.check('render.yaml generates a viewer key', /key: VIEWER_KEY\s+generateValue: true/.test(blueprint));
    record('Private by default', f, 'reads without a key on a default config; viewer key on admin routes; render.yaml');
    expect(f.problems).toEqual([]);
  });

  it('X-Forwarded-For written by the client earns no fresh rate-limit budget', async () => {
    const f = new Findings();
    const proxied = await startTestCloud({ TRUST_PROXY: '1', UPLOADS_PER_MINUTE: '3' });
    try {
      const { body, contentType } = formBody([{ name: 'nofile', value: 'x' }]);
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        // Render's proxy appends the real client (203.0.113.7) after whatever the client wrote.
        const res = await proxied.app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': contentType, 'x-forwarded-for': `198.51.100.${i}, 203.0.113.7` }, payload: body });
        statuses.push(res.statusCode);
      }
      f.attacks += 8;
      f.check('spoofed left-most addresses share the client\'s budget', statuses.filter((s) => s === 429).length >= 5, statuses.join(','));
      const other = await proxied.app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': contentType, 'x-forwarded-for': '203.0.113.8' }, payload: body });
      f.check('another real client has its own budget', other.statusCode !== 429, `answered ${other.statusCode}`);
    } finally {
      await proxied.stop();
    }
    record('Proxy: spoofed X-Forwarded-For', f, '8 requests with a new left-most X-Forwarded-For each, budget 3');
    expect(f.problems).toEqual([]);
  });

  it('fs storage put makes the rename durable (fsync of the folder after the rename)', async () => {
    const f = new Findings();
    const module = join(repositoryRoot(), 'dist', 'cloud', 'src', 'adapters', 'storage', 'fs-storage.js');
    if (!existsSync(module) || !existsSync('/usr/bin/strace')) throw new Error('needs `npx tsc -b` (dist/) and strace');
    const root = mkdtempSync(join(tmpdir(), 'ecosight-fsync-'));
    const log = join(root, 'strace.log');
    const script = `const { FsStorage } = await import(${JSON.stringify(module)}); await new FsStorage(${JSON.stringify(join(root, 'objects'))}, {}).put('a/b/c.json', '{}');`;
    const run = spawnSync('/usr/bin/strace', ['-f', '-qq', '-e', 'trace=openat,rename,renameat,renameat2,fsync,fdatasync', '-o', log, process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8' });
    f.check('the put ran', run.status === 0, run.stderr.slice(0, 300));
    const lines = readFileSync(log, 'utf8').split('\n');
    const dir = join(root, 'objects', 'a', 'b');
    const renameAt = lines.findIndex((l) => /rename/.test(l) && l.includes(`${dir}/c.json`));
    const dirFds = lines.slice(renameAt + 1).map((l) => new RegExp(`openat\\([^"]*"${dir.replace(/[/.]/g, '\\$&')}", O_RDONLY[^)]*\\) = (\\d+)`).exec(l)?.[1]).filter(Boolean);
    const synced = dirFds.some((fd) => lines.slice(renameAt + 1).some((l) => new RegExp(`fsync\\(${fd}\\)`).test(l)));
    f.attacks++;
    f.check('rename found', renameAt >= 0);
    f.check('the folder is fsynced after the rename', renameAt >= 0 && synced, `after rename: ${lines.slice(renameAt + 1, renameAt + 6).join(' | ')}`);
    record('Storage: durable fs put', f, 'strace of FsStorage.put: rename, then fsync of the folder');
    expect(f.problems).toEqual([]);
  });
});
