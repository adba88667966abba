import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIP_EXTENSION_PATTERN } from '#shared/audio/clip-codec.js';
import { StationConfigSchema } from '#shared/config/station-config.js';
import { sidecarKeyFor } from '#shared/bucket/layout.js';
import { validateConfig } from '#shared/config/validate.js';
import { createS3Client } from '#shared/s3/client.js';
import { recordScenario } from '#testkit/fault-report.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { waitFor } from '#testkit/ports.js';
import { TestS3 } from '#testkit/s3rver.js';
import { saveTestModel } from '#testkit/test-model.js';
import { composeStation } from '../../src/main.js';
import { scene } from '../audio-scenes.js';
import { quietLogger, tempDir } from '../helpers.js';
import { ManualClock } from '#testkit/manual-clock.js';
import { Subscriber } from '../mqtt-subscriber.js';
import { checkStationInvariants } from './invariants.js';
import { applyOutages, dropRecording } from './outages.js';

// A field broker keeps sessions across restarts, and alert subscribers use persistent sessions: an
// alert the station hands over while the subscriber has not yet reconnected is queued for it, not lost.
const broker = new TestMosquitto({ persistence: true });
const s3 = new TestS3('link-loss');
const HOURS = 24;
const BROKER_DOWN = new Set([3, 4, 5, 6, 15, 16]);
const BUCKET_DOWN = new Set([5, 6, 7, 8, 9, 10, 11, 19, 20, 21]);
const QUOTA_MB = 2;

beforeAll(async () => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' });
  await broker.start();
  await s3.start();
});
afterAll(async () => {
  await broker.stop();
  await s3.stop();
});

function clipBytesOnDisk(dir: string): number {
  try {
    return readdirSync(dir, { recursive: true }).map(String).filter((f) => CLIP_EXTENSION_PATTERN.test(f)).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  } catch {
    return 0;
  }
}

// FLAC is the station's default; Opus is what a satellite link would use. Both must survive the day.
describe.each(['flac', 'opus'] as const)('link loss over a simulated day (injected clock), %s clips', (codec) => {
  it('loses no alert and no clip while broker and bucket come and go, and keeps the clip folder under its quota', async () => {
    const dataDir = tempDir();
    const stationId = `st-day-${codec}`;
    const drop = join(dataDir, 'drop');
    // Starts at the real time: the folder source compares file mtimes with it.
    const clock = new ManualClock(Date.now());
    const config = validateConfig(StationConfigSchema, {
      stationId, dataDir, source: { type: 'folder', path: drop, stableSec: 0, afterProcessing: 'delete' },
      model: { dir: await saveTestModel(), backend: 'wasm' }, clips: { preRollSec: 1, postRollSec: 1, quotaMb: QUOTA_MB, codec, opusBitrateKbps: 24 },
      mqtt: { url: broker.url, alertCooldownSec: 2, telemetryIntervalSec: 60 },
      upload: { bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true, retryMinSec: 30, retryMaxSec: 1800, attemptTimeoutSec: 5 },
    }, 'link-loss');
    const sub = new Subscriber(broker.url, [`ecosight/${stationId}/alert`], { persistentSession: true });
    await sub.start();
    const station = await composeStation(config, { exitWhenIdle: false, idleTimeoutMs: 0, env: {}, clock, logger: quietLogger() });
    const running = station.run();
    const db = new Database(join(dataDir, 'station.db'), { readonly: true });
    let maxClipBytes = 0;
    let faults = 0;
    try {
      for (let hour = 0; hour < HOURS; hour++) {
        faults += await applyOutages(hour, [{ down: BROKER_DOWN, stop: () => broker.stop(), start: () => broker.start() }, { down: BUCKET_DOWN, stop: () => s3.stop(), start: () => s3.start() }]);
        // The recorder drops this hour's recording: two bursts of shots.
        const name = `20261126_${String(hour).padStart(2, '0')}0000.WAV`;
        const shots = scene(20, [{ kind: 'shots', atSec: 3, durationSec: 1 }, { kind: 'shots', atSec: 12, durationSec: 1 }]);
        await dropRecording(drop, name, shots.map((x, i) => (i === 0 ? hour / 1e4 : x)), clock, db);
        // An hour passes, in ten-minute steps, with real time for the workers to act on each.
        for (let step = 0; step < 6; step++) {
          clock.advance(10 * 60_000);
          await new Promise((r) => setTimeout(r, 120));
          maxClipBytes = Math.max(maxClipBytes, clipBytesOnDisk(join(dataDir, 'clips')));
        }
      }
      // Links are back for good: the day's backlog drains.
      await broker.start();
      await s3.start();
      await waitFor(() => {
        clock.advance(10 * 60_000);
        const pending = db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE state IN ('pending', 'handed') AND kind IN ('alert', 'upload')`).get() as { n: number };
        return pending.n === 0 ? true : undefined;
      }, 90_000, 'the backlog to drain');
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      await station.requestStop('test done');
      await running;
    }
    const clips = db.prepare(`SELECT object_key, upload_state FROM clips`).all() as Array<{ object_key: string; upload_state: string }>;
    const notUploaded = clips.filter((c) => c.upload_state !== 'uploaded').length;
    db.close();
    const list = await createS3Client({ endpoint: s3.endpoint, forcePathStyle: true }).send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `stations/${stationId}/` }));
    const objects = new Set((list.Contents ?? []).map((o) => o.Key as string));
    const missingInBucket = clips.filter((c) => !objects.has(c.object_key) || !objects.has(sidecarKeyFor(c.object_key))).length;
    const deliveries = new Map<string, number>();
    for (const a of sub.on('/alert')) deliveries.set(String(a.alertId), (deliveries.get(String(a.alertId)) ?? 0) + 1);
    await sub.stop();
    const expectedAlerts = HOURS * 2;
    const invariants = await checkStationInvariants(dataDir, s3, stationId, { codec, decode: true });
    const lost = Math.max(0, expectedAlerts - deliveries.size) + [...deliveries.values()].filter((n) => n > 1).length + missingInBucket + notUploaded + invariants.violations.length;
    recordScenario({
      scenario: `link loss, simulated day, ${codec} clips`, iterations: HOURS, faultsInjected: faults,
      itemsChecked: expectedAlerts + clips.length * 2 + invariants.checked, itemsLost: lost,
      note: `max clip folder ${Math.round(maxClipBytes / 1024)} KB of ${QUOTA_MB * 1024} KB`,
    });
    expect(invariants.violations).toEqual([]);
    expect(clips).toHaveLength(expectedAlerts);
    expect(deliveries.size).toBe(expectedAlerts);
    expect([...deliveries.values()].every((n) => n === 1)).toBe(true);
    expect(missingInBucket).toBe(0);
    expect(notUploaded).toBe(0);
    expect(maxClipBytes).toBeLessThanOrEqual(QUOTA_MB * 1024 * 1024);
    // Alerts raised while the broker was down arrived later, flagged as delayed.
    expect(sub.on('/alert').some((a) => a.delayed === true)).toBe(true);
  }, 600_000);
});
