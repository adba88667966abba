/**
 * Counts what the code does for one batch of detections (issue 16, "ingest
 * without listing the bucket"): a real station (composeStation, the shipped
 * model, modelled gunfire) uploads through presigned URLs and publishes on a
 * local Mosquitto; the real cloud (createCloud, STORAGE=s3 on s3rver) ingests.
 * A counting proxy sits in front of s3rver (every S3 request, as S3 would bill
 * it) and another in front of the cloud (API calls). Run twice: once with
 * confirmations, once against an "old cloud" whose confirm route answers 404
 * (its listing scanner then finds the clips). ingest-cost.ts turns the counts
 * into requests per station per day.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { loadCloudConfig } from '#shared/config/cloud-config.js';
import { StationConfigSchema } from '#shared/config/station-config.js';
import { validateConfig } from '#shared/config/validate.js';
import { generateSigningKeyPair } from '#shared/manifest/keys.js';
import { createLogger } from '#shared/util/logger.js';
import { CountingProxy, s3KeyOf, s3RequestClass, type ProxiedRequest } from '#testkit/counting-proxy.js';
import { addModelledGunfire } from '#testkit/gunfire.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { TestS3 } from '#testkit/s3rver.js';
import { whiteNoise } from '#testkit/signals.js';
import { createCloud, type Cloud } from '../cloud/src/app.js';
import { systemClock } from '../station/src/core/clock.js';
import { composeStation } from '../station/src/main.js';

/** Counts for one station's batch, per design. */
export interface BatchCounts {
  /** Clips (with their sidecars) the station uploaded. */
  clips: number;
  /** S3 requests by class for the batch: the station's uploads, the cloud's event documents and its checks. */
  s3: Record<string, number>;
  /** Bytes the station PUT (clips and sidecars) and the cloud read back (GET bodies). */
  bytesUp: number;
  bytesDown: number;
  /** API calls the cloud answered (below 400), by route (presign, confirm). */
  api: Record<string, number>;
  /** MQTT messages the station published per detection, by topic kind (events, alerts). */
  mqtt: Record<string, number>;
  /** MQTT messages per connection (retained status: online, then offline). Telemetry is per time, counted from its interval. */
  mqttPerConnection: number;
  /** Detections indexed with their clip before any listing ran. */
  indexedWithoutListing: number;
  /** LIST requests of one quiet reconciliation run for this station (nothing new to find). */
  listsPerRun: number;
}

export interface IngestMeasurement {
  confirm: BatchCounts;
  listing: BatchCounts;
  /** The station's telemetry interval (its config default), s. */
  telemetryIntervalSec: number;
  codec: string;
}

const PREFIX = 'ecosight';
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';

interface Rig {
  broker: TestMosquitto;
  s3: TestS3;
  s3Proxy: CountingProxy;
  apiProxy: CountingProxy;
  cloud: Cloud;
  dir: string;
  mqtt: Map<string, Record<string, number>>;
  stop(): Promise<void>;
}

export async function measureIngest(modelDir: string, bursts = 12): Promise<IngestMeasurement> {
  const rig = await startRig(modelDir);
  try {
    const wav = gunfireRecording(rig.dir, bursts);
    const confirm = await runBatch(rig, 'cost-confirm', wav, modelDir, false);
    const listing = await runBatch(rig, 'cost-listing', wav, modelDir, true);
    const defaults = validateConfig(StationConfigSchema, {}, 'defaults');
    return { confirm, listing, telemetryIntervalSec: defaults.mqtt.telemetryIntervalSec, codec: defaults.clips.codec };
  } finally {
    await rig.stop();
  }
}

async function startRig(modelDir: string): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'ecosight-bench-ingest-'));
  const broker = new TestMosquitto();
  const s3 = new TestS3('ingest-cost');
  await broker.start();
  await s3.start();
  const s3Proxy = new CountingProxy(s3.endpoint);
  await s3Proxy.start();
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
  const config = loadCloudConfig({
    STORAGE: 's3', S3_BUCKET: s3.bucket, S3_ENDPOINT: s3Proxy.url, S3_FORCE_PATH_STYLE: 'true', API_KEY: ADMIN_KEY, MQTT_URL: broker.url, MQTT_PREFIX: PREFIX,
    MODEL_SIGNING_KEY: generateSigningKeyPair().privateKey, PORT: '0', HOST: '127.0.0.1', DATA_DIR: join(dir, 'cloud'), LOG_LEVEL: 'warn', UPLOADS_PER_MINUTE: '100000',
  });
  // No reconciliation timer: the bench runs it by hand, once per design.
  const cloud = await createCloud({ config, logger: createLogger({ name: 'bench-cloud', level: 'warn' }), shippedModelDir: modelDir, scanIntervalMs: 0 });
  await cloud.start();
  const base = await cloud.app.listen({ port: 0, host: '127.0.0.1' });
  const apiProxy = new CountingProxy(base);
  await apiProxy.start();
  const mqtt = new Map<string, Record<string, number>>();
  const subscriber = connect(broker.url);
  await new Promise<void>((resolve) => subscriber.on('connect', () => subscriber.subscribe(`${PREFIX}/+/+`, { qos: 1 }, () => resolve())));
  subscriber.on('message', (topic) => {
    const [, station, kind] = topic.split('/');
    const counts = mqtt.get(station) ?? {};
    counts[kind] = (counts[kind] ?? 0) + 1;
    mqtt.set(station, counts);
  });
  return {
    broker, s3, s3Proxy, apiProxy, cloud, dir, mqtt,
    async stop() {
      await subscriber.endAsync();
      await apiProxy.stop();
      await cloud.stop();
      await s3Proxy.stop();
      await s3.stop();
      await broker.stop();
    },
  };
}

/** Bursts of modelled automatic fire 120 m away over a quiet floor, 6 s apart. */
function gunfireRecording(dir: string, bursts: number): string {
  const spacingSec = 6;
  const audio = whiteNoise(bursts * spacingSec + 2, 0.001, 5);
  for (let i = 0; i < bursts; i++) {
    addModelledGunfire(audio, Math.round((1 + i * spacingSec) * SAMPLE_RATE_HZ), `cost-burst-${i}`, { distanceM: 120, pattern: 'automatic', shotCount: 4, t60Sec: 1 }, 1.2);
  }
  const path = join(dir, 'gunfire.wav');
  writeFileSync(path, encodeWav16(audio, SAMPLE_RATE_HZ));
  return path;
}

/** One station's batch; `oldCloud`: its confirmations get 404 and the listing scanner ingests. */
async function runBatch(rig: Rig, stationId: string, wav: string, modelDir: string, oldCloud: boolean): Promise<BatchCounts> {
  const reg = await rig.cloud.app.inject({ method: 'POST', url: '/api/stations', headers: { 'x-api-key': ADMIN_KEY }, payload: { id: stationId } });
  const token = (reg.json() as { token: string }).token;
  rig.s3Proxy.reset();
  rig.apiProxy.reset();
  rig.apiProxy.override = oldCloud ? (method, path) => (path.endsWith('/uploads/confirm') ? { status: 404, body: '{"statusCode":404}' } : undefined) : undefined;
  const config = validateConfig(StationConfigSchema, {
    stationId, dataDir: join(rig.dir, stationId), source: { type: 'file', path: wav, realtime: false },
    model: { dir: modelDir }, mqtt: { url: rig.broker.url, prefix: PREFIX }, upload: { presignUrl: rig.apiProxy.url, token, retryMinSec: 0.2, retryMaxSec: 1 },
  }, 'bench');
  const station = await composeStation(config, { exitWhenIdle: true, idleTimeoutMs: 60_000, env: {}, clock: systemClock, logger: createLogger({ name: 'bench-station', level: 'warn' }) });
  await station.run();
  await new Promise((r) => setTimeout(r, 500)); // the last MQTT messages reach the cloud and the counter
  const indexed = await indexedWithClip(rig, stationId);
  const mqtt = rig.mqtt.get(stationId) ?? {};
  if (oldCloud) await rig.cloud.services.scanner.scan(); // the old design's scanner finds them (its first run after the uploads)
  const own = (r: ProxiedRequest) => s3KeyOf(r).startsWith(`stations/${stationId}/`) || s3KeyOf(r).startsWith(`events/${stationId}/`) || (r.query.get('prefix') ?? '').startsWith(`stations/${stationId}/`);
  const s3 = rig.s3Proxy.requests.filter(own);
  const counts: BatchCounts = {
    clips: s3.filter((r) => r.method === 'PUT' && /^stations\/.+\.json$/.test(s3KeyOf(r)) && r.status < 300).length,
    s3: tally(s3.map((r) => `${s3RequestClass(r)} ${s3KeyOf(r).startsWith('events/') ? 'events/' : 'stations/'}`)),
    bytesUp: sum(s3.filter((r) => r.method === 'PUT' && s3KeyOf(r).startsWith('stations/')).map((r) => r.bytesIn)),
    bytesDown: sum(s3.filter((r) => s3RequestClass(r) === 'GET').map((r) => r.bytesOut)),
    api: tally(rig.apiProxy.requests.filter((r) => r.status < 400).map((r) => (r.path.endsWith('/presign') ? 'presign' : r.path.endsWith('/uploads/confirm') ? 'confirm' : r.path))),
    mqtt: Object.fromEntries(Object.entries(mqtt).filter(([kind]) => kind !== 'telemetry' && kind !== 'status')),
    mqttPerConnection: mqtt.status ?? 0,
    indexedWithoutListing: indexed,
    listsPerRun: 0,
  };
  rig.s3Proxy.reset();
  await rig.cloud.services.scanner.scan();
  counts.listsPerRun = rig.s3Proxy.requests.filter((r) => s3RequestClass(r) === 'LIST' && own(r)).length;
  return counts;
}

async function indexedWithClip(rig: Rig, stationId: string): Promise<number> {
  const res = await rig.cloud.app.inject({ method: 'GET', url: `/api/detections?station=${stationId}&limit=500`, headers: { 'x-api-key': ADMIN_KEY } });
  return ((res.json() as { items: Array<{ clipAvailable: boolean }> }).items ?? []).filter((d) => d.clipAvailable).length;
}

function tally(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
