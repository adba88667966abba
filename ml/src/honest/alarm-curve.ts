import type { Placement } from './forest-audio.js';

/** One alarm a detector raises on a recording. */
export interface Detection {
  /** When the detector says the sound starts, s. */
  onsetSec: number;
  /** The span the alarm covers (for overlap with labelled events), s. */
  startSec: number;
  endSec: number;
  /** The decision score (e.g. peak window score or stage-2 probability). */
  score: number;
}

/** A detector's alarms at a given decision threshold, on each of the two honest streams. */
export interface ThresholdedDetector {
  name: string;
  /** The threshold the detector ships with. */
  shippedThreshold: number;
  /** Candidate thresholds to sweep (ascending). */
  thresholds: number[];
  alarmFreeAt(threshold: number): Detection[];
  eventsAt(threshold: number): Detection[];
}

export interface CurvePoint {
  threshold: number;
  falseAlarms: number;
  falseAlarmsPerHour: number;
  detectedEvents: number;
  eventRecall: number;
}

/** FA/h budgets the curve is read at (issue 12: 0.1 to 100 per hour). */
export const FA_PER_HOUR_TARGETS: readonly number[] = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100];

/**
 * Event matching with an onset collar: a labelled event is found when an
 * alarm's onset lies within `collarSec` of its onset, or when it starts inside
 * an alarm that already found an earlier event (later shots of a burst).
 */
export function foundEvents(events: readonly Placement[], alarms: readonly Detection[], collarSec: number): boolean[] {
  const sorted = [...alarms].sort((a, b) => a.onsetSec - b.onsetSec);
  const used = new Set<number>();
  return events.map((e) => {
    let hit = nearest(sorted, e.onsetSec, collarSec);
    if (hit < 0) hit = sorted.findIndex((d, i) => used.has(i) && e.onsetSec >= d.startSec && e.onsetSec <= d.endSec);
    if (hit >= 0) used.add(hit);
    return hit >= 0;
  });
}

function nearest(sorted: readonly Detection[], t: number, collar: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid].onsetSec < t - collar) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo].onsetSec <= t + collar ? lo : -1;
}

/** One point: false alarms on the alarm-free stream, events found on the event stream. */
export function curvePoint(d: ThresholdedDetector, threshold: number, events: readonly Placement[], hours: number, collarSec: number): CurvePoint {
  const falseAlarms = d.alarmFreeAt(threshold).length;
  const detected = foundEvents(events, d.eventsAt(threshold), collarSec).filter(Boolean).length;
  return {
    threshold,
    falseAlarms,
    falseAlarmsPerHour: hours > 0 ? falseAlarms / hours : 0,
    detectedEvents: detected,
    eventRecall: events.length > 0 ? detected / events.length : 0,
  };
}

/**
 * The recall-vs-false-alarm curve read at each budget: for each FA/h target,
 * the point with the best recall whose rate stays within it (lowest threshold
 * among equals). A budget below 1 / hours can only be met with zero false
 * alarms on this much audio.
 */
export function alarmCurve(d: ThresholdedDetector, events: readonly Placement[], hours: number, collarSec: number): { sweep: CurvePoint[]; atBudget: (CurvePoint & { budgetPerHour: number })[] } {
  const sweep = d.thresholds.map((t) => curvePoint(d, t, events, hours, collarSec));
  const atBudget = FA_PER_HOUR_TARGETS.map((budget) => {
    const ok = sweep.filter((p) => p.falseAlarmsPerHour <= budget + 1e-9);
    const best = ok.reduce<CurvePoint | undefined>((b, p) => (!b || p.eventRecall > b.eventRecall ? p : b), undefined);
    return { budgetPerHour: budget, ...(best ?? { threshold: Infinity, falseAlarms: 0, falseAlarmsPerHour: 0, detectedEvents: 0, eventRecall: 0 }) };
  });
  return { sweep, atBudget };
}

/** Up to `count` thresholds spread over the score distribution (quantiles), ascending, plus extras. */
export function thresholdGrid(scores: ArrayLike<number>, count: number, extras: readonly number[] = []): number[] {
  const sorted = Float64Array.from(scores).sort();
  const out = new Set<number>(extras);
  for (let i = 0; i < count && sorted.length > 0; i++) out.add(sorted[Math.min(sorted.length - 1, Math.floor((i / count) * sorted.length))]);
  out.add(sorted.length > 0 ? sorted[sorted.length - 1] + 1e-6 : 1);
  return [...out].sort((a, b) => a - b);
}
