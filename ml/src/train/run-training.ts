import { execFileSync } from 'node:child_process';
import { loadModelPackage, saveModelPackage } from '#shared/model/model-package.js';
import type { ModelMetadata } from '#shared/model/metadata.js';
import type { Logger } from '#shared/util/logger.js';
import { createRandom } from '#shared/util/random.js';
import { formatReport } from './report-format.js';
import { TrainError } from './train-errors.js';
import { trainModel } from './train-model.js';
import { syntheticGunshots } from './synthetic-set.js';
import { toyDataset } from './toy-data.js';
import type { LabelledClip, SamplingOptions, TrainOptions, TrainProgress, TrainResult } from './types.js';

/** A data set ready for training: both sides of the split and what they came from. */
export interface PreparedData {
  train: LabelledClip[];
  valid: LabelledClip[];
  /** Written into metadata.training.data. */
  description: Record<string, unknown>;
  /** Classes known to be weak before training (e.g. no real data), with reasons. */
  weakClasses?: Record<string, string>;
}

export interface RunTrainingOptions {
  classes: string[];
  data: PreparedData;
  outDir: string;
  version: string;
  seed: number;
  epochs: number;
  batchSize: number;
  patience: number;
  maxSteps?: number;
  maxStepsPerEpoch?: number;
  longNegativeMinutes?: number;
  learningRate?: number;
  labelSmoothing?: number;
  sampling?: SamplingOptions;
  selectOn?: TrainOptions['selectOn'];
  description: string;
  logger: Logger;
  onProgress?: (p: TrainProgress) => void;
  /**
   * The commit whose code trains, read by the caller when the process started
   * (data assembly takes minutes, and commits may land meanwhile); default: read now.
   */
  gitCommit?: string;
  /** Refuse to save unless the loss fell (CI quick mode). */
  requireLossDrop?: boolean;
  signal?: AbortSignal;
}

export interface RunTrainingResult {
  result: TrainResult;
  seconds: number;
  reportText: string;
}

/**
 * What `npm run train` does after assembling the data: train, check, save the
 * package, load it back (proving the saved files are a working model).
 */
export async function runTraining(o: RunTrainingOptions): Promise<RunTrainingResult> {
  const started = performance.now();
  // The commit whose code trains: not read when the run ends (an hour of commits may land meanwhile).
  const commit = o.gitCommit ?? gitCommit();
  o.logger.info({ train: o.data.train.length, validation: o.data.valid.length }, 'training clips');
  const result = await trainModel(o.data.train, o.data.valid, {
    classes: o.classes,
    mode: 'full',
    epochs: o.epochs,
    batchSize: o.batchSize,
    seed: o.seed,
    patience: o.patience,
    version: o.version,
    maxSteps: o.maxSteps,
    maxStepsPerEpoch: o.maxStepsPerEpoch,
    longNegativeMinutes: o.longNegativeMinutes,
    learningRate: o.learningRate,
    labelSmoothing: o.labelSmoothing,
    sampling: o.sampling,
    selectOn: o.selectOn,
    onProgress: o.onProgress,
    signal: o.signal,
  });
  const training = result.metadata.training as { firstLoss: number; lastLoss: number };
  if (o.requireLossDrop && !(training.lastLoss < training.firstLoss)) {
    throw new TrainError(`loss did not fall: first steps ${training.firstLoss.toFixed(4)}, last steps ${training.lastLoss.toFixed(4)}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const metadata: ModelMetadata = {
    ...result.metadata,
    description: o.description,
    gitCommit: commit,
    training: { ...result.metadata.training, data: o.data.description, trainingSeconds: Math.round(seconds) },
    weakClasses: { ...result.metadata.weakClasses, ...o.data.weakClasses },
  };
  result.metadata = metadata;
  await saveModelPackage(o.outDir, result.model, metadata);
  const reloaded = await loadModelPackage(o.outDir);
  reloaded.model.dispose();
  return { result, seconds, reportText: formatReport(result.validation) };
}

/** The generated data set (no downloads): one group for training, another for validation. */
export function toyData(clipsPerKind: number, seed: number): PreparedData {
  const side = (perKind: number, s: number, group: string) => {
    const clips = toyDataset({ clipsPerKind: perKind, seed: s, group });
    const beds = clips.filter((c) => c.labels.length === 0).map((c) => ({ samples: c.samples, labels: [] as string[] }));
    return [...clips, ...syntheticGunshots(perKind, beds, createRandom(`toy-synth-${s}`), group)];
  };
  const train = side(clipsPerKind, seed, 'toy-train');
  const valid = side(Math.max(4, Math.round(clipsPerKind / 3)), seed + 1000, 'toy-valid');
  return {
    train,
    valid,
    description: {
      source: 'generated (ml/src/train/toy-data.ts): impulsive noise bursts and physically modelled gunshots (ml/src/synth) labelled gunshot, vs silence, noise, tones, chirps, slow swells',
      clipsPerKind,
      seed,
    },
  };
}

/** Keeps a random fraction of the clips of each group (CI quick mode), always at least one per label set. */
export function subsetData(data: PreparedData, fraction: number, seed: number): PreparedData {
  const pick = (clips: LabelledClip[], key: string) => {
    const rand = createRandom(`${key}-${seed}`);
    const seen = new Set<string>();
    return clips.filter((c) => {
      const labelKey = `${c.group}|${c.labels.join(',')}`;
      const first = !seen.has(labelKey);
      seen.add(labelKey);
      return first || rand.next() < fraction;
    });
  };
  return { ...data, train: pick(data.train, 'train'), valid: pick(data.valid, 'valid'), description: { ...data.description, subset: fraction } };
}

/**
 * The commit whose code trains, with `-dirty` appended when tracked files
 * differ from it (the weights then come from code no commit holds); undefined
 * outside a git checkout.
 */
export function gitCommit(cwd = process.cwd()): string | undefined {
  const git = (args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const head = git(['rev-parse', 'HEAD']);
    return git(['status', '--porcelain', '--untracked-files=no']) === '' ? head : `${head}-dirty`;
  } catch {
    return undefined;
  }
}
