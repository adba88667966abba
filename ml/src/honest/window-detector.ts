import { LogMelFrontEnd } from '#shared/features/log-mel.js';
import { classColumn, windowTiming, type EvaluableModel } from '../train/evaluate.js';
import { detectEvents } from '../train/events.js';
import { scoreSignal } from '../train/score-signal.js';
import { thresholdGrid, type Detection, type ThresholdedDetector } from './alarm-curve.js';

/**
 * The window model (0.2.0's design) as a thresholded detector: an alarm is a
 * run of windows at or above the threshold (gaps of one window merged), its
 * onset the centre of the first window, exactly as `npm run eval` has always
 * counted them.
 */
export function windowDetector(pkg: EvaluableModel, alarmFree: Float32Array, withEvents: Float32Array, alarmClass = 'gunshot'): ThresholdedDetector {
  const frontEnd = new LogMelFrontEnd(pkg.metadata.frontEnd);
  const timing = windowTiming(pkg.metadata.frontEnd);
  const classes = pkg.metadata.classes;
  const k = classes.indexOf(alarmClass);
  const column = (x: Float32Array) => classColumn(scoreSignal(pkg.model, frontEnd, x).scores, k, classes.length);
  const free = column(alarmFree);
  const events = column(withEvents);
  const at = (scores: Float32Array, t: number): Detection[] => detectEvents(scores, t, timing).map((e) => ({
    onsetSec: e.onsetSec, startSec: e.onsetSec - timing.windowSec / 2, endSec: e.offsetSec, score: e.peak ?? t,
  }));
  const shipped = pkg.metadata.thresholds[alarmClass] ?? 0.5;
  const peaks = [...at(free, 0.01), ...at(events, 0.01)].map((d) => d.score);
  return {
    name: `window model ${pkg.metadata.version}`,
    shippedThreshold: shipped,
    thresholds: thresholdGrid(peaks, 300, [shipped]),
    alarmFreeAt: (t) => at(free, t),
    eventsAt: (t) => at(events, t),
  };
}
