import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordScenario } from '#testkit/fault-report.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { TestS3 } from '#testkit/s3rver.js';
import { seededRandom } from '#testkit/signals.js';
import { saveTestModel } from '#testkit/test-model.js';
import { scene } from '../audio-scenes.js';
import { tempDir, writeWav } from '../helpers.js';
import { Subscriber } from '../mqtt-subscriber.js';
import { StationProcess } from '../station-process.js';
import { checkStationInvariants, orphanClipFiles } from './invariants.js';

const ITERATIONS = Number(process.env.ECOSIGHT_FAULT_ITERATIONS ?? 50);
const SEED = Number(process.env.ECOSIGHT_FAULT_SEED ?? 20261126);
/** Each recording dropped into the folder holds bursts of shots at these times. */
const BURSTS = [3, 30, 60];
/** Kills fall uniformly within this long after the station is composed (at most; a run's length, see below). */
const KILL_WINDOW_MS = 1500;
const MIN_KILL_WINDOW_MS = 200;
const broker = new TestMosquitto();
const s3 = new TestS3('power-cut');
const env = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };

beforeAll(async () => {
  Object.assign(process.env, env);
  await broker.start();
  await s3.start();
});
afterAll(async () => {
  await broker.stop();
  await s3.stop();
});

// FLAC is the default clip codec; Opus (a second encoder program, killed mid-clip just the same) gets half the kills.
const RUNS = [{ codec: 'flac', iterations: ITERATIONS }, { codec: 'opus', iterations: Math.ceil(ITERATIONS / 2) }] as const;

describe.each(RUNS)('power cut with $codec clips: SIGKILL at random instants while processing, encoding, uploading and publishing', ({ codec, iterations }) => {
  it(`loses nothing and duplicates nothing over ${iterations} seeded kills`, async () => {
    const modelDir = await saveTestModel();
    const dataDir = tempDir();
    const stationId = `st-pc-${codec}`;
    const dropDir = join(dataDir, 'drop');
    // Every iteration a recorder drops a new 90 s recording with three bursts, so each run has fresh
    // work (plus whatever the previous, killed run left unfinished).
    const dropRecording = (i: number): void => {
      const audio = scene(90, BURSTS.map((t) => ({ kind: 'shots' as const, atSec: t + (i % 5), durationSec: 1 })));
      audio[0] = i / 1000; // distinct content: each file is its own recording
      // AudioMoth-style names: one recording every two minutes, so their times never overlap.
      const start = new Date(Date.UTC(2026, 10, 26, 10, 0, 0) + i * 120_000).toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
      writeWav(join(dropDir, `${start}.WAV`), audio);
    };
    const config = {
      stationId, source: { type: 'folder', path: dropDir, stableSec: 0, afterProcessing: 'move' }, model: { dir: modelDir, backend: 'wasm' },
      clips: { preRollSec: 1, postRollSec: 1, codec, opusBitrateKbps: 24 }, mqtt: { url: broker.url, alertCooldownSec: 2 },
      upload: { bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true, retryMinSec: 0.1, retryMaxSec: 0.5, maxBytesPerSec: 200_000 },
      logLevel: 'info',
    };
    const sub = new Subscriber(broker.url, [`ecosight/${stationId}/alert`]);
    await sub.start();
    const rand = seededRandom(SEED);
    let faults = 0;
    let checked = 0;
    let windowMs = KILL_WINDOW_MS;
    const violations: string[] = [];
    for (let i = 0; i < iterations; i++) {
      dropRecording(i);
      const station = new StationProcess(dataDir, config, env);
      station.start(['--exit-when-idle', '--idle-timeout', '30']);
      await station.waitForLog(/station composed/, 30_000);
      // Kill somewhere in the next 1.5 s: the pipeline, the clip writes (and their encoder), the first uploads and the
      // alerts all run in it. A run on an idle machine is over in about 1.7 s with small (Opus) clips, so a wider
      // window would mostly fire after the station has already exited and inject too few faults. A run that ends
      // before its kill sets the window to its own length (the machine's present speed): on a fast machine a fixed
      // 1.5 s let 13 of 25 Opus runs finish first (CI), and too few faults fail the test.
      const composedAt = Date.now();
      const delay = rand() * windowMs;
      const exited = await Promise.race([station.wait().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), delay))]);
      if (!exited) {
        station.kill('SIGKILL');
        faults++;
      } else {
        windowMs = Math.min(KILL_WINDOW_MS, Math.max(MIN_KILL_WINDOW_MS, Date.now() - composedAt));
      }
      await station.wait();
      const report = await checkStationInvariants(dataDir, s3, stationId, { codec });
      checked += report.checked;
      violations.push(...report.violations.map((v) => `after kill ${i + 1} (${delay.toFixed(0)} ms): ${v}`));
    }
    // Power back for good: the station finishes the recording and drains its outbox.
    const last = new StationProcess(dataDir, config, env);
    last.start(['--exit-when-idle', '--idle-timeout', '60']);
    expect(await last.wait()).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    // At rest every clip must also decode to its full recorded length: no half-encoded file got in.
    const final = await checkStationInvariants(dataDir, s3, stationId, { codec, decode: true });
    checked += final.checked;
    violations.push(...final.violations);
    const orphans = orphanClipFiles(dataDir);
    violations.push(...orphans.map((o) => `orphan clip file ${o}`));
    const deliveries = new Map<string, number>();
    for (const a of sub.on('/alert')) deliveries.set(String(a.alertId), (deliveries.get(String(a.alertId)) ?? 0) + 1);
    await sub.stop();
    const duplicates = [...deliveries.values()].filter((n) => n > 1).length;
    const expectedAlerts = BURSTS.length * iterations;
    const missingAlerts = Math.max(0, expectedAlerts - deliveries.size);
    checked += expectedAlerts + deliveries.size;
    recordScenario({
      scenario: `power cut (SIGKILL), ${codec} clips`, iterations, faultsInjected: faults, itemsChecked: checked,
      itemsLost: missingAlerts + duplicates + violations.length,
      note: `seed ${SEED}`,
    });
    expect(violations).toEqual([]);
    expect(duplicates).toBe(0);
    expect(deliveries.size).toBe(expectedAlerts);
    expect(faults).toBeGreaterThan(iterations / 2);
  });
});
