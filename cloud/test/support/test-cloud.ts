import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadCloudConfig, type CloudConfig } from '#shared/config/cloud-config.js';
import { generateSigningKeyPair } from '#shared/manifest/keys.js';
import { createLogger } from '#shared/util/logger.js';
import { createCloud, type Cloud, type CloudOptions } from '../../src/app.js';
import { writeTinyModelDir } from './tiny-model.js';

export const ADMIN_KEY = 'test-admin-key-0123456789';
export const VIEWER_KEY = 'test-viewer-key-9876543210';

/** Retrain settings small enough for tests (real training, few steps, 2 minutes of long audio). */
export const QUICK_TRAINING = { epochs: 6, batchSize: 32, patience: 3, longNegativeMinutes: 2 };
/** Stage 2's gate in test jobs: 100 modelled confuser scenes (two batches, about 6 s) instead of 500 (about 30 s). */
export const QUICK_ONSET = { confuserScenes: 100 };

export interface TestCloud extends Cloud {
  config: CloudConfig;
  /** Every log line written, for assertions (e.g. no secrets). */
  logs: string[];
  publicKey: string;
}

/**
 * A real cloud service over temp dirs (fs storage unless env says s3), the tiny
 * test model as the shipped model, a fresh signing key and the admin key above.
 */
export async function startTestCloud(env: Record<string, string> = {}, options: Partial<CloudOptions> = {}): Promise<TestCloud> {
  const keys = generateSigningKeyPair();
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'ecosight-cloud-'));
  const config = loadCloudConfig({
    // Most tests read without a key; the private default is tested with PUBLIC_DASHBOARD: 'false'.
    API_KEY: ADMIN_KEY, VIEWER_KEY, PUBLIC_DASHBOARD: 'true', MODEL_SIGNING_KEY: keys.privateKey, LOG_LEVEL: 'info', PORT: '0', HOST: '127.0.0.1', ...env, DATA_DIR: dataDir,
  });
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ name: 'cloud-test', level: config.logLevel, destination, pretty: false });
  const cloud = await createCloud({
    config, logger, shippedModelDir: options.shippedModelDir ?? (await writeTinyModelDir()), scanIntervalMs: 0,
    uiDir: join(dataDir, 'no-ui'), training: QUICK_TRAINING, onsetTraining: QUICK_ONSET, ...options,
  });
  await cloud.start();
  return { ...cloud, config, logs, publicKey: keys.publicKey };
}
