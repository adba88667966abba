import { findImpulses, type ImpulseTrigger } from '#shared/detect/impulse-trigger.js';
import { ONSET_FEATURES, OnsetFeaturizer } from '#shared/detect/onset-features.js';
import { contextsOf, type OnsetContext } from '#shared/detect/trigger-history.js';
import type { Random } from '#shared/util/random.js';
import { holdsOnset, type ForestRecording, type Placement } from '../honest/forest-audio.js';

const RATE = 16000;
/** A trigger this close after a gunshot's labelled onset is the shot (or a shot of its burst), s. */
const POSITIVE_WINDOW_SEC: readonly [number, number] = [-0.05, 0.3];
/**
 * ... unless it follows another trigger this closely: stage 1's 50 ms
 * refractory period keeps firing through a loud sound that goes on (a shot's
 * reverberant tail as much as a note of music), and such follow-ons made up
 * three quarters of the positives, teaching stage 2 that a trigger inside a
 * loud sound is a shot. A shot is its first trigger, out of comparative quiet
 * (or a later shot of a burst, >= 60 ms apart); follow-ons inside a gunshot
 * are left out, neither taught as shots nor as not.
 */
export const FOLLOW_ON_SEC = 0.06;

/** Onset examples: features row-major, label 1 = gunshot. */
export interface OnsetExamples {
  features: Float32Array;
  labels: Uint8Array;
  count: number;
  /** Source of each example (placement id, `floor` between clips, `noise` in a stationary-noise stream). */
  sources: string[];
}

/**
 * Triggers of one forest stream as examples. In the gunshot-free stream every
 * trigger is a negative (the hard negatives issue 12 asks for: every impulsive
 * onset of the training audio); in the gunshot stream, a trigger within
 * -50..+300 ms of a gunshot clip's onset is a positive unless it is a
 * follow-on (FOLLOW_ON_SEC), a trigger over the bare floor a negative, and
 * other triggers inside a gunshot clip (its background bed, a late echo,
 * follow-ons) are left out rather than taught either way.
 */
export function streamExamples(s: ForestRecording, gunshots: boolean, alarmClass = 'gunshot'): { triggers: ImpulseTrigger[]; contexts: OnsetContext[]; labels: number[]; sources: string[] } {
  const all = findImpulses(s.samples, { sampleRateHz: RATE });
  // Context over every trigger, before any is left out: the station sees them all.
  const allContexts = contextsOf(all, RATE);
  const triggers: ImpulseTrigger[] = [];
  const contexts: OnsetContext[] = [];
  const labels: number[] = [];
  const sources: string[] = [];
  let p = 0;
  const sorted = [...s.placements].sort((a, b) => a.startSec - b.startSec);
  for (const [n, t] of all.entries()) {
    const sec = t.onsetSample / RATE;
    while (p < sorted.length - 1 && sorted[p].endSec + 0.5 < sec) p++;
    const around = sorted.slice(Math.max(0, p - 1), p + 2).find((q) => holdsOnset(q, sec, 0.5));
    const label = labelOf(sec, allContexts[n], around, gunshots, alarmClass);
    if (label === undefined) continue;
    triggers.push(t);
    contexts.push(allContexts[n]);
    labels.push(label);
    sources.push(around?.id ?? 'floor');
  }
  return { triggers, contexts, labels, sources };
}

/** A trigger's label: 1 a shot, 0 not, undefined left out (see streamExamples). */
export function labelOf(sec: number, context: OnsetContext, around: Placement | undefined, gunshots: boolean, alarmClass = 'gunshot'): number | undefined {
  if (!gunshots || !around || !around.labels.includes(alarmClass)) return 0;
  const rel = sec - around.onsetSec;
  const atOnset = rel >= POSITIVE_WINDOW_SEC[0] && rel <= POSITIVE_WINDOW_SEC[1];
  return atOnset && context.gapSec >= FOLLOW_ON_SEC ? 1 : undefined;
}

/** Several example sets as one. */
export function concatExamples(sets: readonly OnsetExamples[]): OnsetExamples {
  const count = sets.reduce((s, e) => s + e.count, 0);
  const features = new Float32Array(count * ONSET_FEATURES);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const e of sets) {
    features.set(e.features.subarray(0, e.count * ONSET_FEATURES), at * ONSET_FEATURES);
    labels.set(e.labels.subarray(0, e.count), at);
    at += e.count;
  }
  return { features, labels, count, sources: sets.flatMap((e) => e.sources) };
}

/**
 * Onset jitter: each example is also taken `copies` more times at an onset
 * moved by 1..`samples` samples (alternately earlier and later), with the same
 * label. Stage 1 places an onset at the first sample at a third of its peak;
 * where that lands on a real shot depends on the recording chain, and
 * 0.5.0-onset's score moves a long way for a 0.5 ms shift.
 */
export interface OnsetJitter {
  samples: number;
  copies: number;
  rand: Random;
}

/** Features of the examples of several streams, stacked (with jittered copies when `jitter` is given). */
export function examplesOf(streams: Iterable<{ recording: ForestRecording; gunshots: boolean }>, jitter?: OnsetJitter): OnsetExamples {
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  const sources: string[] = [];
  const featurizer = new OnsetFeaturizer(RATE);
  for (const { recording, gunshots } of streams) {
    const ex = streamExamples(recording, gunshots);
    ex.triggers.forEach((t, i) => {
      const source = recording.placements.length === 0 ? 'noise' : ex.sources[i];
      for (const shift of shiftsOf(jitter)) {
        rows.push(featurizer.features(recording.samples, t.onsetSample + shift, t, ex.contexts[i]));
        labels.push(ex.labels[i]);
        sources.push(source);
      }
    });
  }
  const features = new Float32Array(rows.length * ONSET_FEATURES);
  rows.forEach((r, i) => features.set(r, i * ONSET_FEATURES));
  return { features, labels: Uint8Array.from(labels), count: rows.length, sources };
}

/** 0 (the trigger's own onset), then each jittered copy's shift. */
function shiftsOf(jitter: OnsetJitter | undefined): number[] {
  const shifts = [0];
  for (let k = 0; jitter && k < jitter.copies; k++) shifts.push((k % 2 === 0 ? -1 : 1) * jitter.rand.int(1, jitter.samples + 1));
  return shifts;
}
