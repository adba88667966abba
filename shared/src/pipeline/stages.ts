import { LogMelFrontEnd } from '../features/log-mel.js';
import type { FrontEndParams } from '../features/params.js';
import type { ModelPackage } from '../model/model-package.js';
import { Classifier } from './classifier.js';
import { EventDetector, type ClassDecision } from './event-detector.js';
import { Featurizer } from './featurizer.js';
import { Windower } from './windower.js';

/** The analysis stages, in data order: windower -> featurizer -> classifier -> event detector. */
export interface PipelineStages {
  windower: Windower;
  featurizer: Featurizer;
  classifier: Classifier;
  detector: EventDetector;
}

export interface StageOptions {
  /** Window hop, rounded to whole front-end frames; default the model's patch hop (0.48 s). */
  hopSec?: number;
  /** One rule per class; default: the model's thresholds, 1 of 1. */
  decisions?: ClassDecision[];
  /** Longest event before it is cut (seconds); default 30. */
  maxEventSec?: number;
  /** Windows classified per batch; default 32. */
  maxBatch?: number;
  /** The station whose audio this is: its event ids become `<stationId>.ev-<hash>` (see EventDetector). */
  stationId?: string;
}

/**
 * The one place the stages are built: the station daemon, its offline
 * `classify`, the cloud's /predict (analyzeSignal) and the benchmark all run
 * the same pipeline, so they decide exactly alike.
 */
export function buildStages(model: ModelPackage, options: StageOptions = {}): PipelineStages {
  const { windower, featurizer, frontEnd } = buildFrontStages(model.metadata.frontEnd, options.hopSec);
  const decisions = options.decisions ?? model.classNames.map((c) => ({ threshold: model.metadata.thresholds[c] ?? 0.5, k: 1, n: 1 }));
  return {
    windower,
    featurizer,
    classifier: new Classifier(model, options.maxBatch ?? 32),
    detector: new EventDetector({
      classNames: model.classNames,
      decisions,
      maxEventSamples: Math.round((options.maxEventSec ?? 30) * frontEnd.params.sampleRateHz),
      stationId: options.stationId,
    }),
  };
}

/** The model-free front of the pipeline (windower -> featurizer), for feature-only measurements. */
export function buildFrontStages(params?: Readonly<FrontEndParams>, hopSec?: number): { windower: Windower; featurizer: Featurizer; frontEnd: LogMelFrontEnd } {
  const frontEnd = new LogMelFrontEnd(params);
  const frameHop = frontEnd.geometry.hopSamples;
  const hopSamples = hopSec === undefined
    ? frontEnd.geometry.patchHopSamples
    : Math.max(frameHop, Math.round((hopSec * frontEnd.params.sampleRateHz) / frameHop) * frameHop);
  return { windower: new Windower({ windowSamples: frontEnd.geometry.patchSamples, hopSamples }), featurizer: new Featurizer(frontEnd), frontEnd };
}
