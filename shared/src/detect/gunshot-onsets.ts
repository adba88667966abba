import { findImpulses, type ImpulseTrigger, type ImpulseTriggerOptions } from './impulse-trigger.js';
import { onsetFeatures } from './onset-features.js';
import type { OnsetModel } from './onset-model.js';

/** One trigger with its stage-2 score. */
export interface ScoredOnset {
  trigger: ImpulseTrigger;
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

/** Stage 1 + stage 2 over a whole signal: every trigger with its score. */
export function scoreOnsets(samples: Float32Array, model: OnsetModel, sampleRateHz = 16000, trigger?: Partial<ImpulseTriggerOptions>): ScoredOnset[] {
  return findImpulses(samples, { sampleRateHz, ...trigger }).map((t) => ({
    trigger: t,
    score: model.score(onsetFeatures(samples, t.onsetSample, t, sampleRateHz)),
  }));
}

/**
 * Accepted onsets (score >= threshold) grouped into alarms: an onset within
 * `burstGapSec` of the previous accepted one extends its alarm (a burst is one
 * alarm with several shots).
 */
export function groupAlarms(onsets: readonly ScoredOnset[], threshold: number, burstGapSec: number, sampleRateHz = 16000): GunshotAlarm[] {
  const alarms: GunshotAlarm[] = [];
  const gap = burstGapSec * sampleRateHz;
  for (const o of onsets) {
    if (o.score < threshold) continue;
    const s = o.trigger.onsetSample;
    const last = alarms[alarms.length - 1];
    if (last && s - last.lastOnsetSample <= gap) {
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
