import { loadShippedOnsetModel, type OnsetModel } from '#shared/detect/onset-model.js';
import type { Logger } from '#shared/util/logger.js';
import { GunshotOnsetSink } from './gunshot-onset-sink.js';
import type { PipelineSink } from './sink.js';

/**
 * The station's gunshot path: the two-stage detector (models/onset) when it is
 * installed, else the window model's gunshot class as before (one log line
 * says which).
 */
export async function withGunshotPath(inner: PipelineSink, classNames: () => readonly string[], logger: Logger, model?: OnsetModel): Promise<PipelineSink> {
  const onset = model ?? await loadShippedOnsetModel();
  if (!onset) {
    logger.warn('no onset model (models/onset): gunshots come from the window model');
    return inner;
  }
  logger.info({ onsetModel: onset.file.version, threshold: onset.threshold }, 'gunshots: two-stage detector (impulse trigger -> onset classifier)');
  return new GunshotOnsetSink(inner, onset, classNames);
}
