import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeError } from '#shared/errors.js';
import { loadModelPackage, shippedModelDir, type ModelPackage } from '#shared/model/model-package.js';
import type { Logger } from '#shared/util/logger.js';

/**
 * The model the station starts with: the one installed over the air
 * (`models/current`) if any, else the configured baseline (`model.dir`), else
 * the previous OTA model, else the shipped one. An update survives restarts
 * even where `model.dir` is set; a model that fails to load is logged and the
 * next one tried.
 */
export async function loadInitialModel(modelDir: string | undefined, dataDir: string, logger: Logger): Promise<ModelPackage> {
  const candidates = [join(dataDir, 'models', 'current'), modelDir, join(dataDir, 'models', 'previous'), shippedModelDir()]
    .filter((d): d is string => Boolean(d) && existsSync(d as string));
  let lastError: unknown;
  for (const dir of candidates) {
    try {
      const pkg = await loadModelPackage(dir);
      logger.info({ dir, version: pkg.metadata.version }, 'model loaded');
      return pkg;
    } catch (err) {
      lastError = err;
      logger.error({ dir, err: describeError(err) }, 'model failed to load; trying the next one');
    }
  }
  throw lastError ?? new Error('no model found');
}
