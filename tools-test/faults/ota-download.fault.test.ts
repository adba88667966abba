/**
 * Issue 13 items 4-6 (downloads), real station process and real cloud:
 * - a download cut halfway, then tried again: the station must not remember the
 *   pointer's ETag after a failed download (it used to answer "up to date" for good);
 * - a private cloud (PUBLIC_DASHBOARD=false): the station's token must go with
 *   every release download, not just the poll;
 * - unsigned, re-signed with another key, truncated and oversized releases in
 *   the bucket are never installed, and an honest release still is afterwards.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordScenario } from '#testkit/fault-report.js';
import { releaseKey, releaseManifestKey } from '#shared/release/layout.js';
import { signManifest, type Manifest } from '#shared/release/manifest.js';
import { RELEASE_ROUTES } from '#shared/release/urls.js';
import { ADMIN_KEY } from '../../cloud/test/support/test-cloud.js';
import { AttackProxy, installedVersion, otaStation, OtaWorld } from './ota-world.js';

const RUNNING = '2026.06.01-1';
const world = new OtaWorld();
const proxy = new AttackProxy(() => world.baseUrl);
const NO_MQTT = { mqtt: { url: '' } };

beforeAll(async () => {
  await world.start('2026.01.01-1');
  await proxy.start();
  // The cloud names the proxy in the URLs it hands out, as a cloud behind a CDN or a bad link would.
  world.cloud.config.publicUrl = proxy.url;
});
afterAll(async () => {
  await proxy.stop();
  await world.stop();
});

describe('OTA: downloads', () => {
  it('a download cut halfway is tried again at the next poll and installs', async () => {
    const version = '2026.07.01-1';
    await world.publish(version);
    let cuts = 0;
    proxy.rule = (path) => (path.startsWith(`${RELEASE_ROUTES.list}/${version}/`) && path.endsWith('.bin') && cuts++ === 0 ? { cutHalf: true } : undefined);
    const station = await otaStation(world, RUNNING, { url: proxy.url }, NO_MQTT);
    station.start();
    const installed = await station.waitForLog(/model update verified and installed/, 45_000).then(() => true, () => false);
    const current = installedVersion(station.dataDir);
    station.kill('SIGTERM');
    await station.wait();
    recordScenario({
      scenario: 'ota: download cut halfway', iterations: 1, faultsInjected: cuts > 0 ? 1 : 0, itemsChecked: 1, itemsLost: installed && current === version ? 0 : 1,
      tried: 'weights download cut at half, then polled again (ETag kept only after install)',
    });
    expect(cuts).toBeGreaterThanOrEqual(1);
    expect(current).toBe(version);
  }, 120_000);

  it('unsigned, re-signed, truncated and oversized releases are never installed; an honest one still is', async () => {
    const otherKey = generateKeyPairSync('ed25519').privateKey;
    const manifestOf = (v: string) => JSON.parse(readFileSync(world.objectPath(releaseManifestKey(v)), 'utf8')) as Manifest;
    const weightsKey = (v: string) => releaseKey(v, manifestOf(v).files.find((f) => f.path.endsWith('.bin'))?.path ?? 'weights.bin');
    const attacks: Array<[string, (v: string) => void]> = [
      ['unsigned', (v) => {
        const { signature: _s, ...rest } = manifestOf(v);
        writeFileSync(world.objectPath(releaseManifestKey(v)), JSON.stringify(rest));
      }],
      ['re-signed with another key', (v) => {
        const { signature: _s, keyId: _k, ...unsigned } = manifestOf(v);
        writeFileSync(world.objectPath(releaseManifestKey(v)), JSON.stringify(signManifest(unsigned, otherKey)));
      }],
      ['truncated', (v) => {
        const path = world.objectPath(weightsKey(v));
        const bytes = readFileSync(path);
        writeFileSync(path, bytes.subarray(0, bytes.length >> 1));
      }],
      ['oversized', (v) => {
        const path = world.objectPath(weightsKey(v));
        writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.alloc(4 << 20, 7)]));
      }],
    ];
    // The pointer is hidden while a release is published and tampered with, so the station only ever sees the tampered one.
    let hidden = true;
    proxy.rule = (path) => (hidden && path === RELEASE_ROUTES.latest ? { respond: { status: 404, body: '{}' } } : undefined);
    const station = await otaStation(world, RUNNING, { url: proxy.url }, NO_MQTT);
    station.start();
    await station.waitForLog(/station composed/, 60_000);
    const lost: string[] = [];
    for (const [i, [what, tamper]] of attacks.entries()) {
      const version = `2026.08.0${i + 1}-1`;
      hidden = true;
      await world.publish(version);
      tamper(version);
      hidden = false;
      const seen = await station.waitForLog(new RegExp(`"version":"${version.replaceAll('.', '\\.')}".*model update (refused|failed)`), 30_000).then(() => true, () => false);
      if (!seen) lost.push(`${what}: no refusal logged`);
      const current = installedVersion(station.dataDir);
      if (current) lost.push(`${what}: installed ${current}`);
    }
    await world.publish('2026.08.09-1');
    const honest = await station.waitForLog(/model update verified and installed/, 30_000).then(() => true, () => false);
    if (!honest || installedVersion(station.dataDir) !== '2026.08.09-1') lost.push('the honest release after them was not installed');
    station.kill('SIGTERM');
    await station.wait();
    recordScenario({
      scenario: 'ota: bad releases in the bucket', iterations: attacks.length + 1, faultsInjected: attacks.length, itemsChecked: attacks.length + 1, itemsLost: lost.length,
      tried: 'unsigned, re-signed with another key, truncated, oversized weights', note: lost.join('; ') || undefined,
    });
    expect(lost).toEqual([]);
  }, 240_000);
});

describe('OTA: a private cloud', () => {
  const closed = new OtaWorld();
  beforeAll(() => closed.start('2026.01.01-1', { PUBLIC_DASHBOARD: 'false' }));
  afterAll(() => closed.stop());

  it('a station with its token polls and downloads a release (PUBLIC_DASHBOARD=false)', async () => {
    const res = await fetch(`${closed.baseUrl}/api/stations`, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ id: 'st-ota' }) });
    const { token } = (await res.json()) as { token: string };
    const version = '2026.07.01-1';
    await closed.publish(version);
    const station = await otaStation(closed, RUNNING, { url: closed.baseUrl }, { ...NO_MQTT, upload: { token } });
    station.start();
    const installed = await station.waitForLog(/model update verified and installed/, 45_000).then(() => true, () => false);
    const current = installedVersion(station.dataDir);
    station.kill('SIGTERM');
    await station.wait();
    recordScenario({
      scenario: 'ota: private cloud', iterations: 1, faultsInjected: 0, itemsChecked: 1, itemsLost: installed && current === version ? 0 : 1,
      tried: 'PUBLIC_DASHBOARD=false: poll and every download with the station token',
    });
    expect(res.status).toBe(201);
    expect(current).toBe(version);
  }, 120_000);
});
