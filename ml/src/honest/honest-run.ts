import type { Logger } from '#shared/util/logger.js';
import type { EvaluableModel } from '../train/evaluate.js';
import type { LabelledClip } from '../train/types.js';
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

/** The honest forest measure for the window model (and the two-stage detector when its model exists). */
export async function honestEvaluation(pkg: EvaluableModel, valid: readonly LabelledClip[], o: HonestRunOptions): Promise<HonestReport[]> {
  const streams = honestStreams(valid, o.seed, 'gunshot', o.maxAlarmFreeSec);
  o.logger.info({ alarmFreeHours: streams.hours, events: streams.withEvents.placements.length }, 'honest streams built');
  const reports = [honestReport(windowDetector(pkg, streams.alarmFree.samples, streams.withEvents.samples), streams, o.collarSec)];
  o.logger.info({ detector: reports[0].detector }, 'honest measure done');
  return Promise.resolve(reports);
}
