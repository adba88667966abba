import type { Random } from '#shared/util/random.js';
import { foundEvents, type ThresholdedDetector } from './alarm-curve.js';
import type { HonestStreams } from './honest-eval.js';

/** Spread of a detector's recall at one false-alarm budget over resampled validation data. */
export interface RecallInterval {
  budgetPerHour: number;
  draws: number;
  median: number;
  /** 5th and 95th percentiles. */
  low: number;
  high: number;
}

/**
 * How much the recall at a false-alarm budget would move on another draw of
 * the same kinds of audio: a bootstrap that resamples, with replacement, the
 * gunshot-free clips (each false alarm belongs to the clip nearest it; the
 * hours scale with the clips drawn) and the gunshot events, and reads the best
 * recall within the budget at each draw, over the detector's thresholds.
 * At 1 FA/h a handful of onsets set the threshold, so two detectors whose
 * figures differ by less than this spread are not told apart by this validation.
 */
export function recallInterval(d: ThresholdedDetector, s: HonestStreams, budgetPerHour: number, draws: number, rand: Random, collarSec = 0.5): RecallInterval {
  const free = s.alarmFree.placements;
  const events = s.withEvents.placements;
  const clipSec = free.map((p) => p.endSec - p.startSec);
  const totalClipSec = clipSec.reduce((a, b) => a + b, 0);
  // The clips in time order (a forest stream places them one after another, apart): an alarm's clip is found by bisection.
  const order = free.map((_, i) => i).sort((a, b) => free[a].startSec - free[b].startSec);
  const nearestClip = (t: number) => {
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (free[order[mid]].startSec <= t) lo = mid + 1;
      else hi = mid;
    }
    // order[lo - 1] starts at or before t, order[lo] after it: the nearer of the two.
    const before = lo > 0 ? order[lo - 1] : -1;
    const after = lo < order.length ? order[lo] : -1;
    if (before < 0) return after;
    if (after < 0 || t <= free[before].endSec) return before;
    return t - free[before].endSec <= free[after].startSec - t ? before : after;
  };
  const alarmClips = d.thresholds.map((t) => d.alarmFreeAt(t).map((a) => nearestClip(a.onsetSec)));
  const found = d.thresholds.map((t) => foundEvents(events, d.eventsAt(t), collarSec));
  const recalls: number[] = [];
  for (let draw = 0; draw < draws; draw++) {
    const clipWeight = new Float64Array(free.length);
    const eventWeight = new Float64Array(events.length);
    for (let i = 0; i < free.length; i++) clipWeight[rand.int(0, free.length)]++;
    for (let i = 0; i < events.length; i++) eventWeight[rand.int(0, events.length)]++;
    const drawnSec = clipSec.reduce((sum, sec, i) => sum + sec * clipWeight[i], 0);
    const hours = totalClipSec > 0 ? (s.hours * drawnSec) / totalClipSec : s.hours;
    if (hours <= 0) {
      recalls.push(0);
      continue;
    }
    let best = 0;
    d.thresholds.forEach((_, k) => {
      const falseAlarms = alarmClips[k].reduce((sum, clip) => sum + clipWeight[clip], 0);
      if (falseAlarms / hours > budgetPerHour + 1e-9) return;
      const recall = events.length > 0 ? found[k].reduce((sum, f, i) => sum + (f ? eventWeight[i] : 0), 0) / events.length : 0;
      if (recall > best) best = recall;
    });
    recalls.push(best);
  }
  recalls.sort((a, b) => a - b);
  const at = (q: number) => recalls[Math.min(recalls.length - 1, Math.floor(q * recalls.length))] ?? 0;
  return { budgetPerHour, draws, median: at(0.5), low: at(0.05), high: at(0.95) };
}
