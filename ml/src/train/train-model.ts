import { join } from 'node:path';
import { LogMelFrontEnd } from '#shared/features/log-mel.js';
import { YAMNET_FRONT_END } from '#shared/features/params.js';
import type { ModelMetadata } from '#shared/model/metadata.js';
import type { tf } from '#shared/model/tf.js';
import { createRandom, type Random } from '#shared/util/random.js';
import { buildModel, EMBEDDING_LAYER, normalisationOf } from './architecture.js';
import { evaluateModel, classColumn, scoreClipsWith } from './evaluate.js';
import { fitHeadOnEmbeddings, headBackbone } from './head-trainer.js';
import { streamEmbeddings, streamPatches } from './embedding-stream.js';
import { DiskPatches } from './disk-patches.js';
import { alarmFreeAudio, clipLength, withEventsAudio, type LongAudio } from './long-audio-stream.js';
import type { EvaluationReport } from './metrics.js';
import { buildPatchSet, PatchSet } from './patch-set.js';
import { scoreStream } from './score-signal.js';
import { chooseThresholds } from './thresholds.js';
import { TrainError, throwIfAborted } from './train-errors.js';
import { fitNetwork, type EpochSelection, type FitOptions, type FitResult } from './trainer.js';
import { ensureTrainableConv2d } from '#shared/model/backend.js';
import type { ClipStream, LabelledClip, TrainOptions, TrainProgress, TrainResult } from './types.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';

/** Validation clips are dithered with this fixed seed, here and in evaluateModel. */
const VALIDATION_DITHER_SEED = 1;

/**
 * Trains a model on `train`, picks early-stopping epoch and thresholds on
 * `valid`, and evaluates it there. The caller owns the split: `valid` must hold
 * whole groups (packages, or originals with all their augmented copies) that
 * `train` does not; this is checked.
 */
export async function trainModel(train: readonly LabelledClip[] | ClipStream, valid: LabelledClip[], opts: TrainOptions): Promise<TrainResult> {
  if (isClipArray(train)) checkSplit(train, valid);
  if (opts.mode === 'head' && !opts.base) throw new TrainError('head-only training needs a base model');
  ensureTrainableConv2d();
  const report = (p: TrainProgress) => opts.onProgress?.(p);
  const frontEndParams = opts.frontEnd ?? opts.base?.metadata.frontEnd ?? YAMNET_FRONT_END;
  const frontEnd = new LogMelFrontEnd(frontEndParams);
  const rand = createRandom(opts.seed);

  const count = isClipArray(train) ? train.length : train.count;
  report({ stage: 'features', percent: 0, message: `log-mel patches of ${count} training clips` });
  const onClip = (done: number, total: number) => progressEvery(done, total, (f) => report({ stage: 'features', percent: 12 * f, message: `features ${done}/${total} clips` }));
  const summary = new ClipSummary(valid);
  const validDither = () => createRandom(`dither-${VALIDATION_DITHER_SEED}`);
  let trainSet: PatchSet;
  let validStats: PatchCounts;
  let fitted: { model: tf.LayersModel; fit: FitResult };
  if (opts.mode === 'head') {
    // Head-only: training and validation clips become embeddings as they arrive; neither they nor their patches are kept.
    const base = (opts.base as NonNullable<TrainOptions['base']>).model;
    const backbone = headBackbone(base);
    const stream = isClipArray(train) ? clipStream(train) : train;
    trainSet = await streamEmbeddings(stream, backbone, opts.classes, { frontEnd, random: rand.fork('dither-train'), check: (c) => summary.add(c), signal: opts.signal, onClip });
    if (trainSet.count === 0) throw new TrainError('no training patches: every training clip was empty or silent');
    const validEmb = await streamEmbeddings(clipStream(valid), backbone, opts.classes, { frontEnd, random: validDither(), check: () => undefined, signal: opts.signal });
    validStats = validEmb;
    fitted = await fitHeadOnEmbeddings(base, opts.classes, trainSet, validEmb, opts.seed, fitOptions(opts, rand));
  } else {
    // Full: the patches themselves are the training data; with a scratch directory they live on disk.
    const disk = (name: string) => (opts.scratchDir ? new DiskPatches(join(opts.scratchDir, name), frontEndParams.patchFrames * frontEndParams.melBands) : undefined);
    const stores = [disk('valid.f32'), disk('train.f32')];
    try {
      const validSet = buildPatchSet(valid, opts.classes, { frontEnd, random: validDither(), signal: opts.signal, storage: stores[0] });
      validStats = validSet;
      const stream = isClipArray(train) ? clipStream(train) : train;
      trainSet = await streamPatches(stream, new PatchSet(opts.classes, frontEndParams.patchFrames, frontEndParams.melBands, stores[1]), {
        frontEnd, random: rand.fork('dither-train'), check: (c) => summary.add(c), signal: opts.signal, onClip,
      });
      if (trainSet.count === 0) throw new TrainError('no training patches: every training clip was empty or silent');
      fitted = await fitFull(trainSet, validSet, opts, rand);
    } finally {
      for (const s of stores) s?.close();
    }
  }
  const { model, fit } = fitted;
  throwIfAborted(opts.signal);

  report({ stage: 'thresholds', percent: 88, message: 'choosing thresholds on validation' });
  const alarm = opts.alarmClass ?? 'gunshot';
  // Long audio is rendered and scored a chunk at a time: it is never held whole.
  const longAudio = validationLongAudio(valid, alarm, opts.longNegativeMinutes ?? 60, opts.seed);
  const validScored = scoreClipsWith(model, frontEndParams, opts.classes, valid, VALIDATION_DITHER_SEED);
  const alarmIndex = opts.classes.indexOf(alarm);
  const alarmFreeScores = alarmIndex >= 0 && longAudio.alarmFree.lengthSamples > 0
    ? classColumn(scoreStream(model, frontEnd, longAudio.alarmFree).scores, alarmIndex, opts.classes.length)
    : undefined;
  const choice = chooseThresholds(validScored.scores, validScored.truth, opts.classes, {
    alarmClass: alarm,
    maxFalseAlarmsPerHour: opts.gunshotMaxFalseAlarmsPerHour ?? 1,
    alarmFreeScores,
    alarmFreeHours: longAudio.alarmFree.lengthSamples / frontEndParams.sampleRateHz / 3600,
  });
  throwIfAborted(opts.signal);

  report({ stage: 'evaluate', percent: 94, message: 'evaluating on validation' });
  const metadata = describe(model, opts, frontEndParams, choice.thresholds, trainSet, validStats, fit, summary);
  // The validation clips and the alarm-free audio were scored by this model for the thresholds: not again.
  const validation = evaluateModel({ model, metadata }, valid, {
    alarmClass: alarm, alarmFree: longAudio.alarmFree, withEvents: longAudio.withEvents, ditherSeed: VALIDATION_DITHER_SEED,
    clipScores: validScored, alarmFreeScores,
  });
  metadata.metrics = { validation: compactReport(validation), thresholdReasons: choice.reasons };
  metadata.weakClasses = weakClasses(opts.classes, trainSet, validation);
  report({ stage: 'done', percent: 100, message: 'training finished' });
  return { model, metadata, history: fit.history, validation, bestEpoch: fit.bestEpoch };
}

function fitOptions(opts: TrainOptions, rand: Random, augment?: FitOptions['augment']): FitOptions {
  return {
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    patience: opts.patience,
    learningRate: opts.learningRate ?? (opts.mode === 'head' ? 1e-2 : 2e-3),
    rand: rand.fork('fit'),
    maxStepsPerEpoch: opts.maxStepsPerEpoch,
    maxSteps: opts.maxSteps,
    signal: opts.signal,
    progressBase: 12,
    progressSpan: 75,
    onProgress: opts.onProgress,
    labelSmoothing: opts.labelSmoothing,
    sampling: opts.sampling,
    select: epochSelection(opts),
    augment,
  };
}

async function fitFull(trainSet: PatchSet, validSet: PatchSet, opts: TrainOptions, rand: Random): Promise<{ model: tf.LayersModel; fit: FitResult }> {
  const augment = opts.augmentBatches === false ? undefined : {
    frames: trainSet.frames, melBands: trainSet.bands, logOffset: (opts.frontEnd ?? opts.base?.metadata.frontEnd ?? YAMNET_FRONT_END).logOffset,
  };
  const base = opts.base;
  const sameClasses = base !== undefined && base.metadata.classes.join('\n') === opts.classes.join('\n');
  const model = buildModel({
    classCount: opts.classes.length,
    patchShape: [trainSet.frames, trainSet.bands],
    normalisation: base ? normalisationOf(base.model) : trainSet.stats(),
    seed: opts.seed,
  });
  if (base && sameClasses) model.setWeights(base.model.getWeights());
  const fit = await fitNetwork(model, trainSet, validSet, fitOptions(opts, rand, augment));
  return { model, fit };
}

/** Validation recall of the alarm class at this false-positive rate picks the epoch under `selectOn: 'alarm-recall'`. */
const SELECTION_FALSE_POSITIVE_RATE = 0.005;

function epochSelection(opts: TrainOptions): EpochSelection {
  if ((opts.selectOn ?? 'loss') === 'loss') return { metric: 'loss' };
  const alarm = opts.alarmClass ?? 'gunshot';
  const classIndex = opts.classes.indexOf(alarm);
  if (classIndex < 0) throw new TrainError(`selection by alarm recall needs the alarm class "${alarm}" among the classes`);
  return { metric: 'recall', classIndex, falsePositiveRate: SELECTION_FALSE_POSITIVE_RATE };
}

/**
 * The long validation recordings: `minutes` of alarm-free audio (threshold and
 * false alarms per hour) and a stream with every alarm-class validation clip
 * dropped into alarm-free audio (event recall). Depends only on its arguments,
 * so `npm run eval` rebuilds exactly what training used.
 */
export function validationLongAudio(valid: readonly LabelledClip[], alarm: string, minutes: number, seed: number): { alarmFree: LongAudio; withEvents?: LongAudio } {
  const rand = createRandom(`long-audio-${seed}`);
  const alarmFree = alarmFreeAudio(valid, alarm, minutes * 60, rand.fork('alarm-free'));
  const positives = valid.filter((c) => c.labels.includes(alarm));
  if (positives.length === 0 || alarmFree.lengthSamples === 0) return { alarmFree };
  const needSec = positives.reduce((s, c) => s + clipLength(c) / SAMPLE_RATE_HZ + 12, 10);
  const background = alarmFreeAudio(valid, alarm, needSec, rand.fork('event-background'));
  return { alarmFree, withEvents: withEventsAudio(background, positives, alarm, rand.fork('events')) };
}

/** What metadata records of a patch set (a PatchSet, or the embeddings made from one). */
type PatchCounts = Pick<PatchSet, 'count' | 'positives' | 'negatives'>;

function describe(
  model: tf.LayersModel, opts: TrainOptions, frontEnd: ModelMetadata['frontEnd'], thresholds: Record<string, number>,
  trainSet: PatchSet, validSet: PatchCounts, fit: FitResult, clips: ClipSummary,
): ModelMetadata {
  return {
    schemaVersion: 1,
    version: opts.version,
    createdAt: new Date().toISOString(),
    frontEnd: { ...frontEnd },
    inputShape: [frontEnd.patchFrames, frontEnd.melBands, 1],
    classes: [...opts.classes],
    thresholds,
    embeddingLayer: EMBEDDING_LAYER,
    training: {
      mode: opts.mode,
      baseVersion: opts.base?.metadata.version ?? null,
      seed: opts.seed,
      batchSize: opts.batchSize,
      longNegativeMinutes: opts.longNegativeMinutes ?? 60,
      labelSmoothing: opts.labelSmoothing ?? 0,
      sampling: opts.sampling ?? {},
      selectOn: opts.selectOn ?? 'loss',
      epochsRun: fit.history.length,
      bestEpoch: fit.bestEpoch,
      firstLoss: fit.firstLoss,
      lastLoss: fit.lastLoss,
      parameters: model.countParams(),
      normalisation: normalisationOf(model),
      clips: { train: clips.trainClips, validation: clips.validClips },
      groups: { train: uniq([...clips.trainGroups]), validation: uniq([...clips.validGroups]) },
      patches: { train: trainSet.count, validation: validSet.count },
      positivePatches: {
        train: Object.fromEntries(opts.classes.map((c, i) => [c, trainSet.positives()[i]])),
        validation: Object.fromEntries(opts.classes.map((c, i) => [c, validSet.positives()[i]])),
      },
      negativePatches: { train: trainSet.negatives(), validation: validSet.negatives() },
      history: fit.history,
    },
  };
}

/** The report without bulky parts, for model_metadata.json. */
export function compactReport(r: EvaluationReport): Record<string, unknown> {
  return {
    windows: r.windows,
    macroF1: r.macroF1,
    perClass: Object.fromEntries(r.perClass.map((m) => [m.name, {
      threshold: round(m.threshold), positives: m.positives, precision: round(m.precision), recall: round(m.recall),
      f1: round(m.f1), averagePrecision: round(m.averagePrecision),
    }])),
    longAudio: r.longAudio,
    confusion: r.confusion,
  };
}

/** Classes the model should not be trusted on, with the reason. */
function weakClasses(classes: string[], trainSet: PatchSet, validation: EvaluationReport): Record<string, string> {
  const weak: Record<string, string> = {};
  const trainPositives = trainSet.positives();
  classes.forEach((name, k) => {
    const m = validation.perClass[k];
    if (trainPositives[k] === 0) weak[name] = 'no training data: the model cannot recognise this class';
    else if (m.positives === 0) weak[name] = `no validation data (${trainPositives[k]} training patches): performance unknown`;
    else if ((m.f1 ?? 0) < 0.5) weak[name] = `validation F1 ${(m.f1 ?? 0).toFixed(2)} on ${m.positives} windows`;
  });
  return weak;
}

/** Every group must sit on one side of the split; augmented copies follow their original. */
export function checkSplit(train: readonly LabelledClip[], valid: readonly LabelledClip[]): void {
  const summary = new ClipSummary(valid);
  for (const c of train) summary.add(c);
}

/**
 * The training clips' count and groups, gathered as they pass (a stream is
 * read once), each checked against the validation split on the way in.
 */
class ClipSummary {
  trainClips = 0;
  readonly trainGroups = new Set<string>();
  readonly validClips: number;
  readonly validGroups: Set<string>;
  private readonly validSources: Set<string>;

  constructor(valid: readonly LabelledClip[]) {
    this.validClips = valid.length;
    this.validGroups = new Set(valid.map((c) => c.group));
    this.validSources = new Set(valid.map((c) => c.sourceId ?? c.id));
  }

  add(c: LabelledClip): void {
    if (this.validGroups.has(c.group)) throw new TrainError(`group "${c.group}" is in both the training and validation data (clip ${c.id})`);
    if (this.validSources.has(c.sourceId ?? c.id)) throw new TrainError(`clip ${c.id} shares its original with a validation clip`);
    this.trainClips++;
    this.trainGroups.add(c.group);
  }
}

function isClipArray(train: readonly LabelledClip[] | ClipStream): train is readonly LabelledClip[] {
  return Array.isArray(train);
}

/** An in-memory list as a stream (head-only training reads every input as one). */
function clipStream(clips: readonly LabelledClip[]): ClipStream {
  return {
    count: clips.length,
    async *[Symbol.asyncIterator]() {
      yield* clips;
    },
  };
}

function progressEvery(done: number, total: number, fn: (fraction: number) => void): void {
  if (done === total || done % 50 === 0) fn(done / total);
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)].sort();
}

function round(x: number | null): number | null {
  return x === null ? null : Math.round(x * 10000) / 10000;
}
