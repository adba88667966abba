/**
 * Issue 13 items 1-3 and 6 (announcements): forged model announcements against
 * a real station process, broker and cloud.
 * - hostile versions on the retained topic and in the poll answer (path
 *   traversal that used to rm -rf the clips or the whole data folder, non-string
 *   versions that used to crash the daemon);
 * - an old, validly signed release replayed under a new version (MQTT and poll)
 *   and under the pinned version: the signed manifest's version is the one that counts.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordScenario } from '#testkit/fault-report.js';
import { waitFor } from '#testkit/ports.js';
import { releaseFileUrl, releaseManifestUrl, RELEASE_ROUTES } from '#shared/release/urls.js';
import { AttackProxy, installedVersion, otaStation, OtaWorld } from './ota-world.js';

const OLD = '2026.01.01-1';
const RUNNING = '2026.06.01-1';
const NEWER = '2026.09.01-1';
const world = new OtaWorld();
const proxy = new AttackProxy(() => world.baseUrl);
let announcer: MqttClient;

beforeAll(async () => {
  await world.start(OLD);
  await proxy.start();
  announcer = connect(world.broker.url);
  await new Promise<void>((resolve) => announcer.on('connect', () => resolve()));
});
afterAll(async () => {
  await announcer?.endAsync();
  await proxy.stop();
  await world.stop();
});

const announce = (payload: unknown): Promise<unknown> =>
  announcer.publishAsync('ecosight/models/latest', typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1, retain: true });
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('OTA: forged announcements', () => {
  it('a hostile version never touches the disk and never stops the daemon', async () => {
    const hostile: unknown[] = ['z/../../clips', 'z/../..', '../../..', '..', 'z/../../station.db', 9999, { length: 1 }, ['1'], null, true];
    const station = await otaStation(world, RUNNING, { url: proxy.url });
    // Canaries: clips not yet uploaded and the station's own files.
    mkdirSync(join(station.dataDir, 'clips'), { recursive: true });
    const canaries = [0, 1, 2].map((i) => join(station.dataDir, 'clips', `pending-${i}.wav`));
    canaries.forEach((p) => writeFileSync(p, 'RIFF not uploaded yet'));
    let pollAnswer: unknown = { v: 1, version: RUNNING, manifestUrl: '/x', createdAt: '2026-12-04T00:00:00Z' };
    proxy.rule = (path) => (path === RELEASE_ROUTES.latest ? { respond: { status: 200, body: JSON.stringify(pollAnswer) } } : undefined);
    station.start();
    let exited = false;
    const watching = station.wait().then(() => {
      exited = true;
    });
    await station.waitForLog(/station composed/, 60_000);
    const lost: string[] = [];
    let tried = 0;
    for (const version of hostile) {
      // The same hostile version on both roads: the retained topic and the poll answer.
      await announce({ v: 1, version, manifestUrl: `http://127.0.0.1:9/${String(version)}/manifest.json`, createdAt: '2026-12-04T00:00:00Z' });
      pollAnswer = { v: 1, version, manifestUrl: `/api/models/${String(version)}/manifest.json`, createdAt: '2026-12-04T00:00:00Z' };
      tried += 2;
      await settle(5_500); // one poll interval: both roads have been tried
      for (const p of [...canaries, join(station.dataDir, 'station.db')]) if (!existsSync(p)) lost.push(`${JSON.stringify(version)} deleted ${p}`);
      if (exited) lost.push(`${JSON.stringify(version)} stopped the station`);
      if (exited) break;
    }
    await announce('{"v":1,"version":'); // not even JSON
    await announce('');
    await settle(500);
    if (exited) lost.push('a malformed announcement stopped the station');
    const staging = existsSync(join(station.dataDir, 'models')) ? readdirSync(join(station.dataDir, 'models')).filter((n) => n.startsWith('.staging')) : [];
    if (!exited) station.kill('SIGTERM');
    await watching;
    recordScenario({
      scenario: 'ota: hostile announced version', iterations: hostile.length, faultsInjected: tried + 2, itemsChecked: canaries.length + 1, itemsLost: lost.length,
      tried: 'version "z/../../clips", "z/../..", numbers, objects on MQTT + poll', note: lost.join('; ') || undefined,
    });
    expect(lost).toEqual([]);
    expect(staging).toEqual([]);
    expect(installedVersion(station.dataDir)).toBeUndefined();
  }, 180_000);

  it('the signed manifest\'s version counts: an old release replayed as new, or as the pinned version, is refused', async () => {
    const lost: string[] = [];
    // A compromised broker: "9999" pointing at the old release's manifest (a station with no ota.url uses the announced URL).
    const viaMqtt = await otaStation(world, RUNNING, { url: '' });
    viaMqtt.start();
    await viaMqtt.waitForLog(/station composed/, 60_000);
    await announce({ v: 1, version: '9999', manifestUrl: releaseManifestUrl(world.baseUrl, OLD), createdAt: '2026-12-04T00:00:00Z' });
    await settle(4_000);
    const mqttInstalled = installedVersion(viaMqtt.dataDir);
    if (mqttInstalled) lost.push(`MQTT replay installed ${mqttInstalled}`);
    viaMqtt.kill('SIGTERM');
    await viaMqtt.wait();
    // An attacker on the path (or in the bucket): the poll says 9999 and serves the old release's files for it.
    const replay = (announced: string) => (path: string) => {
      if (path === RELEASE_ROUTES.latest) return { respond: { status: 200, body: JSON.stringify({ v: 1, version: announced, manifestUrl: releaseManifestUrl(proxy.url, announced), createdAt: '2026-12-04T00:00:00Z' }) } };
      const prefix = `${RELEASE_ROUTES.list}/${announced}/`;
      return path.startsWith(prefix) ? { rewritePath: new URL(releaseFileUrl(world.baseUrl, OLD, path.slice(prefix.length))).pathname } : undefined;
    };
    for (const [pinned, announced] of [['', '9999'], ['2026.12.01-1', '2026.12.01-1']]) {
      proxy.rule = replay(announced);
      const station = await otaStation(world, RUNNING, { url: proxy.url, pinnedVersion: pinned });
      station.start();
      await station.waitForLog(/station composed/, 60_000);
      await waitFor(() => (proxy.requests.some((r) => r.path.includes(`${announced}/manifest.json`)) ? true : undefined), 20_000, 'the replayed manifest fetched');
      await settle(3_000);
      const installed = installedVersion(station.dataDir);
      if (installed) lost.push(`poll replay as ${announced}${pinned ? ' (pinned)' : ''} installed ${installed}`);
      station.kill('SIGTERM');
      await station.wait();
    }
    // Honest releases still go through: a newer one announced by the real cloud.
    proxy.rule = () => undefined;
    const honest = await otaStation(world, RUNNING, { url: proxy.url });
    await world.publish(NEWER);
    honest.start();
    await honest.waitForLog(/model update verified and installed/, 60_000).catch(() => lost.push('the honest newer release was not installed'));
    const honestVersion = installedVersion(honest.dataDir);
    honest.kill('SIGTERM');
    await honest.wait();
    recordScenario({
      scenario: 'ota: old release replayed as new', iterations: 3, faultsInjected: 3, itemsChecked: 4, itemsLost: lost.length,
      tried: 'signed old release announced as 9999 (MQTT, poll) and as the pinned version', note: lost.join('; ') || undefined,
    });
    expect(lost).toEqual([]);
    expect(honestVersion).toBe(NEWER);
  }, 240_000);
});
