/**
 * Issue 13 item 6 (swap): SIGKILL at seeded random instants while a station
 * downloads, verifies, installs and switches to a new release. After each kill
 * the station is started again without a cloud: it must come back on the old
 * or the new model (complete, every file matching the signed manifest), never
 * on none and never on a half-written one.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordScenario } from '#testkit/fault-report.js';
import { seededRandom } from '#testkit/signals.js';
import { RELEASE_ROUTES } from '#shared/release/urls.js';
import { parsePublicKey } from '#shared/manifest/keys.js';
import { checkFile, MANIFEST_FILE, verifyManifest } from '#shared/release/manifest.js';
import { tempDir } from '../../station/test/helpers.js';
import { StationProcess } from '../../station/test/station-process.js';
import { writeTinyModelDir } from '../../cloud/test/support/tiny-model.js';
import { AttackProxy, installedVersion, otaStationConfig, OtaWorld } from './ota-world.js';

const ITERATIONS = Number(process.env.ECOSIGHT_FAULT_ITERATIONS ?? 8);
const SEED = Number(process.env.ECOSIGHT_FAULT_SEED ?? 20261204);
const OLD = '2026.06.01-1';
const NEW = '2026.07.01-1';
const world = new OtaWorld();
const proxy = new AttackProxy(() => world.baseUrl);

beforeAll(async () => {
  await world.start('2026.01.01-1');
  await proxy.start();
  world.cloud.config.publicUrl = proxy.url;
  await world.publish(NEW);
});
afterAll(async () => {
  await proxy.stop();
  await world.stop();
});

/** Problems with the installed model a restarted station would load (empty when it is complete and verified). */
function checkInstalled(dataDir: string): string[] {
  const version = installedVersion(dataDir);
  if (version === undefined) return [];
  const dir = join(dataDir, 'models', 'current');
  if (!existsSync(dir)) return [`models/current points at a missing ${version}`];
  try {
    const manifest = verifyManifest(JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')), parsePublicKey(world.cloud.publicKey));
    for (const f of manifest.files) checkFile(f, readFileSync(join(dir, ...f.path.split('/'))));
    return manifest.version === version ? [] : [`models/current is ${version} but holds ${manifest.version}`];
  } catch (err) {
    return [`models/current (${version}) is incomplete: ${(err as Error).message}`];
  }
}

describe('OTA: SIGKILL during the swap', () => {
  it(`comes back on the old or the new model after ${ITERATIONS} seeded kills`, async () => {
    const rand = seededRandom(SEED);
    const oldModel = await writeTinyModelDir(OLD);
    const lost: string[] = [];
    const outcomes = new Map<string, number>();
    let kills = 0;
    /** Starts a station; `onPoll` runs the moment its first poll reaches the cloud. */
    const startWithPollHook = (dataDir: string, onPoll: (station: StationProcess) => void): StationProcess => {
      // No broker: the retained announcement would start the swap before the poll the kills are timed from.
      const station = new StationProcess(dataDir, otaStationConfig(world, oldModel, dataDir, { url: proxy.url }, { mqtt: { url: '' } }));
      let polled = false;
      proxy.rule = (path) => {
        if (path === RELEASE_ROUTES.latest && !polled) {
          polled = true;
          onPoll(station);
        }
        return undefined;
      };
      station.start();
      return station;
    };
    // Calibration: how long poll -> download -> validate -> install -> switch takes here, so the kills spread over it.
    const calibrationDir = tempDir();
    let t0 = 0;
    const calibration = startWithPollHook(calibrationDir, () => (t0 = Date.now()));
    await calibration.waitForLog(/switching between windows/, 60_000);
    const swapMs = Math.max(20, Date.now() - t0);
    calibration.kill('SIGKILL');
    await calibration.wait();
    rmSync(calibrationDir, { recursive: true, force: true });
    for (let i = 0; i < ITERATIONS; i++) {
      const dataDir = tempDir();
      // Stratified over [0, 1.2 x swapMs] after the poll: every part of the swap gets kills, a few land after it.
      const delayMs = ((i + rand()) / ITERATIONS) * swapMs * 1.2;
      const station = startWithPollHook(dataDir, (s) => setTimeout(() => s.kill('SIGKILL'), delayMs));
      await station.wait();
      const phase = station.logs.some((l) => l.includes('model update verified and installed')) ? 'after install' : 'before install';
      kills++;
      lost.push(...checkInstalled(dataDir).map((p) => `kill ${i + 1} at ${delayMs.toFixed(0)} ms: ${p}`));
      // Power back without a cloud: which model does the station run?
      const again = new StationProcess(dataDir, otaStationConfig(world, oldModel, dataDir, { publicKey: '' }));
      again.start();
      const line = await again.waitForLog(/"msg":"model loaded"/, 60_000).catch(() => undefined);
      const loaded = line ? String((JSON.parse(line.replace(/^<\d>/, '')) as { version?: string }).version) : 'none';
      again.kill('SIGKILL');
      await again.wait();
      if (loaded !== OLD && loaded !== NEW) lost.push(`kill ${i + 1} at ${delayMs.toFixed(0)} ms (${phase}): restarted on ${loaded}`);
      outcomes.set(`${loaded} ${phase}`, (outcomes.get(`${loaded} ${phase}`) ?? 0) + 1);
      rmSync(dataDir, { recursive: true, force: true });
    }
    recordScenario({
      scenario: 'ota: SIGKILL during the swap', iterations: ITERATIONS, faultsInjected: kills, itemsChecked: ITERATIONS * 2, itemsLost: lost.length,
      tried: `kill -9 over a ${swapMs} ms swap (download, validate, link); restarts: ${[...outcomes].map(([v, n]) => `${n}x ${v}`).join(', ')}`, note: lost.join('; ') || undefined,
    });
    expect(lost).toEqual([]);
  }, 600_000);
});
