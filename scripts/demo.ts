/**
 * `npm start`: EcoSight on embedded defaults, on this machine only. An
 * in-process MQTT broker, the cloud service with folder storage and its
 * dashboard, and three stations 300 m apart, each reading the files its
 * simulated recorder writes in real time (the field simulator's shots, heard
 * at each station after distance / c), uploading through presigned URLs and
 * pulling model updates from the cloud. The cloud turns each shot into an
 * incident located on the dashboard's map. Everything lives under ./var/demo
 * (delete it to start from scratch).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadCloudConfig } from '#shared/config/cloud-config.js';
import { describeError } from '#shared/errors.js';
import { generateSigningKeyPair } from '#shared/manifest/keys.js';
import { createLogger } from '#shared/util/logger.js';
import { createCloud, type Cloud } from '../cloud/src/app.js';
import { DEMO_FILE_SEC, DEMO_STATIONS, DemoRecorders, type DemoStation } from './demo-field.js';
import { recorderFolder, startDemoStation } from './demo-stations.js';
import { EmbeddedBroker } from './embedded-broker.js';
import type { StationLifecycle } from '../station/src/system/lifecycle.js';

interface DemoSecrets {
  apiKey: string;
  signingKey: string;
  publicKey: string;
  /** Per station id (before the three-station demo: `stationToken`, demo-01's). */
  stationTokens?: Record<string, string>;
  stationToken?: string;
}

async function main(): Promise<void> {
  const root = resolve(process.env.ECOSIGHT_DEMO_DIR ?? 'var/demo');
  mkdirSync(root, { recursive: true });
  const secrets = loadSecrets(join(root, 'secrets.json'));
  const port = Number(process.env.PORT ?? 8000);
  const cloudUrl = `http://127.0.0.1:${port}`;
  const logLevel = process.env.LOG_LEVEL ?? 'info';

  const broker = new EmbeddedBroker();
  await broker.start(Number(process.env.ECOSIGHT_DEMO_MQTT_PORT ?? 0));

  const cloud = await startCloud(root, port, secrets, broker.url);

  const tokens = await registerStations(cloudUrl, secrets, DEMO_STATIONS);
  writeFileSync(join(root, 'secrets.json'), JSON.stringify({ ...secrets, stationToken: undefined, stationTokens: tokens }, null, 2), { mode: 0o600 });

  const recorders = new DemoRecorders({
    stations: DEMO_STATIONS, folderOf: (id) => recorderFolder(root, id), now: () => Date.now(),
    onError: (message) => process.stderr.write(`${message}\n`),
  });
  const stations: StationLifecycle[] = [];
  for (const s of DEMO_STATIONS) {
    stations.push(await startDemoStation(s, { root, brokerUrl: broker.url, cloudUrl, token: tokens[s.id], publicKey: secrets.publicKey, logLevel }));
  }
  const running = stations.map((s) => s.run());
  await recorders.start();
  process.stdout.write(banner(cloudUrl, secrets.apiKey, broker, root));

  // Clients before servers, in reverse start order: the recorders and stations, then the cloud
  // (which cuts connections still open after a short grace), then the broker. A second Ctrl-C exits at once.
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) process.exit(130);
    stopping = true;
    recorders.stop();
    await Promise.all(stations.map((s) => s.requestStop(signal)));
    await Promise.all(running);
    await cloud.stop();
    await broker.stop();
    process.stdout.write('EcoSight stopped.\n');
    process.exit(0);
  };
  onCtrlC(stop);
}

/** Runs `stop` on SIGINT and SIGTERM; exits 1 if stopping fails. */
function onCtrlC(stop: (signal: string) => Promise<void>): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    stop(signal).catch((err: unknown) => {
      process.stderr.write(`demo: error while stopping: ${String(err)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** The cloud on folder storage under `root`, listening on 127.0.0.1:`port`. */
async function startCloud(root: string, port: number, secrets: DemoSecrets, mqttUrl: string): Promise<Cloud> {
  const config = loadCloudConfig(process.env, {
    port, host: '127.0.0.1', dataDir: join(root, 'cloud'), storage: 'fs', apiKey: secrets.apiKey,
    modelSigningKey: secrets.signingKey, mqttUrl, publicUrl: `http://127.0.0.1:${port}`, jobRunner: 'inline', minNewSamples: 3,
    // The demo listens on 127.0.0.1 only, so its dashboard is readable without a key on this machine
    // (a deployed cloud is private by default: PUBLIC_DASHBOARD=false, docs/deploy-render.md).
    publicDashboard: true,
    // The demo's shots are 100-250 m from every station; a short settle time finalises incidents quickly.
    incidentSettleSec: 5,
  });
  const cloud = await createCloud({ config, logger: createLogger({ name: 'cloud', level: process.env.ECOSIGHT_DEMO_CLOUD_LOG ?? 'warn' }), role: 'serve', scanIntervalMs: 15_000 });
  await cloud.start();
  await cloud.app.listen({ port, host: '127.0.0.1' });
  return cloud;
}

function banner(cloudUrl: string, apiKey: string, broker: EmbeddedBroker, root: string): string {
  const ids = DEMO_STATIONS.map((s) => s.id).join(', ');
  return [
    '',
    'EcoSight is running on embedded defaults.',
    `  dashboard     ${cloudUrl}/          (API description: ${cloudUrl}/docs)`,
    `  admin API key ${apiKey}   (paste it into the dashboard to review, upload, retrain)`,
    `  MQTT broker   ${broker.url}          (e.g. mosquitto_sub -p ${broker.port} -t 'ecosight/#' -v)`,
    `  stations      ${ids}: 300 m apart on a triangle, each reading the ${DEMO_FILE_SEC} s files its simulated`,
    `                recorder (clock within 1 ms) writes to ${recorderFolder(root, '<id>')} in real time`,
    '  gunshots      window model\'s gunshot class (detection.gunshotDetector: window): the two-stage',
    '                detector misses the field simulator\'s modelled shots, even at 100-250 m',
    `  data          ${root}`,
    'Detections appear in the dashboard within a minute. Three modelled rifle shots a minute (at :04, :24',
    'and :44), 100-250 m from each station, become incidents located on its map.',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}

function loadSecrets(path: string): DemoSecrets {
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as DemoSecrets;
  const keys = generateSigningKeyPair();
  const secrets: DemoSecrets = { apiKey: randomBytes(18).toString('base64url'), signingKey: keys.privateKey, publicKey: keys.publicKey };
  writeFileSync(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** Registers each demo station once; later runs reuse the tokens. */
async function registerStations(cloudUrl: string, secrets: DemoSecrets, stations: readonly DemoStation[]): Promise<Record<string, string>> {
  const tokens: Record<string, string> = { ...(secrets.stationToken ? { 'demo-01': secrets.stationToken } : {}), ...secrets.stationTokens };
  for (const s of stations) {
    if (tokens[s.id]) continue;
    const res = await fetch(`${cloudUrl}/api/stations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': secrets.apiKey },
      body: JSON.stringify({ id: s.id, name: s.name }),
    });
    const body = (await res.json()) as { token?: string; message?: string };
    if (!res.ok || !body.token) throw new Error(`could not register demo station ${s.id}: HTTP ${res.status} ${body.message ?? ''}`);
    tokens[s.id] = body.token;
  }
  return tokens;
}

main().catch((err: unknown) => {
  process.stderr.write(`EcoSight demo failed: ${describeError(err)}\n`);
  process.exit(1);
});
