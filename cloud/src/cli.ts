#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCloudConfig, CLOUD_ENV, type CloudConfig } from '#shared/config/cloud-config.js';
import { ConfigError, describeError } from '#shared/errors.js';
import { generateSigningKeyPair } from '#shared/manifest/keys.js';
import { createLogger, type Logger } from '#shared/util/logger.js';
import { createCloud, createStorage, rebuildIndexTarget, reindexFromStorage } from './app.js';
import type { JobStatus } from './jobs/job-status.js';
import { runCloud } from './server.js';
import { mqttAcl, stationToken } from './commands/station-commands.js';
import { keepRunningOnUnexpectedRejection } from '#shared/util/background.js';

const USAGE: Record<string, string> = {
  main: `ecosight-cloud <command> [options]

Commands:
  serve      run the API and dashboard (PORT, default 8000)
  worker     run queued retrain jobs from storage (JOB_RUNNER=worker)
  retrain    run one retrain job here, with a progress bar
  reindex    rebuild the index (SQLite, or PostgreSQL with DATABASE_URL) from storage alone
  keygen     print a new Ed25519 key pair for model signing
  station-token rotate|revoke <id>   replace or revoke a station's token
  mqtt-acl   write Mosquitto password and ACL files (each station: its own topics)

Configuration is by environment variable: ${Object.keys(CLOUD_ENV).join(', ')}.
Run 'ecosight-cloud <command> --help' for a command's options.`,
  serve: `ecosight-cloud serve

Runs the API, the dashboard (/) and the API description (/docs) on HOST:PORT.
With JOB_RUNNER=inline (default) it also runs retrain jobs and signs releases
(MODEL_SIGNING_KEY); with worker, an 'ecosight-cloud worker' process runs them
and alone holds MODEL_SIGNING_KEY: the API refuses to start with it set.
Stations confirm their uploads, which indexes them at once; every
RECONCILE_INTERVAL_SEC (default 86400) the API also lists each station's recent
clip folders for uploads no confirmation announced (POST /api/scan: now).`,
  worker: `ecosight-cloud worker

Claims queued retrain jobs from storage (jobs/<id>/request.json) and runs them
one at a time, writing progress to jobs/<id>/status.json. Needs the same
STORAGE/S3_* settings as the API, and MODEL_SIGNING_KEY, which only the worker
holds: it signs and publishes every release (also the shipped model, when the
bucket holds none).`,
  retrain: `ecosight-cloud retrain [--min-samples N] [--mode head|full] [--seed N]

Runs one retrain job in this process (same job as POST /retrain) and shows its
progress. Refused when another job is queued or running, or when fewer than
N (default MIN_NEW_SAMPLES) new labelled samples exist. --seed seeds the split
and the training (default: a new draw per job, from its id): the same seed on
the same data gives the same candidate.`,
  reindex: `ecosight-cloud reindex

Rebuilds the index from storage alone (uploads, station clips and sidecars,
labels, jobs, model releases): DATA_DIR/index.sqlite, or with DATABASE_URL the
PostgreSQL schema 'ecosight'. The new index is built beside the live one and
swapped in at once. With SQLite, restart the service afterwards: it keeps using
the old file until then. With PostgreSQL, running instances see the new index
from their next query on.`,
  'station-token': `ecosight-cloud station-token rotate <id> | revoke <id>

rotate: prints a new token for the station (once) and refuses the old one at
once: presigning, model downloads and MQTT ingestion. The station needs the new
token in upload.token and as its MQTT password. Also re-enables a revoked station.
revoke: no token works for the station any more; its data stays.
Same as POST / DELETE /api/stations/<id>/token. Regenerate the broker files
afterwards (ecosight-cloud mqtt-acl) and reload Mosquitto (SIGHUP).`,
  'mqtt-acl': `ecosight-cloud mqtt-acl --out DIR

Writes DIR/passwd (password_file) and DIR/acl (acl_file) for Mosquitto 2:
each registered station logs in as its id with its station token and may
publish only <prefix>/<id>/{status,event,alert,telemetry} (and its Home
Assistant discovery configs) and read <prefix>/models/latest; the cloud (the
user and password in MQTT_URL) reads every station topic and publishes the
model announcement. Anything else is denied. Revoked stations are left out.`,
  keygen: `ecosight-cloud keygen

Prints a new Ed25519 key pair:
  MODEL_SIGNING_KEY  base64 PKCS#8 private key (the worker's secret; with
                     JOB_RUNNER=inline the one cloud process holds it)
  public key         base64 SPKI (goes into each station's ota.publicKey)`,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE.main}\n`);
    return command ? 0 : 2;
  }
  if (!(command in USAGE) || command === 'main') {
    process.stderr.write(`unknown command "${command}"\n\n${USAGE.main}\n`);
    return 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    options: { help: { type: 'boolean', short: 'h' }, 'min-samples': { type: 'string' }, mode: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } },
    strict: true,
    allowPositionals: command === 'station-token',
  });
  if (values.help) {
    process.stdout.write(`${USAGE[command]}\n`);
    return 0;
  }
  if (command === 'keygen') {
    const { privateKey, publicKey } = generateSigningKeyPair();
    process.stdout.write(`MODEL_SIGNING_KEY=${privateKey}\nMODEL_PUBLIC_KEY=${publicKey}\n`);
    process.stderr.write('Keep MODEL_SIGNING_KEY secret (the worker only, or the single cloud process with JOB_RUNNER=inline); give the public key to stations (ota.publicKey).\n');
    return 0;
  }
  const config = loadCloudConfig();
  const logger = createLogger({ name: 'cloud', level: config.logLevel });
  switch (command) {
    case 'serve':
    case 'worker':
      keepRunningOnUnexpectedRejection(logger);
      await runCloud(config, logger, command);
      return -1; // keep running until a signal
    case 'retrain':
      return retrain(config, logger, values['min-samples'], values.mode, values.seed);
    case 'reindex':
      return reindex(config, logger);
    case 'station-token': {
      const [action, id] = positionals;
      if ((action !== 'rotate' && action !== 'revoke') || !id || positionals.length !== 2) throw new UsageError(USAGE['station-token']);
      process.stdout.write(await stationToken(config, action, id));
      return 0;
    }
    case 'mqtt-acl':
      if (!values.out) throw new UsageError('--out DIR is required');
      process.stdout.write(await mqttAcl(config, values.out));
      return 0;
  }
  return 2;
}

async function retrain(config: CloudConfig, logger: Logger, minSamples: string | undefined, mode: string | undefined, seed: string | undefined): Promise<number> {
  if (minSamples !== undefined && !/^\d+$/.test(minSamples)) throw new UsageError('--min-samples must be a whole number');
  if (seed !== undefined && !(/^\d{1,10}$/.test(seed) && Number(seed) <= 2147483647)) throw new UsageError('--seed must be a whole number from 0 to 2147483647');
  if (mode !== undefined && mode !== 'head' && mode !== 'full') throw new UsageError('--mode must be head or full');
  const bar = progressBar();
  const cloud = await createCloud({ config, logger, role: 'cli', jobEcho: bar });
  try {
    await cloud.start();
    const job = await cloud.services.retrain.start({
      minSamples: minSamples === undefined ? config.minNewSamples : Number(minSamples), mode: mode ?? 'head', ...(seed !== undefined ? { seed: Number(seed) } : {}),
    });
    await cloud.services.runner.idle();
    const final = await cloud.services.jobStore.read(job.id);
    bar.done();
    if (final?.state === 'succeeded' && final.result) {
      process.stdout.write(`${final.result.outcome}: model ${final.result.version} (job ${job.id})\n`);
      return 0;
    }
    process.stderr.write(`retrain failed: ${final?.error ?? 'unknown error'} (job ${job.id})\n`);
    return 1;
  } finally {
    await cloud.stop();
  }
}

async function reindex(config: CloudConfig, logger: Logger): Promise<number> {
  const { storage } = await createStorage(config);
  const target = await rebuildIndexTarget(config);
  try {
    const counts = await reindexFromStorage(storage, target.repos, logger);
    const where = await target.commit();
    process.stdout.write(`index rebuilt at ${where}: ${JSON.stringify(counts)}\n`);
    return 0;
  } catch (err) {
    await target.discard();
    throw err;
  }
}

/** One line redrawn in place on a terminal; plain log lines otherwise. */
function progressBar(): ((line: string, status: JobStatus) => void) & { done(): void } {
  const tty = process.stderr.isTTY === true;
  let drawn = false;
  const fn = (line: string, status: JobStatus) => {
    const pct = Math.round(status.percent);
    if (!tty) {
      process.stderr.write(`[${String(pct).padStart(3)}%] ${line}\n`);
      return;
    }
    const width = 30;
    const filled = Math.round((width * pct) / 100);
    const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${status.stage ?? ''}: ${line}`;
    process.stderr.write(`\r\x1b[2K${text.slice(0, (process.stderr.columns || 100) - 1)}`);
    drawn = true;
  };
  return Object.assign(fn, { done: () => (drawn ? process.stderr.write('\n') : undefined) });
}

class UsageError extends Error {}

function isMainModule(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

// Run when executed (the bin is a symlink to this file), not when imported by tests.
if (isMainModule()) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (err: unknown) => {
      if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
      else if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write(`${(err as Error).message}\n`);
      else process.stderr.write(`ecosight-cloud: ${describeError(err)}\n`);
      process.exit(err instanceof ConfigError || err instanceof UsageError ? 2 : 1);
    },
  );
}
