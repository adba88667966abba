import type { ModelPackage } from '../../../../shared/src/model/model-package.js';
import { detectEvents } from '../../predict/detect-events.js';
import { scoreWindows } from '../../predict/window-scores.js';
import type { AudioOriginal, EvalMetrics, Evaluator } from './ports.js';

export const GUNSHOT_CLASS = 'gunshot';

/**
 * Clip-level evaluation through the station's own pipeline (patches -> model ->
 * thresholds -> merged detections), so the gate judges what a station would do:
 * - gunshot recall: gunshot clips with at least one gunshot detection;
 * - false alarms per hour: gunshot detections on clips of other classes, per hour of that audio;
 * - confusion matrix: true label vs. the class with the highest window score.
 */
export function evaluateClips(model: Pick<ModelPackage, 'model' | 'metadata' | 'classNames'>, clips: readonly AudioOriginal[]): EvalMetrics {
  const classes = model.classNames;
  const counts = classes.map(() => classes.map(() => 0));
  let gunshotClips = 0;
  let gunshotHits = 0;
  let falseAlarms = 0;
  let negativeSec = 0;
  const g = classes.indexOf(GUNSHOT_CLASS);
  for (const clip of clips) {
    const windows = scoreWindows(model, clip.samples);
    const detections = detectEvents(windows, classes, model.metadata.thresholds);
    const truth = classes.indexOf(clip.label);
    const predicted = argmaxOverWindows(windows.map((w) => w.scores), classes.length);
    if (truth >= 0 && predicted >= 0) counts[truth][predicted]++;
    const shots = detections.filter((d) => d.label === GUNSHOT_CLASS).length;
    if (clip.label === GUNSHOT_CLASS) {
      gunshotClips++;
      if (shots > 0) gunshotHits++;
    } else {
      falseAlarms += shots;
      negativeSec += clip.durationSec;
    }
  }
  const negativeHours = negativeSec / 3600;
  return {
    gunshotRecall: g < 0 || gunshotClips === 0 ? null : gunshotHits / gunshotClips,
    falseAlarmsPerHour: negativeHours > 0 ? falseAlarms / negativeHours : 0,
    negativeHours,
    clips: clips.length,
    perClass: perClass(classes, counts),
    confusionMatrix: { labels: [...classes], counts },
    accuracy: sum(counts.flat()) ? counts.reduce((s, row, i) => s + row[i], 0) / sum(counts.flat()) : null,
  };
}

/** The Evaluator port backed by evaluateClips. */
export const clipEvaluator: Evaluator = {
  evaluate: async (model, clips) => evaluateClips(model, clips),
};

/** Clip-level class: the class with the highest score in any window, background only when nothing else wins. */
function argmaxOverWindows(scores: Float32Array[], n: number): number {
  if (scores.length === 0) return -1;
  const max = new Float32Array(n);
  for (const s of scores) for (let c = 0; c < n; c++) max[c] = Math.max(max[c], s[c]);
  let best = 0;
  for (let c = 1; c < n; c++) if (max[c] > max[best]) best = c;
  return best;
}

function perClass(classes: readonly string[], counts: number[][]): EvalMetrics['perClass'] {
  const out: EvalMetrics['perClass'] = {};
  classes.forEach((name, i) => {
    const support = sum(counts[i]);
    const predicted = sum(counts.map((row) => row[i]));
    out[name] = {
      support,
      recall: support ? counts[i][i] / support : null,
      precision: predicted ? counts[i][i] / predicted : null,
    };
  });
  return out;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
