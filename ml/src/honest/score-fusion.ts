import type { DescribedOnset, ScoredOnset } from '#shared/detect/gunshot-onsets.js';
import type { OnsetModel } from '#shared/detect/onset-model.js';
import { memberLogits } from '../onset/ensemble.js';
import type { WindowTiming } from '../train/events.js';

/**
 * Other ways to turn stage 2's nets (and the window model) into one score per
 * onset, for `npm run study:onset`: the shipped rule is the sigmoid of the
 * members' mean logit alone. Each variant maps the same onsets, so their
 * curves on the honest streams compare like for like.
 */
export interface OnsetEvidence {
  onset: DescribedOnset;
  /** Each stage-2 member's logit (memberLogits). */
  logits: number[];
  /** The window model's gunshot score: the highest of the windows that hold the onset and the 120 ms after it. */
  window: number;
}

/**
 * The window model's score for an onset at `onsetSec`: the highest among the
 * windows that contain [onsetSec, onsetSec + afterSec]. With windows longer
 * than hop + afterSec there is always one, and at a station it is scored
 * before stage 2 has its 0.6 s (no added latency).
 */
export function windowScoreAt(column: Float32Array, timing: WindowTiming, onsetSec: number, afterSec = 0.12): number {
  let best = 0;
  const first = Math.max(0, Math.ceil((onsetSec + afterSec - timing.windowSec) / timing.hopSec - 1e-9));
  for (let i = first; i < column.length && i * timing.hopSec <= onsetSec; i++) best = Math.max(best, column[i]);
  return best;
}

export function onsetEvidence(onsets: readonly DescribedOnset[], model: OnsetModel, members: number, column: Float32Array, timing: WindowTiming, rateHz = 16000): OnsetEvidence[] {
  return onsets.map((onset) => ({
    onset,
    logits: memberLogits(model, members, onset.features),
    window: windowScoreAt(column, timing, onset.trigger.onsetSample / rateHz),
  }));
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const mean = (x: readonly number[]) => x.reduce((s, v) => s + v, 0) / x.length;
const spread = (x: readonly number[]) => {
  const m = mean(x);
  return Math.sqrt(mean(x.map((v) => (v - m) ** 2)));
};

/** A rule from the evidence to a score in [0, 1]. */
export type FusionRule = (e: OnsetEvidence) => number;

/** The rules compared (the first is the shipped one). */
export const FUSION_RULES: Readonly<Record<string, FusionRule>> = {
  'stage 2 (mean logit, shipped)': (e) => sigmoid(mean(e.logits)),
  'stage 2^0.9 x window^0.1': (e) => sigmoid(mean(e.logits)) ** 0.9 * e.window ** 0.1,
  'stage 2^0.75 x window^0.25': (e) => sigmoid(mean(e.logits)) ** 0.75 * e.window ** 0.25,
  'sqrt(stage 2 x window)': (e) => Math.sqrt(sigmoid(mean(e.logits)) * e.window),
  'stage 2 where window >= 0.1': (e) => (e.window >= 0.1 ? sigmoid(mean(e.logits)) : 0),
  'least confident member': (e) => sigmoid(Math.min(...e.logits)),
  'mean - 0.5 sd of the logits': (e) => sigmoid(mean(e.logits) - 0.5 * spread(e.logits)),
  'mean - 1 sd of the logits': (e) => sigmoid(mean(e.logits) - spread(e.logits)),
};

export function fuse(evidence: readonly OnsetEvidence[], rule: FusionRule): ScoredOnset[] {
  return evidence.map((e) => ({ trigger: e.onset.trigger, context: e.onset.context, score: rule(e) }));
}
