import { ONSET_FEATURES } from '#shared/detect/onset-features.js';
import type { OnsetModelFile } from '#shared/detect/onset-model.js';
import type { Random } from '#shared/util/random.js';
import type { Logger } from '#shared/util/logger.js';
import { forestStream } from '../honest/forest-audio.js';
import type { LabelledClip } from '../train/types.js';
import { examplesOf, type OnsetExamples } from './onset-examples.js';
import { DEFAULT_ONSET_NET, trainOnsetNet } from './train-onset.js';

const ALARM_CLASS = 'gunshot';
/** Gain of each clip in a site's training streams, dB (as the offline stage-2 training). */
const SITE_GAIN_DB: readonly [number, number] = [-12, 6];
/**
 * A hard negative (a clip the station called gunshot and a reviewer corrected)
 * is placed once at each of these gains, dB: its triggers count four times,
 * at four levels, since one corrected confuser stands for many at that site.
 */
export const HARD_NEGATIVE_GAINS_DB: readonly number[] = [-12, -6, 0, 6];

/** Onset examples of a site with the hard negatives marked. */
export interface SiteExamples extends OnsetExamples {
  /** 1 where the example is a trigger of a reviewed "not a gunshot" clip. */
  hard: Uint8Array;
}

/**
 * Examples of one chunk of a site's originals placed in forest streams
 * (forest-audio.ts): the gunshot clips in one stream (a trigger at a clip's
 * onset is a positive), the others in a gunshot-free stream (every trigger a
 * negative). The chunk's audio can be dropped afterwards; only feature rows stay.
 */
export function chunkExamples(clips: readonly LabelledClip[], rand: Random): OnsetExamples {
  const shots = clips.filter((c) => c.labels.includes(ALARM_CLASS));
  const others = clips.filter((c) => !c.labels.includes(ALARM_CLASS));
  const streams = [];
  if (others.length > 0) streams.push({ recording: forestStream(others, { rand: rand.fork('negatives'), gainDb: SITE_GAIN_DB }), gunshots: false });
  if (shots.length > 0) streams.push({ recording: forestStream(shots, { rand: rand.fork('positives'), gapSec: [2, 6], gainDb: SITE_GAIN_DB }), gunshots: true });
  return examplesOf(streams);
}

/** Every trigger of the hard-negative clips, each clip placed once per HARD_NEGATIVE_GAINS_DB gain: all negatives. */
export function hardNegativeExamples(clips: readonly LabelledClip[], rand: Random): OnsetExamples {
  const negatives = clips.map((c) => ({ ...c, labels: c.labels.filter((l) => l !== ALARM_CLASS) }));
  if (negatives.length === 0) return examplesOf([]);
  return examplesOf(HARD_NEGATIVE_GAINS_DB.map((g) => ({
    recording: forestStream(negatives, { rand: rand.fork(`hard-${g}`), gainDb: [g, g] }), gunshots: false,
  })));
}

/** Stacks example sets; `hard` marks the rows of the sets flagged as hard negatives. */
export function stackExamples(parts: readonly { examples: OnsetExamples; hard: boolean }[]): SiteExamples {
  const count = parts.reduce((s, p) => s + p.examples.count, 0);
  const features = new Float32Array(count * ONSET_FEATURES);
  const labels = new Uint8Array(count);
  const hard = new Uint8Array(count);
  const sources: string[] = [];
  let at = 0;
  for (const { examples, hard: isHard } of parts) {
    features.set(examples.features.subarray(0, examples.count * ONSET_FEATURES), at * ONSET_FEATURES);
    labels.set(examples.labels.subarray(0, examples.count), at);
    if (isHard) hard.fill(1, at, at + examples.count);
    sources.push(...examples.sources);
    at += examples.count;
  }
  return { features, labels, count, sources, hard };
}

export interface FineTuneOptions {
  /** Version of the fine-tuned model. */
  version: string;
  /** Passes over the examples (a few: the base already knows gunshots). */
  epochs: number;
  /** Adam's learning rate (low: 1e-4 keeps the base's decision surface near where it was). */
  learningRate: number;
  batchSize: number;
  seed: number;
  logger: Logger;
}

/** What a fine-tuned onset model records about its training. */
export interface FineTuneRecord {
  baseVersion: string;
  examples: number;
  positives: number;
  negatives: number;
  hardNegativeExamples: number;
  epochs: number;
  learningRate: number;
  finalLoss: number | null;
  /** The base's threshold is kept: a site has too little held-out audio to choose one honestly. */
  threshold: 'base';
}

/**
 * Fine-tunes a shipped stage-2 net on a site's examples: warm start from the
 * base's weights, its standardisation kept, a few epochs at a low learning
 * rate, the base's threshold and burst gap kept. Training from scratch on a
 * site's few hundred clips would forget what the base learnt from thousands.
 */
export async function fineTuneOnset(base: OnsetModelFile, ex: SiteExamples, o: FineTuneOptions): Promise<OnsetModelFile & { training: FineTuneRecord }> {
  const positives = ex.labels.reduce((s, l) => s + l, 0);
  const net = await trainOnsetNet(ex, {
    hidden: [], epochs: ex.count > 0 ? o.epochs : 0, batchSize: o.batchSize, learningRate: o.learningRate, positiveShare: 0.3, dropout: DEFAULT_ONSET_NET.dropout, seed: o.seed, logger: o.logger,
    initial: base,
  });
  const training: FineTuneRecord = {
    baseVersion: base.version,
    examples: ex.count,
    positives,
    negatives: ex.count - positives,
    hardNegativeExamples: ex.hard.reduce((s, h) => s + h, 0),
    epochs: ex.count > 0 ? o.epochs : 0,
    learningRate: o.learningRate,
    finalLoss: Number.isFinite(net.finalLoss) ? net.finalLoss : null,
    threshold: 'base',
  };
  return {
    format: base.format, version: o.version, inputSize: base.inputSize, mean: net.mean, std: net.std, layers: net.layers,
    threshold: base.threshold, burstGapSec: base.burstGapSec, training,
  };
}
