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
  const nearestClip = (t: number) => {
    let best = 0;
    let bestDistance = Infinity;
    free.forEach((p, i) => {
      const distance = t < p.startSec ? p.startSec - t : t > p.endSec ? t - p.endSec : 0;
      if (distance < bestDistance) {
        bestDistance = distance;
        best = i;
      }
    });
    return best;
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
    let best = 0;
    d.thresholds.forEach((_, k) => {
      const falseAlarms = alarmClips[k].reduce((sum, clip) => sum + clipWeight[clip], 0);
      if (hours <= 0 || falseAlarms / hours > budgetPerHour + 1e-9) return;
      const recall = events.length > 0 ? found[k].reduce((sum, f, i) => sum + (f ? eventWeight[i] : 0), 0) / events.length : 0;
      if (recall > best) best = recall;
    });
    recalls.push(best);
  }
  recalls.sort((a, b) => a - b);
  const at = (q: number) => recalls[Math.min(recalls.length - 1, Math.floor(q * recalls.length))] ?? 0;
  return { budgetPerHour, draws, median: at(0.5), low: at(0.05), high: at(0.95) };
}
