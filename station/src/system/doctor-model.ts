import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { StationConfig } from '#shared/config/station-config.js';
import { describeError } from '#shared/errors.js';
import { keyId, parsePublicKey } from '#shared/manifest/keys.js';
import { MANIFEST_FILE, checkFile, verifyManifest } from '#shared/release/manifest.js';
import { initBackend } from '#shared/model/backend.js';
import { loadModelPackage, type ModelPackage } from '#shared/model/model-package.js';
import { tf } from '#shared/model/tf.js';
import { fail, pass, warn, type CheckContext, type CheckOutcome } from './doctor-types.js';

/** The model the station would run: model.dir, else the OTA-installed one, else the shipped one. */
export function resolveModelDir(config: StationConfig, shippedModelDir: string): string {
  if (config.model.dir) return config.model.dir;
  const ota = join(config.dataDir, 'models', 'current');
  return existsSync(join(ota, 'model.json')) ? ota : shippedModelDir;
}

/**
 * Loads the model on the configured backend, runs one silent patch through it,
 * and, when the directory is a signed release, checks the signature against
 * ota.publicKey and every file against its hash and size.
 */
export async function checkModel({ config, deps }: CheckContext): Promise<CheckOutcome> {
  const dir = resolveModelDir(config, deps.shippedModelDir);
  let backend: string;
  try {
    const info = await initBackend(deps.logger, config.model.backend);
    backend = `${info.name}${info.simd ? ' (SIMD)' : ''}`;
  } catch (err) {
    return fail(`TensorFlow.js backend "${config.model.backend}" unavailable: ${describeError(err)}`);
  }
  let pkg: ModelPackage;
  try {
    pkg = await loadModelPackage(dir);
  } catch (err) {
    return fail(`${dir}: ${describeError(err)}`);
  }
  try {
    const problem = smokeTest(pkg);
    if (problem) return fail(`${dir}: ${problem}`);
    const what = `${dir}: version ${pkg.metadata.version}, ${pkg.classNames.length} classes, runs on ${backend}`;
    return await checkSignature(config, dir, pkg, what, resolve(dir) === resolve(deps.shippedModelDir));
  } finally {
    pkg.model.dispose();
  }
}

async function checkSignature(config: StationConfig, dir: string, pkg: ModelPackage, what: string, shipped: boolean): Promise<CheckOutcome> {
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) {
    // The shipped model comes with the installed app; a model anywhere else should be a signed release.
    return shipped ? pass(`${what}; shipped with the app (no manifest)`) : warn(`${what}; no ${MANIFEST_FILE}, its origin cannot be verified`);
  }
  if (!config.ota.publicKey) return warn(`${what}; ${MANIFEST_FILE} present but ota.publicKey is empty, signature not checked`);
  try {
    const key = parsePublicKey(config.ota.publicKey);
    const manifest = verifyManifest(JSON.parse(await readFile(manifestPath, 'utf8')), key);
    if (manifest.version !== pkg.metadata.version) {
      return fail(`${what}; manifest is for version ${manifest.version}, the model says ${pkg.metadata.version}`);
    }
    for (const entry of manifest.files) checkFile(entry, await readFile(join(dir, entry.path)));
    return pass(`${what}; signature by key ${keyId(key)} valid, ${manifest.files.length} files match`);
  } catch (err) {
    return fail(`${what}; ${describeError(err)}`);
  }
}

// A model that loads can still be broken (NaN weights): one patch of silence must give finite scores.
function smokeTest(pkg: ModelPackage): string | undefined {
  const scores = tf.tidy(() => {
    const input = tf.zeros([1, ...pkg.metadata.inputShape]);
    const output = pkg.model.predict(input) as tf.Tensor;
    return output.dataSync();
  });
  if (scores.length !== pkg.classNames.length) return `model returned ${scores.length} scores for ${pkg.classNames.length} classes`;
  if (!Array.from(scores).every(Number.isFinite)) return 'model returns NaN or infinite scores';
  return undefined;
}
