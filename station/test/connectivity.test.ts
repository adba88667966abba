import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '#shared/s3/client.js';
import { CLIP_EXTENSION_PATTERN, sniffCodec } from '#shared/audio/clip-codec.js';
import { sidecarKeyFor } from '#shared/bucket/layout.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { waitFor } from '#testkit/ports.js';
import { TestS3 } from '#testkit/s3rver.js';
import { saveTestModel } from '#testkit/test-model.js';
import { openDatabase, integrityCheck } from '../src/store/database.js';
import { scene } from './audio-scenes.js';
import { tempDir, writeWav } from './helpers.js';
import { Subscriber } from './mqtt-subscriber.js';
import { StationProcess } from './station-process.js';

let modelDir: string;
const awsEnv = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };
const broker = new TestMosquitto();
const s3 = new TestS3('ecosight-clips');

beforeAll(async () => {
  Object.assign(process.env, awsEnv);
  modelDir = await saveTestModel();
  await broker.start();
  await s3.start();
});
afterAll(async () => {
  await broker.stop();
  await s3.stop();
});

function stationConfig(wav: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    stationId: extra.stationId ?? 'st-07',
    source: { type: 'file', path: wav, ...(extra.source as object | undefined) },
    model: { dir: modelDir, backend: 'wasm' },
    clips: { preRollSec: 0.5, postRollSec: 0.5, ...(extra.clips as object | undefined) },
    mqtt: { url: broker.url, prefix: 'ecosight', alertCooldownSec: 1, ...(extra.mqtt as object | undefined) },
    upload: { bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true, retryMinSec: 0.2, retryMaxSec: 1, ...(extra.upload as object | undefined) },
    logLevel: 'info',
  };
}

async function bucketObjects(prefix: string): Promise<Map<string, Buffer>> {
  const client = createS3Client({ endpoint: s3.endpoint, forcePathStyle: true });
  const list = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  const out = new Map<string, Buffer>();
  for (const o of list.Contents ?? []) {
    const res = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: o.Key }));
    out.set(o.Key as string, Buffer.from(await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()));
  }
  return out;
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Every WAV in the bucket has a sidecar whose sha256 matches it, and both match the station's database. */
function checkBucketAgainstDb(objects: Map<string, Buffer>, dataDir: string, stationId = 'st-07'): number {
  const db = openDatabase(join(dataDir, 'station.db'));
  expect(integrityCheck(db)).toBe('ok');
  const clips = db.prepare(`SELECT id, object_key, sha256, upload_state FROM clips`).all() as Array<{ id: string; object_key: string; sha256: string; upload_state: string }>;
  db.close();
  const audioKeys = [...objects.keys()].filter((k) => CLIP_EXTENSION_PATTERN.test(k));
  expect(audioKeys.sort()).toEqual(clips.map((c) => c.object_key).sort());
  for (const clip of clips) {
    const audio = objects.get(clip.object_key) as Buffer;
    const sidecar = JSON.parse((objects.get(sidecarKeyFor(clip.object_key)) as Buffer).toString()) as { sha256: string; clipId: string; stationId: string; codec: string };
    // FLAC is the station's default codec; the key, the bytes and the sidecar all say so.
    expect(clip.object_key).toMatch(/\.flac$/);
    expect(sniffCodec(audio)).toBe('flac');
    expect(sidecar.codec).toBe('flac');
    expect(sha256(audio)).toBe(clip.sha256);
    expect(sidecar.sha256).toBe(clip.sha256);
    expect(sidecar.clipId).toBe(clip.id);
    expect(sidecar.stationId).toBe(stationId);
    expect(clip.upload_state).toBe('uploaded');
  }
  return clips.length;
}

describe('station connectivity against Mosquitto and s3rver on 127.0.0.1', () => {
  it('turns gunshots in a WAV into MQTT alerts, event messages and clips in the bucket with matching sidecars', async () => {
    const dataDir = tempDir();
    const wav = writeWav(join(dataDir, 'shots.wav'), scene(14, [{ kind: 'shots', atSec: 2, durationSec: 1.2 }, { kind: 'shots', atSec: 9, durationSec: 1 }]));
    const sub = new Subscriber(broker.url, ['ecosight/st-07/#']);
    await sub.start();
    const station = new StationProcess(dataDir, stationConfig(wav, { upload: { prefix: undefined } }), awsEnv);
    station.start(['--exit-when-idle', '--idle-timeout', '20']);
    expect(await station.wait()).toBe(0);
    await waitFor(() => sub.on('/alert').length >= 2 || undefined, 5000, 'two alerts');
    const alerts = sub.on('/alert');
    expect(alerts).toHaveLength(2);
    for (const a of alerts) {
      expect(a).toMatchObject({ stationId: 'st-07', label: 'gunshot', delayed: false, modelVersion: '0.0.1-test' });
      for (const key of ['alertId', 'confidence', 'startTime', 'shotCount', 'clipKey']) expect(a).toHaveProperty(key);
      expect(Number(a.shotCount)).toBeGreaterThanOrEqual(1);
    }
    expect(new Set(alerts.map((a) => a.alertId)).size).toBe(2);
    const events = sub.on('/event');
    expect(events.filter((e) => e.type === 'start')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'end')).toHaveLength(2);
    const status = sub.messages.filter((m) => m.topic.endsWith('/status')).map((m) => m.payload.state);
    expect(status).toContain('online');
    expect(status.at(-1)).toBe('offline');
    const objects = await bucketObjects('stations/st-07/');
    expect(checkBucketAgainstDb(objects, dataDir)).toBe(2);
    expect(alerts.map((a) => a.clipKey).sort()).toEqual([...objects.keys()].filter((k) => CLIP_EXTENSION_PATTERN.test(k)).sort());
    await sub.stop();
  });

  it('keeps alerts raised while the broker is down and delivers each exactly once, marked delayed, after it returns', async () => {
    const dataDir = tempDir();
    const wav = writeWav(join(dataDir, 'paced.wav'), scene(16, [
      { kind: 'shots', atSec: 1, durationSec: 1 }, { kind: 'shots', atSec: 7, durationSec: 1 }, { kind: 'shots', atSec: 13, durationSec: 1 },
    ]));
    const sub = new Subscriber(broker.url, ['ecosight/st-07/alert']);
    await sub.start();
    const station = new StationProcess(dataDir, stationConfig(wav, { source: { realtime: true }, upload: { bucket: '' } }), awsEnv);
    station.start(['--exit-when-idle', '--idle-timeout', '30']);
    await waitFor(() => sub.on('/alert').length >= 1 || undefined, 15_000, 'first alert');
    await broker.stop();
    // The second burst (7-8 s into the recording) is heard while the broker is down.
    await station.waitForLog(/"msg":"(MQTT broker unreachable|MQTT connection closed)/, 10_000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 7000));
    await broker.start();
    expect(await station.wait()).toBe(0);
    await waitFor(() => sub.on('/alert').length >= 3 || undefined, 10_000, 'three alerts');
    await new Promise((r) => setTimeout(r, 500));
    const alerts = sub.on('/alert');
    const ids = alerts.map((a) => String(a.alertId));
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    expect(alerts.map((a) => a.delayed)).toEqual([false, true, false]);
    // The delayed alert keeps the time the shots were heard, not the time it was sent.
    const delayed = alerts[1];
    expect(Date.parse(String(delayed.sentAt)) - Date.parse(String(delayed.startTime))).toBeGreaterThan(2000);
    await sub.stop();
  }, 60_000);

  it('keeps clips while the bucket is unreachable and uploads each exactly once when it is back, also across a SIGKILL', async () => {
    const dataDir = tempDir();
    const wav = writeWav(join(dataDir, 'four.wav'), scene(24, [1, 6, 11, 16].map((t) => ({ kind: 'shots' as const, atSec: t, durationSec: 1 }))));
    await s3.stop();
    const offline = new StationProcess(dataDir, stationConfig(wav, { stationId: 'st-08', mqtt: { url: '' }, upload: { attemptTimeoutSec: 2 } }), awsEnv);
    offline.start(['--exit-when-idle', '--idle-timeout', '3']);
    expect(await offline.wait()).toBe(3);
    const db = openDatabase(join(dataDir, 'station.db'));
    const pending = db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE kind = 'upload' AND state = 'pending'`).get() as { n: number };
    const deferred = db.prepare(`SELECT MAX(attempts) AS a, MAX(last_error) AS e FROM outbox WHERE kind = 'upload'`).get() as { a: number; e: string };
    db.close();
    expect(pending.n).toBe(4);
    expect(deferred.a).toBeGreaterThanOrEqual(1);
    expect(deferred.e).toMatch(/link/);
    await s3.start();
    // Slow uploads down so the SIGKILL lands in the middle of them.
    const slow = new StationProcess(dataDir, stationConfig(wav, { stationId: 'st-08', mqtt: { url: '' }, upload: { maxBytesPerSec: 35_000 } }), awsEnv);
    slow.start(['--exit-when-idle', '--idle-timeout', '60']);
    await waitFor(async () => ((await bucketObjects('stations/st-08/')).size >= 2 ? true : undefined), 30_000, 'first upload');
    slow.kill('SIGKILL');
    await slow.wait();
    const partial = [...(await bucketObjects('stations/st-08/')).keys()].filter((k) => CLIP_EXTENSION_PATTERN.test(k)).length;
    expect(partial).toBeLessThan(4);
    const resume = new StationProcess(dataDir, stationConfig(wav, { stationId: 'st-08', mqtt: { url: '' } }), awsEnv);
    resume.start(['--exit-when-idle', '--idle-timeout', '30']);
    expect(await resume.wait()).toBe(0);
    const objects = await bucketObjects('stations/st-08/');
    expect(objects.size).toBe(8);
    expect(checkBucketAgainstDb(objects, dataDir, 'st-08')).toBe(4);
  }, 90_000);

  it('under a disk quota deletes low-priority clips first, keeps gunshot clips and records every deletion', async () => {
    const dataDir = tempDir();
    const events = [1, 7, 13, 19, 25, 31].map((t, i) => ({ kind: (i % 2 === 0 ? 'steady' : 'shots') as 'steady' | 'shots', atSec: t, durationSec: i % 2 === 0 ? 3 : 1 }));
    const wav = writeWav(join(dataDir, 'mixed.wav'), scene(36, events));
    const station = new StationProcess(dataDir, stationConfig(wav, { mqtt: { url: '' }, upload: { bucket: '' }, clips: { quotaMb: 0.45 } }), awsEnv);
    station.start(['--exit-when-idle', '--idle-timeout', '10']);
    expect(await station.wait()).toBe(0);
    const db = openDatabase(join(dataDir, 'station.db'));
    const clips = db.prepare(`SELECT c.id, c.path, c.bytes, c.deleted_at_ms, d.label FROM clips c JOIN detections d ON d.id = c.detection_id ORDER BY c.created_at_ms`).all() as Array<{ id: string; path: string; bytes: number; deleted_at_ms: number | null; label: string }>;
    const deletions = db.prepare(`SELECT clip_id, label, reason FROM clip_deletions ORDER BY id`).all() as Array<{ clip_id: string; label: string; reason: string }>;
    db.close();
    expect(clips.filter((c) => c.label === 'gunshot')).toHaveLength(3);
    expect(clips.filter((c) => c.label === 'chainsaw')).toHaveLength(3);
    expect(deletions.length).toBeGreaterThan(0);
    expect(deletions.every((d) => d.label === 'chainsaw' && /quota/.test(d.reason))).toBe(true);
    for (const c of clips) {
      expect(existsSync(c.path)).toBe(c.deleted_at_ms === null);
      if (c.label === 'gunshot') expect(c.deleted_at_ms).toBeNull();
    }
    const kept = clips.filter((c) => c.deleted_at_ms === null).reduce((n, c) => n + c.bytes, 0);
    expect(kept).toBeLessThanOrEqual(0.45 * 1024 * 1024);
    // Oldest low-priority clips go first.
    expect(deletions[0].clip_id).toBe(clips.find((c) => c.label === 'chainsaw')?.id);
  }, 60_000);
});
