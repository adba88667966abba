/**
 * `npm start`: EcoSight on embedded defaults, on this machine only. An
 * in-process MQTT broker, the cloud service with folder storage and its
 * dashboard, and one station replaying a bundled recording in real time,
 * uploading through presigned URLs and pulling model updates from the cloud.
 * Everything lives under ./var/demo (delete it to start from scratch).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadCloudConfig } from '#shared/config/cloud-config.js';
import { StationConfigSchema } from '#shared/config/station-config.js';
import { validateConfig } from '#shared/config/validate.js';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { describeError } from '#shared/errors.js';
import { generateSigningKeyPair } from '#shared/manifest/keys.js';
import { createLogger } from '#shared/util/logger.js';
import { createCloud } from '../cloud/src/app.js';
import { composeStation } from '../station/src/main.js';
import { systemClock } from '../station/src/core/clock.js';
import { demoRecording } from './demo-audio.js';
import { EmbeddedBroker } from './embedded-broker.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';

interface DemoSecrets {
  apiKey: string;
  signingKey: string;
  publicKey: string;
  stationToken?: string;
}

const STATION_ID = 'demo-01';

async function main(): Promise<void> {
  const root = resolve(process.env.ECOSIGHT_DEMO_DIR ?? 'var/demo');
  mkdirSync(root, { recursive: true });
  const secrets = loadSecrets(join(root, 'secrets.json'));
  const port = Number(process.env.PORT ?? 8000);
  const cloudUrl = `http://127.0.0.1:${port}`;
  const logLevel = process.env.LOG_LEVEL ?? 'info';

  const broker = new EmbeddedBroker();
  await broker.start(Number(process.env.ECOSIGHT_DEMO_MQTT_PORT ?? 0));

  const cloudConfig = loadCloudConfig(process.env, {
    port, host: '127.0.0.1', dataDir: join(root, 'cloud'), storage: 'fs', apiKey: secrets.apiKey,
    modelSigningKey: secrets.signingKey, mqttUrl: broker.url, publicUrl: cloudUrl, jobRunner: 'inline', minNewSamples: 3,
    // The demo listens on 127.0.0.1 only, so its dashboard is readable without a key on this machine
    // (a deployed cloud is private by default: PUBLIC_DASHBOARD=false, docs/deploy-render.md).
    publicDashboard: true,
  });
  const cloud = await createCloud({ config: cloudConfig, logger: createLogger({ name: 'cloud', level: process.env.ECOSIGHT_DEMO_CLOUD_LOG ?? 'warn' }), role: 'serve', scanIntervalMs: 15_000 });
  await cloud.start();
  await cloud.app.listen({ port, host: '127.0.0.1' });

  secrets.stationToken = await registerStation(cloudUrl, secrets);
  writeFileSync(join(root, 'secrets.json'), JSON.stringify(secrets, null, 2), { mode: 0o600 });

  const wav = join(root, 'station', 'demo-recording.wav');
  if (!existsSync(wav)) {
    mkdirSync(join(root, 'station'), { recursive: true });
    writeFileSync(wav, encodeWav16(demoRecording(), SAMPLE_RATE_HZ));
  }
  const stationConfig = validateConfig(StationConfigSchema, {
    stationId: STATION_ID, dataDir: join(root, 'station'), logLevel,
    source: { type: 'file', path: wav, realtime: true, loop: true },
    mqtt: { url: broker.url, telemetryIntervalSec: 10 },
    upload: { presignUrl: cloudUrl, token: secrets.stationToken, retryMinSec: 1, retryMaxSec: 30 },
    ota: { url: cloudUrl, publicKey: secrets.publicKey, pollIntervalSec: 60 },
    clips: { quotaMb: 200 },
  }, 'demo station');
  const station = await composeStation(stationConfig, {
    exitWhenIdle: false, idleTimeoutMs: 0, env: process.env, clock: systemClock,
    logger: createLogger({ name: 'station', level: logLevel }),
  });
  const running = station.run();

  process.stdout.write([
    '',
    'EcoSight is running on embedded defaults.',
    `  dashboard     ${cloudUrl}/          (API description: ${cloudUrl}/docs)`,
    `  admin API key ${secrets.apiKey}   (paste it into the dashboard to review, upload, retrain)`,
    `  MQTT broker   ${broker.url}          (e.g. mosquitto_sub -p ${broker.port} -t 'ecosight/#' -v)`,
    `  station       ${STATION_ID}, replaying ${wav} in real time (loops every minute)`,
    `  data          ${root}`,
    'Detections appear in the dashboard as the recording plays. Ctrl-C stops everything.',
    '',
  ].join('\n'));

  // Clients before servers, in reverse start order: the station, then the cloud (which cuts
  // connections still open after a short grace), then the broker. A second Ctrl-C exits at once.
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) process.exit(130);
    stopping = true;
    await station.requestStop(signal);
    await running;
    await cloud.stop();
    await broker.stop();
    process.stdout.write('EcoSight stopped.\n');
    process.exit(0);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    stop(signal).catch((err: unknown) => {
      process.stderr.write(`demo: error while stopping: ${String(err)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function loadSecrets(path: string): DemoSecrets {
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as DemoSecrets;
  const keys = generateSigningKeyPair();
  const secrets: DemoSecrets = { apiKey: randomBytes(18).toString('base64url'), signingKey: keys.privateKey, publicKey: keys.publicKey };
  writeFileSync(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** Registers the demo station once; later runs reuse its token. */
async function registerStation(cloudUrl: string, secrets: DemoSecrets): Promise<string> {
  if (secrets.stationToken) return secrets.stationToken;
  const res = await fetch(`${cloudUrl}/api/stations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': secrets.apiKey },
    body: JSON.stringify({ id: STATION_ID, name: 'Demo station (bundled recording)' }),
  });
  const body = (await res.json()) as { token?: string; message?: string };
  if (!res.ok || !body.token) throw new Error(`could not register the demo station: HTTP ${res.status} ${body.message ?? ''}`);
  return body.token;
}

main().catch((err: unknown) => {
  process.stderr.write(`EcoSight demo failed: ${describeError(err)}\n`);
  process.exit(1);
});
