import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadOnsetModel, ONSET_MODEL_FILE, shippedOnsetModelDir, type OnsetModel } from '#shared/detect/onset-model.js';
import { describeError } from '#shared/errors.js';
import type { Logger } from '#shared/util/logger.js';
import { GunshotOnsetSink } from './gunshot-onset-sink.js';
import type { PipelineSink } from './sink.js';

/**
 * Which stage-2 model goes with a window model: its own `onset/` folder (the
 * shipped `models/` has `models/onset/`; a release the cloud's retrain
 * published carries `onset/onset-model.json`, fine-tuned for the site); for a
 * model in the station's OTA slots (`<dataDir>/models/...`) without one, i.e.
 * an older release with the window model only, the shipped one; none for any
 * other directory (e.g. a test model), which keeps the window model's gunshot class.
 */
export function onsetDirFor(windowModelDir: string, dataDir?: string): string | undefined {
  const own = join(windowModelDir, 'onset');
  if (existsSync(join(own, ONSET_MODEL_FILE))) return own;
  if (dataDir) {
    const rel = relative(resolve(dataDir, 'models'), resolve(windowModelDir));
    if (!rel.startsWith('..') && existsSync(join(shippedOnsetModelDir(), ONSET_MODEL_FILE))) return shippedOnsetModelDir();
  }
  return undefined;
}

/**
 * The gunshot path: the two-stage detector (impulse trigger -> onset
 * classifier) when an onset model goes with the window model, else the window
 * model's gunshot class as before. One log line says which.
 */
export async function withGunshotPath(inner: PipelineSink, classNames: () => readonly string[], logger: Logger, onset: OnsetModel | string | undefined): Promise<PipelineSink> {
  if (onset === undefined) {
    logger.info('gunshots: window model (no onset model with it)');
    return inner;
  }
  const loaded = typeof onset === 'string' ? await loadOrShipped(onset, logger) : { model: onset, dir: undefined };
  if (!loaded) return inner;
  const { model, dir } = loaded;
  logger.info({ onsetModel: model.file.version, threshold: model.threshold, onsetDir: dir }, 'gunshots: two-stage detector (impulse trigger -> onset classifier)');
  return new GunshotOnsetSink(inner, model, classNames);
}

/**
 * After a model switch (an OTA update or a roll-back), stage 2 follows the
 * window model: the one that goes with its directory (onsetDirFor). A station
 * running the window model's gunshot class keeps it. One log line says which
 * stage-2 model now runs and from where.
 */
export async function followModelSwitch(path: PipelineSink, windowModelDir: string | undefined, dataDir: string, logger: Logger): Promise<void> {
  if (!(path instanceof GunshotOnsetSink) || !windowModelDir) return;
  const dir = onsetDirFor(windowModelDir, dataDir);
  if (!dir) {
    logger.warn({ windowModelDir, onsetModel: path.onsetModelVersion }, 'gunshots: no onset model goes with the new model; stage 2 stays as it was');
    return;
  }
  const loaded = await loadOrShipped(dir, logger);
  if (!loaded) return;
  const { model } = loaded;
  if (model.file.version === path.onsetModelVersion) return;
  const previous = path.onsetModelVersion;
  path.useOnsetModel(model);
  logger.info({ onsetModel: model.file.version, previous, threshold: model.threshold, onsetDir: loaded.dir }, 'gunshots: stage 2 follows the model switch');
}

/**
 * The onset model in `dir`; when it does not load (a broken file, or a
 * release's stage 2 made for another station software's onset features) the
 * shipped one, which always fits this software; when neither loads, none (the
 * window model's gunshot class), with an error logged. A model problem never
 * stops the station.
 */
async function loadOrShipped(dir: string, logger: Logger): Promise<{ model: OnsetModel; dir: string } | undefined> {
  let problem: unknown;
  try {
    return { model: await loadOnsetModel(dir), dir };
  } catch (err) {
    problem = err;
  }
  const shipped = shippedOnsetModelDir();
  if (resolve(dir) !== resolve(shipped) && existsSync(join(shipped, ONSET_MODEL_FILE))) {
    logger.warn({ err: describeError(problem), onsetDir: dir, fallback: shipped }, 'gunshots: the onset model does not load; the shipped one runs instead');
    try {
      return { model: await loadOnsetModel(shipped), dir: shipped };
    } catch (err) {
      problem = err;
    }
  }
  logger.error({ err: describeError(problem), onsetDir: dir }, 'gunshots: no onset model loads; gunshots come from the window model');
  return undefined;
}
