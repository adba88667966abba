import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StationConfigSchema } from '#shared/config/station-config.js';
import { validateConfig } from '#shared/config/validate.js';
import { createS3Client } from '#shared/s3/client.js';
import { recordScenario } from '#testkit/fault-report.js';
import { ManualClock } from '#testkit/manual-clock.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { waitFor } from '#testkit/ports.js';
import { TestS3 } from '#testkit/s3rver.js';
import { saveTestModel } from '#testkit/test-model.js';
import { composeStation } from '../../src/main.js';
import { scene } from '../audio-scenes.js';
import { quietLogger, tempDir } from '../helpers.js';
import { Subscriber } from '../mqtt-subscriber.js';
import { applyOutages, dropRecording } from './outages.js';

// Two simulated months of a station that hears four bursts of shots a day, with a 7-day
// retention: station.db must level off once the first week has aged out, while everything
// not yet delivered (a bucket down for 10 days, a broker down for the last 10) is kept
// past the retention age and delivered once the link is back.
const broker = new TestMosquitto({ persistence: true });
const s3 = new TestS3('retention');
const DAYS = 60;
const BURSTS = 4;
const MAX_AGE_DAYS = 7;
const BUCKET_DOWN = new Set([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
const BROKER_DOWN = new Set([50, 51, 52, 53, 54, 55, 56, 57, 58, 59]);
const DAY_MS = 86_400_000;
const STEP_MS = 6 * 3_600_000;

beforeAll(async () => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' });
  await broker.start();
  await s3.start();
});
afterAll(async () => {
  await broker.stop();
  await s3.stop();
});

/** Live bytes of the database as its own connection sees them (the WAL included). */
function liveBytes(db: Database.Database): number {
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  return (pages - free) * (db.pragma('page_size', { simple: true }) as number);
}

const count = (db: Database.Database, sql: string, ...args: unknown[]): number => (db.prepare(sql).get(...args) as { n: number }).n;

describe('retention over two simulated months (injected clock)', () => {
  it('keeps station.db bounded and loses nothing that was not yet delivered', async () => {
    const dataDir = tempDir();
    const drop = join(dataDir, 'drop');
    const clock = new ManualClock(Date.now());
    const config = validateConfig(StationConfigSchema, {
      stationId: 'st-month', dataDir, source: { type: 'folder', path: drop, stableSec: 0, afterProcessing: 'delete' },
      model: { dir: await saveTestModel(), backend: 'wasm' }, clips: { preRollSec: 1, postRollSec: 1 },
      mqtt: { url: broker.url, alertCooldownSec: 2, telemetryIntervalSec: 60 },
      upload: { bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true, retryMinSec: 30, retryMaxSec: 3600, attemptTimeoutSec: 5 },
      retention: { maxAgeDays: MAX_AGE_DAYS, intervalSec: STEP_MS / 1000 },
    }, 'retention');
    const sub = new Subscriber(broker.url, ['ecosight/st-month/alert'], { persistentSession: true });
    await sub.start();
    const station = await composeStation(config, { exitWhenIdle: false, idleTimeoutMs: 0, env: {}, clock, logger: quietLogger() });
    const running = station.run();
    const db = new Database(join(dataDir, 'station.db'), { readonly: true });
    const sizeByDay: number[] = [];
    let faults = 0;
    let keptUploads = 0;
    let keptAlerts = 0;
    try {
      for (let day = 0; day < DAYS; day++) {
        faults += await applyOutages(day, [{ down: BUCKET_DOWN, stop: () => s3.stop(), start: () => s3.start() }, { down: BROKER_DOWN, stop: () => broker.stop(), start: () => broker.start() }]);
        // AudioMoth-style name: the recording's start is the simulated day's, so days never join alerts.
        const name = `${new Date(clock.now()).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '_')}.WAV`;
        const bursts = Array.from({ length: BURSTS }, (_, i) => ({ kind: 'shots' as const, atSec: 3 + 7 * i, durationSec: 1 }));
        await dropRecording(drop, name, scene(7 * BURSTS + 2, bursts).map((x, i) => (i === 0 ? day / 1e4 : x)), clock, db);
        // The day passes in six-hour steps, with real time for the workers and the retention pass.
        for (let step = 0; step < DAY_MS / STEP_MS; step++) {
          clock.advance(STEP_MS);
          await new Promise((r) => setTimeout(r, 100));
        }
        sizeByDay.push(liveBytes(db));
        if (day === 29) {
          // Ten days without a bucket, three past the retention age: every clip of them is still owed.
          keptUploads = count(db, `SELECT COUNT(*) AS n FROM outbox o JOIN clips c ON o.dedupe_key = 'upload:' || c.id
            WHERE o.state = 'pending' AND c.deleted_at_ms IS NULL`);
        }
      }
      // Ten days without a broker: every alert of them is still owed, the oldest past the retention age.
      keptAlerts = count(db, `SELECT COUNT(*) AS n FROM outbox WHERE kind = 'alert' AND state IN ('pending', 'handed')`);
      faults++;
      await broker.start();
      await waitFor(() => {
        clock.advance(10 * 60_000);
        return count(db, `SELECT COUNT(*) AS n FROM outbox WHERE state IN ('pending', 'handed') AND kind IN ('alert', 'upload')`) === 0 ? true : undefined;
      }, 90_000, 'the backlog to drain');
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      await station.requestStop('test done');
      await running;
      db.close();
    }
    // The station closed its database: the file holds everything (the WAL is checkpointed).
    const fileBytes = statSync(join(dataDir, 'station.db')).size;
    const list = await createS3Client({ endpoint: s3.endpoint, forcePathStyle: true }).send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'stations/st-month/', MaxKeys: 10_000 }));
    const clipsInBucket = (list.Contents ?? []).filter((o) => o.Key?.endsWith('.wav')).length;
    const deliveries = new Map<string, number>();
    for (const a of sub.on('/alert')) deliveries.set(String(a.alertId), (deliveries.get(String(a.alertId)) ?? 0) + 1);
    await sub.stop();

    const expected = DAYS * BURSTS;
    // Steady state: a week's rows once the first week has aged out (day 15) and a month later.
    const settledWeek = sizeByDay[15];
    const lateMax = Math.max(...sizeByDay.slice(40, 50));
    const lost = Math.max(0, expected - deliveries.size) + [...deliveries.values()].filter((n) => n > 1).length + Math.max(0, expected - clipsInBucket)
      + Math.max(0, BUCKET_DOWN.size * BURSTS - keptUploads) + Math.max(0, BROKER_DOWN.size * BURSTS - keptAlerts);
    recordScenario({
      scenario: 'retention, two simulated months', iterations: DAYS, faultsInjected: faults,
      itemsChecked: expected * 2 + keptUploads + keptAlerts, itemsLost: lost,
      tried: `7-day retention: station.db ${Math.round(settledWeek / 1024)} KB live at day 15, max ${Math.round(lateMax / 1024)} KB days 40-49, file ${Math.round(fileBytes / 1024)} KB at day 60`,
    });
    expect(keptUploads).toBe(BUCKET_DOWN.size * BURSTS);
    expect(keptAlerts).toBe(BROKER_DOWN.size * BURSTS);
    expect(deliveries.size).toBe(expected);
    expect([...deliveries.values()].every((n) => n === 1)).toBe(true);
    expect(clipsInBucket).toBe(expected);
    // Bounded: a month later the live data is still about one week's worth, not five weeks'.
    expect(lateMax).toBeLessThanOrEqual(settledWeek * 1.5);
    expect(fileBytes).toBeLessThanOrEqual(3 * settledWeek);
  }, 600_000);
});
