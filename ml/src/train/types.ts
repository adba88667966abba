import type { FrontEndParams } from '#shared/features/params.js';
import type { ModelMetadata } from '#shared/model/metadata.js';
import type { ModelPackage } from '#shared/model/model-package.js';
import type { LayersModel } from '#shared/model/tf.js';
import type { EvaluationReport } from './metrics.js';

/** One labelled piece of audio, as training and evaluation consume it. */
export interface LabelledClip {
  /** Unique within a data set (e.g. `hedgewars-data/Sounds/shotgun.ogg#aug2`). */
  id: string;
  /** 16 kHz mono, roughly [-1, 1]. */
  samples: Float32Array;
  /** samples.length, when known without reading the samples (clips held on disk: code that needs only the length uses this). */
  lengthSamples?: number;
  /** Class names present in the clip (subset of the model's classes); empty = none of them. */
  labels: string[];
  /**
   * Split group: the Debian package for the bundled data, or the original's id for
   * user uploads. Every clip of a group lands on the same side of a split.
   */
  group: string;
  /** For augmented copies: the id of the original they were made from. */
  sourceId?: string;
  /**
   * What seeds the clip's random placement and dither (buildPatchSet); default
   * `id`. Set it when the id carries something that changes between runs on
   * the same data (an upload's time), so that a seeded run repeats.
   */
  seedName?: string;
}

/**
 * Training clips that arrive a few at a time, so a job never holds all of them
 * (and their augmented copies) in memory: head-only training turns each into
 * embeddings as it arrives. `count` is how many the stream will yield (progress).
 */
export interface ClipStream extends AsyncIterable<LabelledClip> {
  readonly count: number;
}

/** Progress of a training run; `percent` covers the whole run, 0..100. */
export interface TrainProgress {
  stage: 'features' | 'train' | 'thresholds' | 'evaluate' | 'done';
  percent: number;
  message: string;
  epoch?: number;
  step?: number;
  loss?: number;
  valLoss?: number;
}

export interface TrainOptions {
  /** Output classes in order (CLASS_NAMES for the shipped model). */
  classes: string[];
  /**
   * `full` trains the whole network (from `base` when given and its classes match,
   * else from scratch); `head` keeps `base`'s backbone frozen and trains only the
   * final sigmoid layer on its embeddings (needs `base`).
   */
  mode: 'head' | 'full';
  base?: ModelPackage;
  /** Maximum passes over the training patches. */
  epochs: number;
  /** Patches per step. 64 is a good default on wasm. */
  batchSize: number;
  /** Seeds initialisers, shuffles, augmentation: same inputs + seed = same model (on wasm). */
  seed: number;
  /** Stop after this many epochs without a better validation loss. */
  patience: number;
  /** Release version written into the metadata. */
  version: string;
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
  /** Front end; default YAMNET_FRONT_END (or the base model's). */
  frontEnd?: FrontEndParams;
  /** Adam learning rate at the start; decays by 10x over the run. Default 2e-3 (full), 1e-2 (head). */
  learningRate?: number;
  /** Cap on steps per epoch (the CI quick mode uses small values). */
  maxStepsPerEpoch?: number;
  /** Cap on total steps across all epochs. */
  maxSteps?: number;
  /** Gunshot false alarms allowed per hour of gunshot-free validation audio. Default 1. */
  gunshotMaxFalseAlarmsPerHour?: number;
  /** Class whose threshold obeys the false-alarm budget. Default `gunshot`. */
  alarmClass?: string;
  /** Minutes of gunshot-free audio to build from validation negatives. Default 60. */
  longNegativeMinutes?: number;
  /**
   * Full mode: keep the training and validation patches in files here
   * (disk-patches.ts) instead of memory; the caller removes the directory.
   * A seed-scale full retrain makes about 3 GB of patches.
   */
  scratchDir?: string;
  /** SpecAugment + between-class mixing during training. Default true. */
  augmentBatches?: boolean;
  /** Label smoothing eps (targets eps/2 and 1 - eps/2). Default 0. */
  labelSmoothing?: number;
  /** Balanced sampling knobs (see sampler.ts). */
  sampling?: SamplingOptions;
  /**
   * Which epoch to keep: `loss` (default: lowest validation loss) or
   * `alarm-recall` (highest validation recall of the alarm class with at most
   * 0.5 % of its negative patches above threshold).
   */
  selectOn?: 'loss' | 'alarm-recall';
}

/** How batches are drawn: see BalancedSampler. */
export interface SamplingOptions {
  /** Share of batch slots for patches with no label. Default 0.55. */
  negativeShare?: number;
  /** Class strata weighted by positives^classExponent. Default 0.5. */
  classExponent?: number;
  /** Groups inside a stratum weighted by patches^groupExponent. Default 0.3. */
  groupExponent?: number;
  /** Per-class multiplier of the class's stratum weight, e.g. `{ gunshot: 3 }`. Default 1 each. */
  classBoost?: Record<string, number>;
  /** Hard-negative mining for one class (see HardNegativeOptions); default off. */
  hardNegatives?: HardNegativeOptions;
}

/**
 * Hard-negative mining: from epoch `fromEpoch` on, at the start of every epoch
 * the model scores every training patch not labelled `class`; the `count`
 * highest-scoring ones (the sounds it currently mistakes for that class) fill
 * a pool that takes `share` of the batch slots.
 */
export interface HardNegativeOptions {
  class: string;
  share: number;
  count: number;
  fromEpoch: number;
}

/** One epoch of the training history. */
export interface EpochRecord {
  epoch: number;
  steps: number;
  loss: number;
  valLoss: number;
  /** Validation recall of the selection class at its false-positive rate (selection by recall only). */
  valRecall?: number;
  /** Mean score (for the mined class) of the hard-negative pool used this epoch. */
  hardNegativeScore?: number;
  learningRate: number;
  seconds: number;
}

export interface TrainResult {
  model: LayersModel;
  metadata: ModelMetadata;
  history: EpochRecord[];
  /** Validation evaluation at the chosen thresholds. */
  validation: EvaluationReport;
  /** Epoch whose weights were kept (lowest validation loss). */
  bestEpoch: number;
}
