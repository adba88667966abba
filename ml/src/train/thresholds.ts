import { countEvents } from './events.js';
import type { WindowTruth } from './metrics.js';

export interface ThresholdOptions {
  /** The class whose threshold must respect a false-alarm budget. Default `gunshot`. */
  alarmClass?: string;
  /** Budget: detected events per hour of alarm-free audio. Default 1. */
  maxFalseAlarmsPerHour?: number;
  /** Alarm-class window scores over long audio that holds none of that class. */
  alarmFreeScores?: ArrayLike<number>;
  /** Hours of audio behind alarmFreeScores. */
  alarmFreeHours?: number;
  /** Threshold for classes without validation positives. Default 0.5. */
  fallback?: number;
  /** Windows separated by at most this many quiet windows merge into one event. Default 1. */
  mergeGapWindows?: number;
}

export interface ThresholdChoice {
  thresholds: Record<string, number>;
  /** Why a threshold is what it is, per class (for metadata and reports). */
  reasons: Record<string, string>;
}

const MIN_THRESHOLD = 0.2;
/** Below this best-case F1 a class's F1-optimal threshold is not trusted. */
const MIN_USEFUL_F1 = 0.3;
const MAX_THRESHOLD = 0.99;

/**
 * Per-class thresholds from validation windows: each class gets the threshold
 * that maximises its window F1. The alarm class then gets the lowest threshold
 * at or above that whose false alarms on alarm-free audio stay within budget
 * at that and every higher threshold (the event count is not strictly monotone:
 * raising a threshold can split one event in two).
 *
 * scores[w * C + k] in [0, 1]; truth values 1 / 0 / -1 (unknown, skipped).
 */
export function chooseThresholds(scores: Float32Array, truth: WindowTruth, classes: readonly string[], opts: ThresholdOptions = {}): ThresholdChoice {
  const thresholds: Record<string, number> = {};
  const reasons: Record<string, string> = {};
  const c = classes.length;
  const windows = truth.values.length / c;
  classes.forEach((name, k) => {
    const scored: { s: number; y: number }[] = [];
    for (let w = 0; w < windows; w++) {
      const y = truth.values[w * c + k];
      if (y >= 0) scored.push({ s: scores[w * c + k], y });
    }
    const best = bestF1Threshold(scored);
    if (best === null) {
      thresholds[name] = opts.fallback ?? 0.5;
      reasons[name] = 'no validation positives: default threshold';
    } else if (best.f1 < MIN_USEFUL_F1) {
      // An F1-optimal threshold of a class the model barely knows is usually tiny and would flood a station with detections.
      thresholds[name] = Math.max(opts.fallback ?? 0.5, clamp(best.threshold));
      reasons[name] = `validation F1 at best only ${best.f1.toFixed(3)} (${best.positives} positive windows): default threshold`;
    } else {
      thresholds[name] = clamp(best.threshold);
      reasons[name] = `max validation F1 (${best.f1.toFixed(3)} over ${best.positives} positive windows)`;
    }
  });
  const alarm = opts.alarmClass ?? 'gunshot';
  if (classes.includes(alarm) && opts.alarmFreeScores && (opts.alarmFreeHours ?? 0) > 0) {
    const budget = opts.maxFalseAlarmsPerHour ?? 1;
    const floor = falseAlarmFloor(opts.alarmFreeScores, opts.alarmFreeHours as number, budget, opts.mergeGapWindows ?? 1);
    if (floor > thresholds[alarm]) {
      // Not clamped: the budget outranks the usual range.
      thresholds[alarm] = floor;
      reasons[alarm] = `raised to keep <= ${budget} false alarm(s)/h on ${(opts.alarmFreeHours as number).toFixed(2)} h of ${alarm}-free audio`;
    } else {
      reasons[alarm] += `; within ${budget} false alarm(s)/h on ${(opts.alarmFreeHours as number).toFixed(2)} h of ${alarm}-free audio`;
    }
  }
  return { thresholds, reasons };
}

/** The threshold with the highest F1 (ties: the higher threshold); null without positives. */
export function bestF1Threshold(scored: { s: number; y: number }[]): { threshold: number; f1: number; positives: number } | null {
  const positives = scored.reduce((n, x) => n + x.y, 0);
  if (positives === 0) return null;
  const sorted = [...scored].sort((a, b) => b.s - a.s);
  let tp = 0;
  let fp = 0;
  let best = { threshold: 0.5, f1: -1, positives };
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i].y === 1) tp++;
    else fp++;
    // Only cut between distinct scores: everything >= sorted[i].s is "on".
    if (i + 1 < sorted.length && sorted[i + 1].s === sorted[i].s) continue;
    const precision = tp / (tp + fp);
    const recall = tp / positives;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    if (f1 > best.f1) {
      // Cut halfway to the next lower score, so small score shifts do not flip the decision.
      const next = i + 1 < sorted.length ? sorted[i + 1].s : 0;
      best = { threshold: (sorted[i].s + next) / 2, f1, positives };
    }
  }
  return best;
}

/**
 * Lowest threshold t such that the events at t and at every higher candidate stay
 * within `budget` per hour. Candidates are the distinct scores (each nudged just
 * above the score, so that window turns off).
 */
export function falseAlarmFloor(scores: ArrayLike<number>, hours: number, budget: number, mergeGapWindows = 1): number {
  const allowed = Math.floor(budget * hours + 1e-9);
  const distinct = [...new Set(Array.from(scores))].sort((a, b) => b - a);
  // Walk down from the top: the first candidate whose count exceeds the budget
  // fixes the floor just above its score.
  const step = Math.max(1, Math.floor(distinct.length / 4000));
  for (let i = 0; i < distinct.length; i += step) {
    if (countEvents(scores, distinct[i], mergeGapWindows) <= allowed) continue;
    // Refine between the last safe coarse candidate and this one.
    for (let j = Math.max(0, i - step + 1); j <= i; j++) {
      if (countEvents(scores, distinct[j], mergeGapWindows) > allowed) return nudgeUp(distinct[j]);
    }
  }
  return 0;
}

function nudgeUp(score: number): number {
  return Math.min(1, score + 1e-6);
}

function clamp(t: number): number {
  return Math.min(MAX_THRESHOLD, Math.max(MIN_THRESHOLD, t));
}
