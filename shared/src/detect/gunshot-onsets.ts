import { findImpulses, type ImpulseTrigger, type ImpulseTriggerOptions } from './impulse-trigger.js';
import { OnsetFeaturizer } from './onset-features.js';
import type { OnsetModel } from './onset-model.js';
import { contextsOf, HISTORY_SEC, type OnsetContext } from './trigger-history.js';

/** One trigger with its stage-2 score. */
export interface ScoredOnset {
  trigger: ImpulseTrigger;
  /** What came before it (trigger-history.ts). */
  context: OnsetContext;
  /** Stage-2 gunshot probability. */
  score: number;
}

/** A gunshot alarm of the two-stage detector: one onset or a burst of them. */
export interface GunshotAlarm {
  /** Onset of the first shot, sample index. */
  onsetSample: number;
  /** Onset of the last shot of the burst. */
  lastOnsetSample: number;
  /** Every accepted onset (the shot counter's input). */
  shotSamples: number[];
  /** Highest stage-2 score among them. */
  peakScore: number;
}

/**
 * A new alarm is not started when at least this many triggers fell in the
 * HISTORY_SEC (5 s) before it: rain on leaves or on the housing, hail or a
 * crackling fire make an impulsive texture of several onsets per second, each
 * of which can look like a distant shot on its own, while a real shot (or the
 * first of a burst) comes out of comparative quiet (on the validation event
 * stream 98 % of shots have at most 5 triggers in the 5 s before them).
 * Later shots of an alarm already open are not affected. In a stream's first
 * 5 s the rate is judged over the audio seen so far (at least 1 s): a station
 * that starts, or a recorder file that begins, in the rain would otherwise
 * take its first drops for a shot before the history fills.
 */
export const TEXTURE_TRIGGERS = 8;
/** Shortest span the texture rate is judged over at a stream's start, s. */
const MIN_TEXTURE_SPAN_SEC = 1;

/** True when a trigger arrives inside an impulsive texture (see TEXTURE_TRIGGERS). */
export function inTexture(context: OnsetContext): boolean {
  const span = Math.max(MIN_TEXTURE_SPAN_SEC, context.historySec);
  return (context.recent5s * HISTORY_SEC) / span >= TEXTURE_TRIGGERS;
}

/** One trigger with what came before it and stage 2's input. */
export interface DescribedOnset {
  trigger: ImpulseTrigger;
  context: OnsetContext;
  features: Float32Array;
}

/** Stage 1 over a whole signal, and each trigger's context and stage-2 features (what any stage 2 would score). */
export function describeOnsets(samples: Float32Array, sampleRateHz = 16000, trigger?: Partial<ImpulseTriggerOptions>): DescribedOnset[] {
  const triggers = findImpulses(samples, { sampleRateHz, ...trigger });
  const contexts = contextsOf(triggers, sampleRateHz);
  const featurizer = new OnsetFeaturizer(sampleRateHz);
  return triggers.map((t, i) => ({ trigger: t, context: contexts[i], features: featurizer.features(samples, t.onsetSample, t, contexts[i]) }));
}

/** Stage 1 + stage 2 over a whole signal: every trigger with its score. */
export function scoreOnsets(samples: Float32Array, model: OnsetModel, sampleRateHz = 16000, trigger?: Partial<ImpulseTriggerOptions>): ScoredOnset[] {
  return describeOnsets(samples, sampleRateHz, trigger).map(({ trigger: t, context, features }) => ({ trigger: t, context, score: model.score(features) }));
}

/**
 * Accepted onsets (score >= threshold) grouped into alarms: an onset within
 * `burstGapSec` of the previous accepted one extends its alarm (a burst is one
 * alarm with several shots); an onset inside an impulsive texture starts none
 * (inTexture). `onsets` must hold every trigger, in order.
 */
export function groupAlarms(onsets: readonly ScoredOnset[], threshold: number, burstGapSec: number, sampleRateHz = 16000): GunshotAlarm[] {
  const alarms: GunshotAlarm[] = [];
  const gap = burstGapSec * sampleRateHz;
  for (const o of onsets) {
    if (o.score < threshold) continue;
    const s = o.trigger.onsetSample;
    const last = alarms[alarms.length - 1];
    const joins = last !== undefined && s - last.lastOnsetSample <= gap;
    if (!joins && inTexture(o.context)) continue;
    if (last && joins) {
      last.lastOnsetSample = s;
      last.shotSamples.push(s);
      last.peakScore = Math.max(last.peakScore, o.score);
    } else {
      alarms.push({ onsetSample: s, lastOnsetSample: s, shotSamples: [s], peakScore: o.score });
    }
  }
  return alarms;
}

/** The two-stage detector's alarms over a whole signal at the model's threshold. */
export function detectGunshots(samples: Float32Array, model: OnsetModel, sampleRateHz = 16000): GunshotAlarm[] {
  return groupAlarms(scoreOnsets(samples, model, sampleRateHz), model.threshold, model.file.burstGapSec, sampleRateHz);
}
