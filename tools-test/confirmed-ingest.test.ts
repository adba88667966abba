/**
 * Issue 16, "ingest without listing the bucket", with both halves real: a
 * station process (the built CLI) uploads its clips through presigned URLs
 * straight to S3 (s3rver) and confirms them; the cloud, whose S3 client counts
 * every request, indexes them without listing a single prefix. No MQTT: the
 * confirmation alone tells the cloud.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '#shared/s3/client.js';
import { S3RequestCounter } from '#testkit/s3-request-counter.js';
import { TestS3 } from '#testkit/s3rver.js';
import { ADMIN_KEY, startTestCloud, type TestCloud } from '../cloud/test/support/test-cloud.js';
import { writeTrainableBaseDir } from '../cloud/test/support/tiny-model.js';
import { scene } from '../station/test/audio-scenes.js';
import { tempDir, writeWav } from '../station/test/helpers.js';
import { StationProcess } from '../station/test/station-process.js';

const s3 = new TestS3('confirmed-ingest');
const counter = new S3RequestCounter();
let cloud: TestCloud;
let baseUrl: string;
let baseModel: string;
const admin = { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' };

beforeAll(async () => {
  await s3.start();
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
  baseModel = await writeTrainableBaseDir('2026.01.01-1');
  const s3Client = counter.attach(createS3Client({ endpoint: s3.endpoint, forcePathStyle: true }));
  // The reconciliation runs on its configured timer (a day): only the confirmations can index in time.
  cloud = await startTestCloud({ STORAGE: 's3', ...s3.env, RECONCILE_INTERVAL_SEC: '86400' }, { s3Client, shippedModelDir: baseModel, scanIntervalMs: undefined });
  baseUrl = await cloud.app.listen({ port: 0, host: '127.0.0.1' });
}, 60_000);
afterAll(async () => {
  await cloud.stop();
  await s3.stop();
});

async function detections(stationId: string): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(`${baseUrl}/api/detections?station=${stationId}`, { headers: admin });
  return ((await res.json()) as { items: Array<Record<string, unknown>> }).items;
}

describe('a station confirms its uploads; the cloud indexes them without listing', () => {
  it('detections with clips appear in /api/detections after the station exits, with zero LIST requests', async () => {
    const reg = await fetch(`${baseUrl}/api/stations`, { method: 'POST', headers: admin, body: JSON.stringify({ id: 'st-conf' }) });
    const { token } = (await reg.json()) as { token: string };
    const dataDir = tempDir();
    const drop = join(dataDir, 'drop');
    writeWav(join(drop, '20261126_120000.wav'), scene(12, [{ kind: 'shots', atSec: 3, durationSec: 1.5 }, { kind: 'steady', atSec: 7, durationSec: 3 }]));
    const station = new StationProcess(dataDir, {
      stationId: 'st-conf', model: { dir: baseModel, backend: 'wasm' }, detection: { classes: { gunshot: { threshold: 0.05 }, chainsaw: { threshold: 0.05 } } },
      source: { type: 'folder', path: drop, stableSec: 0 },
      upload: { presignUrl: baseUrl, token, retryMinSec: 0.2, retryMaxSec: 1 },
    });
    counter.reset();
    // --exit-when-idle: the station exits 0 once its outbox (uploads and their confirmations) has drained.
    station.start(['--exit-when-idle', '--idle-timeout', '60']);
    expect(await station.wait(), station.logs.slice(-20).join('\n')).toBe(0);
    const items = await detections('st-conf');
    expect(items.length).toBeGreaterThan(0);
    for (const d of items) expect(d).toMatchObject({ clipAvailable: true, stationId: 'st-conf' });
    const requests = counter.snapshot();
    expect(requests.LIST).toBe(0);
    // One sidecar read and one clip HEAD per confirmed clip (nothing else reads the bucket on this path).
    expect(requests.GET).toBe(items.length);
    expect(requests.HEAD).toBe(items.length);
    // The reconciliation, run by hand, finds nothing new: every upload was confirmed.
    const scan = await fetch(`${baseUrl}/api/scan`, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY } });
    expect(await scan.json()).toMatchObject({ sidecars: 0 });
    expect(counter.count('LIST')).toBeGreaterThan(0);
    expect(await detections('st-conf')).toHaveLength(items.length);
  }, 180_000);
});
