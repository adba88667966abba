import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ONSET_FEATURES } from '#shared/detect/onset-features.js';
import { describeOnsets, type ScoredOnset } from '#shared/detect/gunshot-onsets.js';
import { contextsOf } from '#shared/detect/trigger-history.js';
import { OnsetModel, ONSET_MODEL_FILE, type OnsetModelFile } from '#shared/detect/onset-model.js';
import type { Logger } from '#shared/util/logger.js';
import { createRandom } from '#shared/util/random.js';
import { alarmCurve } from '../honest/alarm-curve.js';
import { honestReport, honestStreams, type HonestReport } from '../honest/honest-eval.js';
import { validationClips } from '../train/dataset-assembly.js';
import { cached, EXAMPLES_IO, row, VALIDATION_IO, type ValidationOnsets } from './example-cache.js';
import { concatExamples, examplesOf, noiseStreams, onsetTrainingAudio, trainingStreams, type ModelledConfusers, type OnsetExamples, type OnsetJitter } from './onset-data.js';
import { scoredOnsetDetector } from './onset-detector.js';
import { mergeNets } from './ensemble.js';
import { mineHardNegatives, withHardNegatives, type HardNegativeOptions, type HardNegativeRecord } from './hard-negatives.js';
import { DEFAULT_ONSET_NET, trainOnsetNet, type OnsetNetOptions, type TrainedOnsetNet } from './train-onset.js';

export interface OnsetTrainingOptions {
  cacheDir?: string;
  seed: number;
  logger: Logger;
  outDir: string;
  version: string;
  /** Modelled gunshot scenes for training. Default 1500. */
  synthetic?: number;
  /** Augmentation rounds of each real gunshot. Default 3. */
  gunshotRounds?: number;
  /** Times every negative clip is placed in the forest streams. Default 2. */
  negativePasses?: number;
  /** Modelled confusers among the negatives (synthetic-set.ts modelledConfusers). Default none. */
  confusers?: ModelledConfusers;
  /** Place the negatives' scenes (negative-scenes.ts) instead of the plain clips in every pass after the first. Default false. */
  negativeScenes?: boolean;
  /** Jittered copies of every training example (onset-examples.ts OnsetJitter). Default none. */
  jitter?: { samples: number; copies: number };
  /** Minutes of stationary noise of every colour and level (all negatives). Default DEFAULT_NOISE_MINUTES. */
  noiseMinutes?: number;
  /** False-alarm budget the threshold is chosen for, per hour of validation forest audio. Default 1. */
  maxFalseAlarmsPerHour?: number;
  net?: Partial<Omit<OnsetNetOptions, 'logger' | 'seed'>>;
  /** Nets trained with different seeds and merged into one (see ensemble.ts). Default DEFAULT_MEMBERS. */
  members?: number;
  /** Directory to keep computed examples in (see example-cache.ts). */
  examplesCache?: string;
  /**
   * A second round (hard-negatives.ts): the first round's ensemble (or
   * `firstRound`, an already trained stage 2 on the same features) scores the
   * training negatives, and the ensemble is trained again with extra copies of
   * the highest-scoring ones.
   */
  hardNegatives?: HardNegativeOptions & { firstRound?: OnsetModel };
}

const BURST_GAP_SEC = 1;
/** Ensemble size of the shipped stage 2 (measured in docs/model.md). */
export const DEFAULT_MEMBERS = 5;
export const DEFAULT_NOISE_MINUTES = 600;

/**
 * `npm run train -- --onset`: trains stage 2 of the gunshot detector on the
 * training packages' audio placed in forest streams (every trigger off a
 * gunshot is a hard negative), chooses its threshold for the false-alarm
 * budget on the validation packages' honest streams, and writes
 * `<outDir>/onset-model.json` with the validation figures in `training`.
 */
export async function runOnsetTraining(o: OnsetTrainingOptions): Promise<{ file: OnsetModelFile; report: HonestReport }> {
  const started = Date.now();
  const forest = await cached(o.examplesCache, 'train', async () => {
    const audio = await onsetTrainingAudio({ cacheDir: o.cacheDir, seed: o.seed, logger: o.logger, synthetic: o.synthetic ?? 1500, gunshotRounds: o.gunshotRounds ?? 3, negativeScenes: o.negativeScenes, confusers: o.confusers });
    o.logger.info({ negatives: audio.negatives.length, positives: audio.positives.length }, 'onset training audio');
    return examplesOf(trainingStreams(audio, createRandom(`onset-streams-${o.seed}`), o.negativePasses ?? 2), jitterOf(o, 'streams'));
  }, EXAMPLES_IO);
  const noiseMinutes = o.noiseMinutes ?? DEFAULT_NOISE_MINUTES;
  const noise = await cached(o.examplesCache, `noise-${noiseMinutes}`, () => examplesOf(noiseStreams(noiseMinutes, createRandom(`onset-noise-${o.seed}`)), jitterOf(o, 'noise')), EXAMPLES_IO);
  o.logger.info({ noiseMinutes, noiseExamples: noise.count }, 'stationary-noise examples');
  const examples = concatExamples([forest, noise]);
  const positives = examples.labels.reduce((s, l) => s + l, 0);
  o.logger.info({ examples: examples.count, positives }, 'onset examples');
  const valid = await cached(o.examplesCache, 'validation', async () => validationOnsets(o), VALIDATION_IO);
  const budget = o.maxFalseAlarmsPerHour ?? 1;
  const members = o.members ?? DEFAULT_MEMBERS;
  const ensemble = (ex: OnsetExamples, round: number) => trainMembers(ex, o, members, valid, budget, round);
  let nets = o.hardNegatives?.firstRound ? [] : await ensemble(examples, 1);
  let hardNegatives: HardNegativeRecord | undefined;
  if (o.hardNegatives) {
    const { share, copies, firstRound } = o.hardNegatives;
    const first = firstRound ?? new OnsetModel(draftOf(o.version, nets[0], mergeNets(nets.map((n) => n.layers))));
    const { mined, minScore } = mineHardNegatives(examples, first, share);
    hardNegatives = { share, copies, mined: mined.count, minScore, ...(firstRound ? { firstRound: firstRound.file.version } : {}) };
    o.logger.info(hardNegatives, 'hard negatives mined for the second round');
    nets = await ensemble(withHardNegatives(examples, mined, copies), 2);
  }
  const draft = draftOf(o.version, nets[0], mergeNets(nets.map((n) => n.layers)));
  const { threshold, free, events } = atBudget(new OnsetModel(draft), valid, budget);
  const finalLoss = nets.reduce((s, n) => s + n.finalLoss, 0) / nets.length;
  const report = honestReport(scoredOnsetDetector(`two-stage ${o.version}`, threshold, BURST_GAP_SEC, free, events), {
    hours: valid.hours,
    alarmFree: { samples: new Float32Array(0), placements: valid.freePlacements },
    withEvents: { samples: new Float32Array(0), placements: valid.events },
  }, 0.5);
  const file: OnsetModelFile = {
    ...draft,
    threshold,
    training: {
      seed: o.seed,
      seconds: Math.round((Date.now() - started) / 1000),
      data: {
        examples: examples.count, positiveExamples: positives, synthetic: o.synthetic ?? 1500, negativePasses: o.negativePasses ?? 2, noiseMinutes, noiseExamples: noise.count, gunshotRounds: o.gunshotRounds ?? 3,
        ...(o.confusers ? { confusers: o.confusers } : {}), ...(o.negativeScenes ? { negativeScenes: true } : {}), ...(o.jitter ? { jitter: o.jitter } : {}), ...(hardNegatives ? { hardNegatives } : {}),
      },
      net: { ...DEFAULT_ONSET_NET, ...o.net, members, finalLoss },
      validation: { triggersPerHour: free.length / valid.hours, maxFalseAlarmsPerHour: budget, report },
    },
  };
  await mkdir(o.outDir, { recursive: true });
  await writeFile(join(o.outDir, ONSET_MODEL_FILE), `${JSON.stringify(file)}\n`);
  return { file, report };
}

/** The jitter of one example set, from its own seeded stream. */
function jitterOf(o: OnsetTrainingOptions, set: string): OnsetJitter | undefined {
  return o.jitter ? { ...o.jitter, rand: createRandom(`onset-jitter-${set}-${o.seed}`) } : undefined;
}

/** Trains `members` nets from different seeds, logging each one's recall at the budget. */
async function trainMembers(ex: OnsetExamples, o: OnsetTrainingOptions, members: number, valid: ValidationOnsets, budget: number, round: number): Promise<TrainedOnsetNet[]> {
  const nets: TrainedOnsetNet[] = [];
  for (let j = 0; j < members; j++) {
    nets.push(await trainOnsetNet(ex, { ...DEFAULT_ONSET_NET, ...o.net, seed: o.seed + 1000 * j, logger: o.logger }));
    const alone = atBudget(new OnsetModel(draftOf(o.version, nets[j], nets[j].layers)), valid, budget);
    o.logger.info({ round, member: j, threshold: alone.threshold, eventRecall: alone.eventRecall }, 'onset net member at the false-alarm budget');
  }
  return nets;
}

function draftOf(version: string, net: TrainedOnsetNet, layers: OnsetModelFile['layers']): OnsetModelFile {
  return { format: 'ecosight-onset-mlp/1', version, inputSize: net.inputSize, mean: net.mean, std: net.std, layers, threshold: 0.5, burstGapSec: BURST_GAP_SEC };
}

/** The lowest threshold with the best event recall within the false-alarm budget on the validation streams. */
function atBudget(model: OnsetModel, valid: ValidationOnsets, budget: number): { threshold: number; eventRecall: number; free: ScoredOnset[]; events: ScoredOnset[] } {
  const score = (s: ValidationOnsets['alarmFree']) => {
    const contexts = contextsOf(s.triggers, 16000);
    return s.triggers.map((trigger, i) => ({ trigger, context: contexts[i], score: model.score(row(s.features, i)) }));
  };
  const free = score(valid.alarmFree);
  const events = score(valid.withEvents);
  const { sweep } = alarmCurve(scoredOnsetDetector('probe', 0.5, BURST_GAP_SEC, free, events), valid.events, valid.hours, 0.5);
  const ok = sweep.filter((p) => p.falseAlarmsPerHour <= budget);
  const best = ok.length > 0 ? Math.max(...ok.map((q) => q.eventRecall)) : 0;
  const threshold = ok.length > 0 ? Math.min(...ok.filter((p) => p.eventRecall === best).map((p) => p.threshold)) : 1;
  return { threshold, eventRecall: best, free, events };
}

/** Triggers and features of the validation packages' honest streams (the audio itself is dropped). */
async function validationOnsets(o: OnsetTrainingOptions): Promise<ValidationOnsets> {
  const streams = honestStreams(await validationClips({ cacheDir: o.cacheDir, seed: o.seed, logger: o.logger }), o.seed);
  const of = (x: Float32Array) => {
    const described = describeOnsets(x, 16000);
    const features = new Float32Array(described.length * ONSET_FEATURES);
    described.forEach((d, i) => features.set(d.features, i * ONSET_FEATURES));
    return { triggers: described.map((d) => d.trigger), features };
  };
  return Promise.resolve({ hours: streams.hours, events: streams.withEvents.placements, freePlacements: streams.alarmFree.placements, alarmFree: of(streams.alarmFree.samples), withEvents: of(streams.withEvents.samples) });
}
