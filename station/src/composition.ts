import { LogMelFrontEnd } from '#shared/features/log-mel.js';
import type { StationConfig } from '#shared/config/station-config.js';
import type { ModelPackage } from '#shared/model/model-package.js';
import { Classifier } from '#shared/pipeline/classifier.js';
import { classDecisions } from './pipeline/decisions.js';
import { EventDetector } from '#shared/pipeline/event-detector.js';
import { Featurizer } from '#shared/pipeline/featurizer.js';
import type { PipelineStages } from './pipeline/runner.js';
import { Windower } from '#shared/pipeline/windower.js';

/**
 * Builds the analysis stages for a model: shared by the daemon's and the
 * offline classifier's composition roots so both run the same pipeline.
 */
export function buildStages(model: ModelPackage, detection: StationConfig['detection'], maxBatch: number, stationId?: string): PipelineStages {
  const frontEnd = new LogMelFrontEnd(model.metadata.frontEnd);
  const frameHop = frontEnd.geometry.hopSamples;
  const hopSamples = Math.max(frameHop, Math.round((detection.hopSec * frontEnd.params.sampleRateHz) / frameHop) * frameHop);
  return {
    windower: new Windower({ windowSamples: frontEnd.geometry.patchSamples, hopSamples }),
    featurizer: new Featurizer(frontEnd),
    classifier: new Classifier(model, maxBatch),
    detector: new EventDetector({
      classNames: model.classNames,
      decisions: classDecisions(model.classNames, model.metadata.thresholds, detection),
      maxEventSamples: Math.round(detection.maxEventSec * frontEnd.params.sampleRateHz),
      // Event ids name the station, so the cloud never mixes two stations' detections.
      stationId,
    }),
  };
}
