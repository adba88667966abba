import { defaultCacheDir } from '../dataset/index-file.js';
import type { Random } from '#shared/util/random.js';
import { colouredNoise, NOISE_COLOURS } from '../honest/coloured-noise.js';
import { forestStream, type ForestRecording } from '../honest/forest-audio.js';
import {
  augmentAll, capVoice, dataStreams, DATA_BUDGET, loadClips, splitIndex, type FetchedDataOptions,
} from '../train/dataset-assembly.js';
import { backgroundsOf, modelledConfusers, syntheticGunshots } from '../train/synthetic-set.js';
import type { LabelledClip } from '../train/types.js';
import { negativeScenes } from './negative-scenes.js';
import type { ConfuserKind } from '../synth/confuser-source.js';

/** Modelled confusers among stage 2's negatives (synthetic-set.ts modelledConfusers). */
export interface ModelledConfusers {
  count: number;
  /** Default: every kind. */
  kinds?: ConfuserKind[];
}

// The example builders are pure (no data fetch): the cloud's retrain imports them from onset-examples.ts.
export { concatExamples, examplesOf, labelOf, streamExamples, FOLLOW_ON_SEC, type OnsetExamples, type OnsetJitter } from './onset-examples.js';

const RATE = 16000;

export interface OnsetTrainingAudio {
  negatives: LabelledClip[];
  positives: LabelledClip[];
  /** The negatives made scenes as the modelled shots are (negative-scenes.ts), when asked for. */
  negativeScenes?: LabelledClip[];
}

/**
 * The training side's audio for stage 2 (validation packages never enter):
 * every training original (long files cut into pieces), the real gunshots
 * with `gunshotRounds` rounds of augmentation, and `synthetic` modelled scenes
 * over training backgrounds; with `negativeScenes`, every negative also as a
 * scene (negative-scenes.ts); with `confusers`, that many modelled confusers
 * (synthetic-set.ts) among the negatives.
 */
export async function onsetTrainingAudio(o: FetchedDataOptions & { synthetic: number; gunshotRounds: number; negativeScenes?: boolean; confusers?: ModelledConfusers }): Promise<OnsetTrainingAudio> {
  const sides = await splitIndex(o.cacheDir ?? defaultCacheDir());
  const rand = dataStreams(o.seed);
  const originals = await loadClips(capVoice(sides.train, DATA_BUDGET.voiceOriginals.train, rand('voice-train')), DATA_BUDGET);
  const backgrounds = backgroundsOf(originals);
  const realShots = augmentAll(originals.filter((c) => c.labels.includes('gunshot')), backgrounds, rand('augment'), o.gunshotRounds);
  const synthetic = syntheticGunshots(o.synthetic, backgrounds, rand('synth-onset'), 'synthetic-onset-train');
  const confusers = o.confusers ? modelledConfusers(o.confusers.count, backgrounds, rand('confusers-onset'), 'confusers-onset-train', o.confusers.kinds) : [];
  const negatives = [...originals.filter((c) => !c.labels.includes('gunshot')), ...confusers];
  return {
    negatives, positives: [...realShots, ...synthetic],
    ...(o.negativeScenes ? { negativeScenes: negativeScenes(negatives, backgrounds, rand('negative-scenes')) } : {}),
  };
}

/** Stationary-noise training streams: colour and level drawn per minute (issue 12: -70 to -20 dBFS RMS, every colour). */
const NOISE_LEVELS_DBFS: readonly [number, number] = [-70, -20];

/**
 * `minutes` one-minute streams of stationary noise, each of one colour (white,
 * pink, brown) at one level: every trigger on them is a negative. The forest
 * floor under the clips covers only -50..-40 dBFS pink/brown; wind, a stream
 * or road noise at a microphone spans far more, and brown noise is what
 * fooled 0.2.0.
 */
export function* noiseStreams(minutes: number, rand: Random): Generator<{ recording: ForestRecording; gunshots: boolean }> {
  for (let m = 0; m < minutes; m++) {
    const r = rand.fork(`noise-${m}`);
    const colour = r.pick(NOISE_COLOURS);
    const samples = colouredNoise(colour, 60 * RATE, r.uniform(NOISE_LEVELS_DBFS[0], NOISE_LEVELS_DBFS[1]), r);
    yield { recording: { samples, placements: [] }, gunshots: false };
  }
}

/** Clips per forest stream: an hour or so of audio at a time, so memory stays bounded. */
const CLIPS_PER_STREAM = 400;

/**
 * Training streams, built lazily a chunk at a time: the negatives placed
 * `negativePasses` times (new gains, floors and neighbours each pass; every
 * pass after the first places their scenes instead when `a` has them), the
 * positives once.
 */
export function* trainingStreams(a: OnsetTrainingAudio, rand: Random, negativePasses: number): Generator<{ recording: ForestRecording; gunshots: boolean }> {
  for (let pass = 0; pass < negativePasses; pass++) {
    const negatives = pass > 0 && a.negativeScenes ? a.negativeScenes : a.negatives;
    for (let c = 0; c * CLIPS_PER_STREAM < negatives.length; c++) {
      const clips = negatives.slice(c * CLIPS_PER_STREAM, (c + 1) * CLIPS_PER_STREAM);
      yield { recording: forestStream(clips, { rand: rand.fork(`negatives-${pass}-${c}`), gainDb: [-12, 6] }), gunshots: false };
    }
  }
  for (let c = 0; c * CLIPS_PER_STREAM < a.positives.length; c++) {
    const clips = a.positives.slice(c * CLIPS_PER_STREAM, (c + 1) * CLIPS_PER_STREAM);
    yield { recording: forestStream(clips, { rand: rand.fork(`positives-${c}`), gapSec: [2, 6], gainDb: [-12, 6] }), gunshots: true };
  }
}
