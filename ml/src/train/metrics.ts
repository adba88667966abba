/**
 * Window-level metrics. Each window has, per class, a truth value of
 * 1 (present), 0 (absent) or -1 (unknown: e.g. the quiet tail of a labelled clip,
 * or a window that holds only a sliver of a labelled segment); unknown windows
 * count for no metric of that class.
 */

export const NONE_LABEL = 'none';

/** Truth for a set of windows: values[w * classes + k] in {1, 0, -1}. */
export interface WindowTruth {
  values: Int8Array;
  /** Per window: the label the confusion matrix files it under, or NONE_LABEL, or null to leave it out. */
  dominant: (string | null)[];
}

export interface ClassMetrics {
  name: string;
  threshold: number;
  /** Windows where the class is present / absent (unknowns excluded). */
  positives: number;
  negatives: number;
  tp: number;
  fp: number;
  fn: number;
  /** null when undefined (no predictions, or no positives). */
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** Area under the precision-recall curve (threshold-free); null without positives. */
  averagePrecision: number | null;
}

/**
 * Single-label view of a multi-label problem: rows are each window's dominant
 * true label (the clip's first label, or `none` for windows with no label),
 * columns the class with the highest score among those at or above their
 * threshold (or `none` when no class fires).
 */
export interface ConfusionMatrix {
  labels: string[];
  /** counts[trueIndex][predictedIndex]. */
  counts: number[][];
}

export interface LongAudioMetrics {
  className: string;
  threshold: number;
  /** Hours of audio scanned for false alarms (gunshot-free audio for the validation stream). */
  hours: number;
  falseAlarms: number;
  falseAlarmsPerHour: number;
  /** Labelled events and how many were detected (onset collar). */
  events: number;
  detectedEvents: number;
  eventRecall: number | null;
  /** Events some detection covers, onset or not (see EventMatch.overlappedTruth). */
  overlappedEvents?: number;
  onsetCollarSec: number;
}

export interface EvaluationReport {
  modelVersion: string;
  windows: number;
  perClass: ClassMetrics[];
  /** Mean F1 over classes that have positives. */
  macroF1: number | null;
  confusion: ConfusionMatrix;
  longAudio?: LongAudioMetrics;
  notes: string[];
}

/** Per-class counts at the given thresholds. scores[w * C + k]. */
export function classMetrics(scores: Float32Array, truth: WindowTruth, classes: readonly string[], thresholds: Readonly<Record<string, number>>): ClassMetrics[] {
  const c = classes.length;
  const windows = truth.values.length / c;
  return classes.map((name, k) => {
    const threshold = thresholds[name] ?? 0.5;
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let positives = 0;
    let negatives = 0;
    const scored: { s: number; y: number }[] = [];
    for (let w = 0; w < windows; w++) {
      const y = truth.values[w * c + k];
      if (y < 0) continue;
      const s = scores[w * c + k];
      const on = s >= threshold;
      if (y === 1) {
        positives++;
        if (on) tp++;
        else fn++;
      } else {
        negatives++;
        if (on) fp++;
      }
      scored.push({ s, y });
    }
    const precision = tp + fp > 0 ? tp / (tp + fp) : null;
    const recall = positives > 0 ? tp / positives : null;
    const f1 = precision !== null && recall !== null ? (precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0) : null;
    return { name, threshold, positives, negatives, tp, fp, fn, precision, recall, f1, averagePrecision: averagePrecision(scored) };
  });
}

/** Average precision: mean of the precision at each positive, scores sorted high to low. */
export function averagePrecision(scored: { s: number; y: number }[]): number | null {
  const positives = scored.filter((x) => x.y === 1).length;
  if (positives === 0) return null;
  const sorted = [...scored].sort((a, b) => b.s - a.s);
  let tp = 0;
  let sum = 0;
  sorted.forEach((x, i) => {
    if (x.y === 1) {
      tp++;
      sum += tp / (i + 1);
    }
  });
  return sum / positives;
}

export function confusionMatrix(scores: Float32Array, truth: WindowTruth, classes: readonly string[], thresholds: Readonly<Record<string, number>>): ConfusionMatrix {
  const labels = [...classes, NONE_LABEL];
  const index = new Map(labels.map((l, i) => [l, i]));
  const counts = labels.map(() => new Array<number>(labels.length).fill(0));
  const c = classes.length;
  truth.dominant.forEach((dominant, w) => {
    if (dominant === null) return;
    const row = index.get(dominant);
    if (row === undefined) return;
    let best = -1;
    let bestScore = -Infinity;
    for (let k = 0; k < c; k++) {
      const s = scores[w * c + k];
      if (s >= (thresholds[classes[k]] ?? 0.5) && s > bestScore) {
        best = k;
        bestScore = s;
      }
    }
    counts[row][best < 0 ? c : best]++;
  });
  return { labels, counts };
}

export function macroF1(perClass: readonly ClassMetrics[]): number | null {
  const f1s = perClass.filter((m) => m.positives > 0).map((m) => m.f1 ?? 0);
  return f1s.length === 0 ? null : f1s.reduce((a, b) => a + b, 0) / f1s.length;
}
