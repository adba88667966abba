import { groupAlarms, scoreOnsets, type ScoredOnset } from '#shared/detect/gunshot-onsets.js';
import type { OnsetModel } from '#shared/detect/onset-model.js';
import { thresholdGrid, type Detection, type ThresholdedDetector } from '../honest/alarm-curve.js';

const RATE = 16000;

/**
 * The two-stage detector (impulse trigger -> onset classifier) as a
 * thresholded detector for the honest measure: an alarm is a group of
 * accepted onsets (a burst), its onset the first trigger's, to the sample.
 */
export function onsetDetector(model: OnsetModel, alarmFree: Float32Array, withEvents: Float32Array, name = `two-stage ${model.file.version}`): ThresholdedDetector {
  const free = scoreOnsets(alarmFree, model, RATE);
  const events = scoreOnsets(withEvents, model, RATE);
  return scoredOnsetDetector(name, model.threshold, model.file.burstGapSec, free, events);
}

/** The same from already scored onsets (training uses it before a model file exists). */
export function scoredOnsetDetector(name: string, shipped: number, burstGapSec: number, free: ScoredOnset[], events: ScoredOnset[]): ThresholdedDetector {
  const at = (onsets: ScoredOnset[], t: number): Detection[] => groupAlarms(onsets, t, burstGapSec, RATE).map((a) => ({
    onsetSec: a.onsetSample / RATE,
    startSec: a.onsetSample / RATE,
    endSec: a.lastOnsetSample / RATE + 0.6,
    score: a.peakScore,
  }));
  return {
    name,
    shippedThreshold: shipped,
    thresholds: thresholdGrid([...free, ...events].map((o) => o.score).filter((s) => s >= 0.01), 400, [shipped]),
    alarmFreeAt: (t) => at(free, t),
    eventsAt: (t) => at(events, t),
  };
}
