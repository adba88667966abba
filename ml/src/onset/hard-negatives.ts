import { ONSET_FEATURES } from '#shared/detect/onset-features.js';
import type { OnsetModel } from '#shared/detect/onset-model.js';
import { row } from './example-cache.js';
import { concatExamples, type OnsetExamples } from './onset-examples.js';

/** How the second round of stage-2 training weights the first round's hardest negatives. */
export interface HardNegativeOptions {
  /** Share of the negatives, the highest-scoring, that are mined (0..1). */
  share: number;
  /** Extra copies of each mined negative in the second round's examples. */
  copies: number;
}

/** What mining found, for the training record. */
export interface HardNegativeRecord extends HardNegativeOptions {
  mined: number;
  /** The lowest first-round score among the mined negatives. */
  minScore: number;
}

/**
 * Bootstrapping (the cascade detectors' hard-negative mining): scores every
 * negative with a first-round model and returns the `share` it scores
 * highest. At 1 false alarm per hour the threshold is set by a handful of
 * onsets out of many thousands, the sounds that look most like a shot; a
 * second round that sees those again (`withHardNegatives`) spends its
 * capacity on that boundary instead of on the easy bulk.
 */
export function mineHardNegatives(ex: OnsetExamples, model: OnsetModel, share: number): { mined: OnsetExamples; minScore: number } {
  if (!(share > 0 && share <= 1)) throw new Error(`hard-negative share must be in (0, 1], not ${share}`);
  const scored: { i: number; score: number }[] = [];
  for (let i = 0; i < ex.count; i++) {
    if (ex.labels[i] === 0) scored.push({ i, score: model.score(row(ex.features, i)) });
  }
  scored.sort((a, b) => b.score - a.score || a.i - b.i);
  const top = scored.slice(0, Math.max(1, Math.round(share * scored.length)));
  return { mined: selectExamples(ex, top.map((s) => s.i)), minScore: top.length > 0 ? top[top.length - 1].score : Number.NaN };
}

/** The examples with `copies` more copies of the mined negatives appended. */
export function withHardNegatives(ex: OnsetExamples, mined: OnsetExamples, copies: number): OnsetExamples {
  return concatExamples([ex, ...Array.from({ length: copies }, () => mined)]);
}

/** The examples at `indices`, in that order. */
export function selectExamples(ex: OnsetExamples, indices: readonly number[]): OnsetExamples {
  const features = new Float32Array(indices.length * ONSET_FEATURES);
  const labels = new Uint8Array(indices.length);
  indices.forEach((i, n) => {
    features.set(row(ex.features, i), n * ONSET_FEATURES);
    labels[n] = ex.labels[i];
  });
  return { features, labels, count: indices.length, sources: indices.map((i) => ex.sources[i]) };
}
