import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadOnsetModel, ONSET_MODEL_FILE, shippedOnsetModelDir } from '#shared/detect/onset-model.js';
import type { Logger } from '#shared/util/logger.js';
import { onsetDetector } from '../onset/onset-detector.js';
import type { EvaluableModel } from '../train/evaluate.js';
import type { LabelledClip } from '../train/types.js';
import { backgroundsOf } from '../train/synthetic-set.js';
import { confuserAlarms, confuserStream } from './confuser-check.js';
import type { ThresholdedDetector } from './alarm-curve.js';
import { honestReport, honestStreams, type HonestReport } from './honest-eval.js';
import { windowDetector } from './window-detector.js';

export interface HonestRunOptions {
  seed: number;
  logger: Logger;
  /** Stage-2 onset model directory (default models/onset when present). */
  onsetDir?: string;
  collarSec?: number;
  maxAlarmFreeSec?: number;
}

/**
 * The honest forest measure for the window model and, when its model exists,
 * the two-stage detector, on the same streams; with each, the modelled
 * confusers that alarm (confuser-check.ts).
 */
export async function honestEvaluation(pkg: EvaluableModel, valid: readonly LabelledClip[], o: HonestRunOptions): Promise<HonestReport[]> {
  const streams = honestStreams(valid, o.seed, 'gunshot', o.maxAlarmFreeSec);
  o.logger.info({ alarmFreeHours: streams.hours, events: streams.withEvents.placements.length }, 'honest streams built');
  const confusers = confuserStream(backgroundsOf(valid), o.seed);
  const collarSec = o.collarSec ?? 0.5;
  const withConfusers = (r: HonestReport, d: ThresholdedDetector): HonestReport => ({
    ...r, modelledConfusers: confuserAlarms(confusers, d.alarmFreeAt(d.shippedThreshold), collarSec),
  });
  const none = new Float32Array(0);
  const reports = [withConfusers(
    honestReport(windowDetector(pkg, streams.alarmFree.samples, streams.withEvents.samples), streams, o.collarSec),
    windowDetector(pkg, confusers.samples, none),
  )];
  const onsetDir = o.onsetDir ?? shippedOnsetModelDir();
  if (existsSync(join(onsetDir, ONSET_MODEL_FILE))) {
    const model = await loadOnsetModel(onsetDir);
    reports.push(withConfusers(
      honestReport(onsetDetector(model, streams.alarmFree.samples, streams.withEvents.samples), streams, o.collarSec),
      onsetDetector(model, confusers.samples, none),
    ));
  } else {
    o.logger.warn({ onsetDir }, 'no onset model: the two-stage detector is not measured');
  }
  return reports;
}
