/**
 * Issue 16, stateless API replicas: two `ecosight-cloud serve` processes on one
 * PostgreSQL index and one folder bucket, behind a round-robin proxy on
 * 127.0.0.1. A real station (the built CLI) uploads through the proxy and
 * publishes on Mosquitto; a dashboard client follows /api/live on the
 * follower. The instance leading the ingest is killed (SIGKILL) and restarted on
 * its port: the service stays one service: the other instance takes over the
 * ingest (the broker held the station's messages for the ingest session), the
 * dashboard sees the station's events live wherever it is connected, and both
 * instances answer with the same detections, none lost.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudProcess, type CloudProcess } from '#testkit/cloud-process.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { freePort, waitFor } from '#testkit/ports.js';
import { postgresUnavailable, TestPostgres } from '#testkit/postgres.js';
import { RoundRobinProxy } from '#testkit/round-robin-proxy.js';
import { openEventStream } from '../cloud/test/support/sse.js';
import { writeTrainableBaseDir } from '../cloud/test/support/tiny-model.js';
import { scene } from '../station/test/audio-scenes.js';
import { tempDir, writeWav } from '../station/test/helpers.js';
import { StationProcess } from '../station/test/station-process.js';

const CLOUD_CLI = fileURLToPath(new URL('../dist/cloud/src/cli.js', import.meta.url));
const ADMIN_KEY = 'failover-admin-key-0123456789';
const admin = { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' };
const unavailable = postgresUnavailable();
if (unavailable) console.warn(unavailable);

interface Detection { id: string; stationId: string; clipAvailable: boolean }

describe.skipIf(unavailable !== undefined)('two API instances behind a proxy, one killed and restarted', () => {
  const pgServer = new TestPostgres();
  const broker = new TestMosquitto();
  const proxyPorts: number[] = [];
  const clouds: CloudProcess[] = [];
  let proxy: RoundRobinProxy;
  let env: Record<string, string>;
  let baseModel: string;

  beforeAll(async () => {
    await pgServer.start();
    await broker.start();
    baseModel = await writeTrainableBaseDir('2026.01.01-1');
    proxyPorts.push(await freePort(), await freePort());
    proxy = new RoundRobinProxy(proxyPorts.map((p) => `http://127.0.0.1:${p}`));
    await proxy.start();
    env = {
      DATABASE_URL: await pgServer.createDatabase(), DATA_DIR: mkdtempSync(join(tmpdir(), 'ecosight-failover-')), STORAGE: 'fs', API_KEY: ADMIN_KEY,
      MQTT_URL: broker.url, MQTT_PREFIX: 'ecofailover', PUBLIC_URL: proxy.url, PUBLIC_DASHBOARD: 'true', UPLOADS_PER_MINUTE: '100000', LOG_LEVEL: 'warn',
    };
    // One after the other: the first creates the schema, the presign secret and the first release.
    for (const port of proxyPorts) clouds.push(await startCloudProcess(env, { cliPath: CLOUD_CLI, port, timeoutMs: 120_000 }));
  }, 240_000);

  afterAll(async () => {
    for (const c of clouds) await c.stop('SIGKILL');
    await proxy?.stop();
    await broker.stop();
    await pgServer.stop();
  });

  const status = async (c: CloudProcess) => ((await (await fetch(`${c.baseUrl}/status`)).json()) as { broker: { ingesting: boolean } }).broker;
  const detections = async (base: string): Promise<Detection[]> =>
    ((await (await fetch(`${base}/api/detections?station=st-fo&limit=200`, { headers: admin })).json()) as { items: Detection[] }).items;
  const leaderIndex = async (): Promise<number> => waitFor(async () => {
    const states = await Promise.all(clouds.map((c) => status(c).catch(() => ({ ingesting: false }))));
    const leaders = states.flatMap((s, i) => (s.ingesting ? [i] : []));
    return leaders.length === 1 ? leaders[0] : undefined;
  }, 20_000, 'exactly one instance to lead the ingest');

  /** A station run over one 10 s recording with shots at 3 s; `tailSec` of steady sound makes each file's content new (the folder source skips content it has seen). */
  function station(dataDir: string, token: string, file: string, tailSec: number): StationProcess {
    writeWav(join(dataDir, 'drop', file), scene(10, [{ kind: 'shots', atSec: 3, durationSec: 1.5 }, ...(tailSec > 0 ? [{ kind: 'steady' as const, atSec: 10 - tailSec, durationSec: tailSec }] : [])]));
    return new StationProcess(dataDir, {
      stationId: 'st-fo', model: { dir: baseModel, backend: 'wasm' }, detection: { classes: { gunshot: { threshold: 0.05 }, chainsaw: { threshold: 0.05 } } },
      source: { type: 'folder', path: join(dataDir, 'drop'), stableSec: 0 },
      mqtt: { url: broker.url, prefix: 'ecofailover' },
      upload: { presignUrl: proxy.url, token, retryMinSec: 0.2, retryMaxSec: 1 },
    });
  }

  it('stays one service while the ingest leader dies and comes back', async () => {
    const first = await leaderIndex();
    const reg = await fetch(`${proxy.url}/api/stations`, { method: 'POST', headers: admin, body: JSON.stringify({ id: 'st-fo' }) });
    expect(reg.status).toBe(201);
    const { token } = (await reg.json()) as { token: string };

    // The dashboard follows /api/live on the follower: what it sees of the station's events crossed
    // instances (the leader ingests them).
    const follower = 1 - first;
    const live = openEventStream(`${clouds[follower].baseUrl}/api/live`);
    await live.ready;

    const dataDir = tempDir();
    const one = station(dataDir, token, '20261204_120000.wav', 0);
    one.start(['--exit-when-idle', '--idle-timeout', '60']);
    expect(await one.wait(), one.logs.slice(-20).join('\n')).toBe(0);
    const before = await waitFor(async () => {
      const items = await detections(proxy.url);
      return items.length > 0 && items.every((d) => d.clipAvailable) ? items : undefined;
    }, 30_000, 'the first file\'s detections with their clips');
    await waitFor(() => live.events.some((e) => e.event === 'detection') || undefined, 10_000, 'a live detection on the follower');

    // The leader dies. The station goes on with a second file while nobody ingests for a moment.
    await clouds[first].stop('SIGKILL');
    const two = station(dataDir, token, '20261204_120100.wav', 1);
    two.start(['--exit-when-idle', '--idle-timeout', '60']);
    expect(await two.wait(), two.logs.slice(-20).join('\n')).toBe(0);
    expect(await leaderIndex()).toBe(follower);
    let seen: Detection[] = [];
    const after = await waitFor(async () => {
      seen = await detections(proxy.url);
      return seen.length > before.length && seen.every((d) => d.clipAvailable) ? seen : undefined;
    }, 30_000, 'the second file\'s detections, with the first instance dead').catch((err: Error) => {
      throw new Error(`${err.message}; before ${JSON.stringify(before)}; now ${JSON.stringify(seen)}; station: ${two.logs.slice(-12).join('\n')}`);
    });

    // The station's alert for the new detection travelled on MQTT only: the new leader ingested it from
    // the session the broker held while nobody led, and it reached the dashboard live.
    const fresh = after.filter((d) => !before.some((b) => b.id === d.id)).map((d) => d.id);
    expect(fresh.length).toBeGreaterThan(0);
    await waitFor(() => live.events.some((e) => e.event === 'alert' && fresh.some((id) => JSON.stringify(e.data).includes(id))) || undefined,
      20_000, 'the new alert live on the new leader');

    // The dead instance comes back on its port: it follows, and both answer the same.
    clouds[first] = await startCloudProcess(env, { cliPath: CLOUD_CLI, port: proxyPorts[first], timeoutMs: 120_000 });
    expect(await leaderIndex()).toBe(follower);
    const ids = (items: Detection[]) => items.map((d) => d.id).sort();
    expect(ids(await detections(clouds[first].baseUrl))).toEqual(ids(after));
    expect(ids(await detections(clouds[follower].baseUrl))).toEqual(ids(after));
    for (const d of before) expect(ids(after)).toContain(d.id);
    live.close();
  }, 300_000);
});
