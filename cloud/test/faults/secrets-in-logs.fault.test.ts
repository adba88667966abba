import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import type { AlertPayload, EventPayload, StatusPayload, TelemetryPayload } from '#shared/mqtt/payloads.js';
import { sidecarKeyFor } from '#shared/bucket/layout.js';
import { stationTopics } from '#shared/mqtt/topics.js';
import { recordScenario } from '#testkit/fault-report.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { waitFor } from '#testkit/ports.js';
import { TestS3 } from '#testkit/s3rver.js';
import { sharedTrainer } from '../../src/jobs/retrain/train-adapter.js';
import { loudWav, quietWav } from '../support/audio.js';
import { formBody } from '../support/multipart.js';
import { openEventStream } from '../support/sse.js';
import { ADMIN_KEY, QUICK_TRAINING, startTestCloud, type TestCloud } from '../support/test-cloud.js';
import { writeTrainableBaseDir } from '../support/tiny-model.js';
import { makeClip, registerStations } from '#testkit/station-load.js';

const admin = { 'x-api-key': ADMIN_KEY };
const PREFIX = 'ecosecret';

/** The forms a secret could take in a log line. */
function secretForms(name: string, value: string): Array<[string, string]> {
  return [[name, value], [`${name} (first 24 characters)`, value.slice(0, 24)]];
}

/** The Ed25519 private key as configured (base64 PKCS#8) and its raw 32-byte seed in hex and base64. */
function signingKeyForms(pkcs8Base64: string): Array<[string, string]> {
  const seed = Buffer.from(pkcs8Base64, 'base64').subarray(-32);
  return [...secretForms('signing key', pkcs8Base64), ['signing key seed (hex)', seed.toString('hex')], ['signing key seed (base64)', seed.toString('base64')]];
}

interface Run {
  secrets: Array<[string, string]>;
  requests: number;
}

async function call(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, init);
  await res.arrayBuffer();
  return res;
}

/**
 * The S3 + MQTT deployment: stations register, talk MQTT with passwords,
 * presign and PUT clips to the bucket; uploads, scan, review, retrain, signed
 * publish, model download with a station token; and a handful of refused
 * requests (wrong keys and tokens) whose error paths log too.
 */
async function s3Flow(base: string, brokerUrl: (user: string) => string): Promise<Run> {
  const secrets: Array<[string, string]> = [];
  let requests = 0;
  const stations = await registerStations(base, ADMIN_KEY, 2, 'st');
  requests += stations.length;
  stations.forEach((s) => secrets.push(...secretForms(`token of ${s.id}`, s.token)));
  const now = Date.now();
  for (const [i, station] of stations.entries()) {
    const client = await mqtt.connectAsync(brokerUrl(station.id), { clientId: `secret-${station.id}` });
    const topics = stationTopics(PREFIX, station.id);
    const eventId = `ev-secret-${i}`;
    const { clipKey, wav, sidecar } = makeClip(station.id, eventId, i === 0 ? quietWav(1.5, 40) : loudWav(1.5, 41), i, now);
    const start = new Date(now).toISOString();
    const status: StatusPayload = { v: 1, stationId: station.id, state: 'online', time: start, softwareVersion: '0.1.0', modelVersion: '2026.01.01-1' };
    const telemetry = { v: 1, stationId: station.id, time: start, queueDepth: 0, pendingUploads: 1, pendingAlerts: 0, diskFreeBytes: 1e9, clipBytes: 1e5, uptimeSec: 60 } as unknown as TelemetryPayload;
    const event = (type: EventPayload['type']): EventPayload => ({
      v: 1, type, stationId: station.id, eventId, label: 'gunshot', confidence: 0.9, startTime: start, peakTime: start, windowCount: 2,
      clipKey, modelVersion: '2026.01.01-1', source: 'mic', alert: true, delayed: false, ...(type === 'end' ? { endTime: start } : {}),
    });
    const alert: AlertPayload = {
      v: 1, alertId: `al-${i}`, stationId: station.id, label: 'gunshot', confidence: 0.9, startTime: start, shotCount: 1, delayed: false, clipKey,
      modelVersion: '2026.01.01-1', eventId, raisedAt: start, sentAt: start, windowEndTime: start,
    };
    for (const [topic, payload] of [[topics.status, status], [topics.telemetry, telemetry], [topics.event, event('start')], [topics.alert, alert], [topics.event, event('end')]] as const) {
      await client.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
    }
    await client.endAsync();
    const presign = await fetch(`${base}/api/stations/${station.id}/presign`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${station.token}` },
      body: JSON.stringify({ objects: [{ key: clipKey, bytes: wav.byteLength }, { key: sidecarKeyFor(clipKey), bytes: Buffer.byteLength(sidecar) }] }),
    });
    requests++;
    expect(presign.status).toBe(200);
    const { urls } = (await presign.json()) as { urls: Array<{ key: string; url: string; headers: Record<string, string> }> };
    for (const u of urls) {
      secrets.push([`X-Amz-Signature of ${u.key}`, new URL(u.url).searchParams.get('X-Amz-Signature') ?? 'missing']);
      expect((await call(u.url, { method: 'PUT', headers: u.headers, body: u.key.endsWith('.wav') ? wav : sidecar })).status).toBe(200);
      requests++;
    }
  }
  // Refused requests: their error paths log too.
  const refused: Array<[string, RequestInit]> = [
    [`/api/stations/${stations[0].id}/presign`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-station-token': stations[1].token }, body: '{"keys":["x"]}' }],
    [`/api/stations/${stations[0].id}/presign`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${stations[0].token}x` }, body: '{"keys":["x"]}' }],
    ['/api/scan', { method: 'POST', headers: { 'x-api-key': `${ADMIN_KEY}-wrong` } }],
    [`/api/scan?api_key=${ADMIN_KEY}`, { method: 'POST' }],
    [`/api/stations?token=${stations[0].token}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-station-token': stations[0].token }, body: '{"id":"st-x"}' }],
  ];
  for (const [path, init] of refused) {
    const res = await call(`${base}${path}`, init);
    requests++;
    expect(res.status, path).toBeGreaterThanOrEqual(400);
  }
  // The clips become detections, get reviewed, and join uploads as training data.
  expect((await call(`${base}/api/scan`, { method: 'POST', headers: admin })).status).toBe(200);
  for (const [i, label] of ['background', 'gunshot'].entries()) {
    await waitFor(async () => ((await fetch(`${base}/api/detections/ev-secret-${i}`)).status === 200) || undefined, 10_000, 'detection');
    const review = await call(`${base}/api/detections/ev-secret-${i}`, { method: 'PATCH', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify({ label }) });
    expect(review.status).toBe(200);
    expect((await call(`${base}/api/detections/ev-secret-${i}/spectrogram.png`)).status).toBe(200);
    requests += 3;
  }
  for (let i = 0; i < 4; i++) {
    for (const [cls, wav] of [['gunshot', loudWav(1.5, 50 + i)], ['background', quietWav(1.5, 60 + i)]] as const) {
      const { body, contentType } = formBody([{ name: 'class', value: cls }, { name: 'file', filename: `${cls}-${i}.wav`, content: wav }]);
      const res = await call(`${base}/upload`, { method: 'POST', headers: { [i % 2 ? 'api_key' : 'x-api-key']: ADMIN_KEY, 'content-type': contentType }, body });
      expect(res.status).toBe(200);
      requests++;
    }
  }
  const { body, contentType } = formBody([{ name: 'file', filename: 'p.wav', content: loudWav(2, 70) }]);
  expect((await call(`${base}/predict`, { method: 'POST', headers: { 'content-type': contentType }, body })).status).toBe(200);
  // Retrain, follow it live, publish a signed release, and download it as a station.
  const retrain = await fetch(`${base}/retrain`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: '{}' });
  expect(retrain.status).toBe(202);
  const jobId = ((await retrain.json()) as { job_id: string }).job_id;
  const stream = openEventStream(`${base}/api/jobs/${jobId}/events`);
  await stream.ended;
  const job = (await (await fetch(`${base}/api/jobs/${jobId}`)).json()) as { state: string; result: { outcome: string; version: string } | null };
  expect(job.state).toBe('succeeded');
  expect(job.result?.outcome).toBe('published');
  const latest = (await (await fetch(`${base}/api/models/latest`, { headers: { 'x-station-token': stations[0].token } })).json()) as { version: string; manifestUrl: string };
  for (const file of ['manifest.json', 'model.json', 'weights.bin']) {
    expect((await call(`${base}/api/models/${latest.version}/${file}`, { headers: { authorization: `Bearer ${stations[1].token}` } })).status).toBe(200);
  }
  requests += 14;
  return { secrets, requests };
}

/** STORAGE=fs: presigned URLs are the service's own, with an HMAC `sig`; good, tampered, expired and wrong-method uses. */
async function fsFlow(cloud: TestCloud, base: string): Promise<Run> {
  const secrets: Array<[string, string]> = [];
  let requests = 0;
  const [station] = await registerStations(base, ADMIN_KEY, 1, 'st-fs');
  secrets.push(...secretForms('token of st-fs-0', station.token));
  const hmacSecret = readFileSync(join(cloud.config.dataDir, 'presign-secret'), 'utf8').trim();
  secrets.push(['fs URL signing secret', hmacSecret]);
  const { clipKey, wav, sidecar } = makeClip(station.id, 'ev-fs', loudWav(1, 3), 0, Date.now());
  const presign = await fetch(`${base}/api/stations/${station.id}/presign`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-station-token': station.token }, body: JSON.stringify({ keys: [clipKey, sidecarKeyFor(clipKey)] }),
  });
  const { urls } = (await presign.json()) as { urls: Array<{ key: string; url: string; headers: Record<string, string> }> };
  for (const u of urls) {
    const sig = new URL(u.url).searchParams.get('sig') ?? 'missing';
    secrets.push([`sig of ${u.key}`, sig]);
    const body = u.key.endsWith('.wav') ? wav : sidecar;
    for (const [method, url, headers] of [
      ['PUT', u.url, u.headers], ['PUT', u.url.replace('sig=', 'sig=0'), u.headers], ['PUT', u.url, { 'content-type': 'text/plain' }],
      ['GET', u.url, {}], ['POST', u.url, u.headers], ['PUT', u.url.replace(/expires=\d+/, 'expires=1'), u.headers],
    ] as const) {
      await call(url, { method, headers, body: method === 'GET' ? undefined : body });
      requests++;
    }
  }
  return { secrets, requests: requests + 2 };
}

describe('secrets never reach the logs', () => {
  const s3 = new TestS3('secrets-test');
  const mqttPasswords: Record<string, string> = { cloud: `mqtt-${randomBytes(12).toString('hex')}`, 'st-0': `mqtt-${randomBytes(12).toString('hex')}`, 'st-1': `mqtt-${randomBytes(12).toString('hex')}` };
  const broker = new TestMosquitto({ users: mqttPasswords });
  const awsSecret = `aws-secret-${randomBytes(16).toString('hex')}`;
  const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  const clouds: TestCloud[] = [];
  afterAll(async () => {
    for (const c of clouds) await c.stop();
    await broker.stop();
    await s3.stop();
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: savedEnv.id ?? '', AWS_SECRET_ACCESS_KEY: savedEnv.secret ?? '' });
  });

  it('a full run at LOG_LEVEL=trace (S3, MQTT with passwords, stations, uploads, review, retrain, signed publish; fs presigned URLs) logs no key material', async () => {
    await s3.start();
    await broker.start();
    // s3rver does not check SigV4 signatures, so any secret works with its access key id.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: awsSecret });
    const brokerUrl = (user: string) => `mqtt://${user}:${mqttPasswords[user]}@127.0.0.1:${broker.port}`;
    const cloud = await startTestCloud(
      { STORAGE: 's3', ...s3.env, AWS_SECRET_ACCESS_KEY: awsSecret, MQTT_URL: brokerUrl('cloud'), MQTT_PREFIX: PREFIX, LOG_LEVEL: 'trace', MIN_NEW_SAMPLES: '5', UPLOADS_PER_MINUTE: '1000' },
      { trainer: sharedTrainer({ ...QUICK_TRAINING }), shippedModelDir: await writeTrainableBaseDir() },
    );
    clouds.push(cloud);
    const base = await cloud.app.listen({ port: 0, host: '127.0.0.1' });
    await waitFor(() => cloud.services.ingestLink?.subscribed || undefined, 10_000, 'cloud MQTT connection');
    const s3Run = await s3Flow(base, brokerUrl);

    const fsCloud = await startTestCloud({ LOG_LEVEL: 'trace' });
    clouds.push(fsCloud);
    const fsBase = await fsCloud.app.listen({ port: 0, host: '127.0.0.1' });
    const fsRun = await fsFlow(fsCloud, fsBase);

    const secrets: Array<[string, string]> = [
      ...secretForms('admin key', ADMIN_KEY), ...signingKeyForms(cloud.config.modelSigningKey), ...signingKeyForms(fsCloud.config.modelSigningKey),
      ...secretForms('AWS secret', awsSecret), ...Object.entries(mqttPasswords).map(([u, p]) => [`MQTT password of ${u}`, p] as [string, string]),
      ...s3Run.secrets, ...fsRun.secrets,
    ];
    const patterns: Array<[string, RegExp]> = [['a presigned S3 signature', /X-Amz-Signature=/i], ['an fs URL signature', /sig=[0-9a-f]{16}/], ['credentials in a URL', /\/\/[^/\s"]+:[^/\s"@]+@/]];
    const logs = [...cloud.logs, ...fsCloud.logs];
    const leaks: string[] = [];
    for (const line of logs) {
      for (const [name, value] of secrets) if (line.includes(value)) leaks.push(`${name} in: ${line.slice(0, 300)}`);
      for (const [name, re] of patterns) if (re.test(line)) leaks.push(`${name} in: ${line.slice(0, 300)}`);
    }
    recordScenario({
      scenario: 'secrets never logged (full run, trace)', iterations: s3Run.requests + fsRun.requests, faultsInjected: 0,
      itemsChecked: logs.length * (secrets.length + patterns.length), itemsLost: leaks.length, note: `${logs.length} log lines, ${secrets.length} secrets`,
    });
    // The run really was logged at trace level (so an empty leak list means something).
    expect(logs.length).toBeGreaterThan(50);
    expect(logs.some((l) => l.includes('"level":"trace"'))).toBe(true);
    // Requests that carried credentials were logged, with the values replaced.
    expect(logs.some((l) => l.includes('api_key=[redacted]'))).toBe(true);
    expect(logs.some((l) => l.includes('"busboyOptions"') && l.includes('"x-api-key":"[redacted]"'))).toBe(true);
    expect([...new Set(leaks)].slice(0, 40)).toEqual([]);
  }, 180_000);
});
