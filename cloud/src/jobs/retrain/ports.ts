import type { TwoStageComparison } from '#ml/honest/two-stage-compare.js';
import type { OnsetModelFile } from '#shared/detect/onset-model.js';
import type { ModelMetadata } from '#shared/model/metadata.js';
import type { ModelPackage } from '#shared/model/model-package.js';
import type { tf } from '#shared/model/tf.js';

/** One labelled original recording (never an augmented copy). */
export interface LabelledOriginal {
  /** Stable id: the object key of the WAV. */
  id: string;
  key: string;
  label: string;
  source: 'upload' | 'station';
  /** For a reviewed station clip: what the station's detector said it was. */
  detectedLabel?: string;
  /** When the label was given (upload time or review time). */
  labelledAt: string;
}

/** An original decoded to the model's rate. */
export interface AudioOriginal extends LabelledOriginal {
  samples: Float32Array;
  /** samples.length, set when the samples are held on disk (held-originals.ts), so their length costs no read. */
  lengthSamples?: number;
  sampleRateHz: number;
  durationSec: number;
}

/** A variant of an original, with its labels (a labelled background can add some). */
export interface AudioVariant {
  samples: Float32Array;
  labels: string[];
}

/**
 * Makes the five variants of one training original (shift, gain, background
 * mix, stretch, reverb; distance for gunshots): ml/src/augment's
 * augmentOriginal behind augment-adapter.ts. Returns only the variants.
 */
export interface Augmenter {
  augment(original: AudioOriginal, seed: number, backgrounds: readonly Float32Array[]): Promise<AudioVariant[]>;
}

/**
 * A clip as training consumes it (the shape of ml/src/train's LabelledClip):
 * 16 kHz audio, labels, and the split group (the original's id, shared by its variants).
 */
export interface TrainingClip {
  id: string;
  samples: Float32Array;
  labels: string[];
  group: string;
  /** Set on augmented copies: the original they came from. */
  sourceId?: string;
  /** What seeds the clip's placement and dither in training (the original's stableName, plus `~k` for a variant). */
  seedName: string;
}

/**
 * Training clips handed over one at a time (augment.ts trainingStream), so a
 * job never holds every original and variant at once; `count` is an upper
 * bound for progress (originals that fail to load are skipped).
 */
export interface TrainingClipStream extends AsyncIterable<TrainingClip> {
  readonly count: number;
}

export interface TrainProgressReport {
  /** `features` while log-mel patches are computed, then `train`. */
  stage: 'features' | 'train';
  /** 0..1 over the whole training call. */
  fraction: number;
  message?: string;
}

export interface TrainOptions {
  /** `head`: retrain the classifier on the base's embeddings; `full`: the whole network. */
  mode: 'head' | 'full';
  base: ModelPackage;
  classes: string[];
  /** Version the candidate will carry. */
  version: string;
  seed: number;
  /** Scratch directory of the job (full mode keeps its patches there); removed when the job ends. */
  scratchDir?: string;
  onProgress: (p: TrainProgressReport) => void;
  signal: AbortSignal;
}

export interface TrainedCandidate {
  model: tf.LayersModel;
  /** Thresholds chosen on the validation set, classes, front end, embedding layer. */
  metadata: ModelMetadata;
}

/**
 * Extracts features and trains a candidate (ml/src/train's trainModel behind
 * train-adapter.ts), reading the training stream once.
 */
export interface Trainer {
  train(train: TrainingClipStream, valid: TrainingClip[], options: TrainOptions): Promise<TrainedCandidate>;
}

/** What the gate compares (see gate.ts), plus everything shown in the dashboard. */
export interface EvalMetrics {
  /** Gunshot events detected / gunshot events in the evaluation audio; null without gunshot clips. */
  gunshotRecall: number | null;
  /** Gunshot detections in gunshot-free evaluation audio, per hour of it. */
  falseAlarmsPerHour: number;
  /** Hours of gunshot-free audio the false alarms were counted on. */
  negativeHours: number;
  /** Held-out originals evaluated. */
  clips: number;
  /** Window level, at the model's thresholds; support = windows where the class is present. */
  perClass: Record<string, { support: number; recall: number | null; precision: number | null }>;
  /** Window level: rows = true label, columns = the strongest class over its threshold (or `none`). */
  confusionMatrix: { labels: string[]; counts: number[][] };
  accuracy: number | null;
  /** The evaluator's full report (ml/src/train EvaluationReport), for the dashboard. */
  report?: unknown;
}

/** Scores a model on held-out originals (evaluate-adapter.ts: ml/src/train's evaluateModel). */
export interface Evaluator {
  evaluate(model: Pick<ModelPackage, 'model' | 'metadata' | 'classNames'>, clips: AudioOriginal[]): Promise<EvalMetrics>;
}

/** Stage 2 (issue 12): the onset classifier a release carries as `onset/onset-model.json`. */
export interface OnsetTrainingInput {
  /**
   * The originals stage 2 learns from (every original outside the evaluation
   * split), a chunk at a time: each chunk's audio is dropped once its
   * triggers are features.
   */
  chunks: AsyncIterable<AudioOriginal[]>;
  /**
   * Which originals are hard negatives: station clips the station called
   * gunshot and a reviewer labelled otherwise. They are placed several times,
   * at several gains, besides their ordinary place in a chunk.
   */
  isHardNegative: (o: LabelledOriginal) => boolean;
}

export interface OnsetTrainOptions {
  /** The current release's stage 2 (or the shipped one): fine-tuned, never trained from scratch. */
  base: OnsetModelFile;
  /** Version the candidate will carry. */
  version: string;
  seed: number;
  signal: AbortSignal;
  log: (message: string) => void;
}

/** A fine-tuned stage 2 with its training record (example counts, hard negatives, epochs). */
export type TrainedOnset = OnsetModelFile & { training: Record<string, unknown> };

/** Fine-tunes stage 2 on a site's originals (onset-adapter.ts: ml/src/onset behind it). */
export interface OnsetTrainer {
  train(input: OnsetTrainingInput, options: OnsetTrainOptions): Promise<TrainedOnset>;
}

/**
 * One two-stage detector on the honest measure at its own threshold, and
 * current vs candidate on the same streams: the shapes ml/src/honest computes
 * (types only; the adapter runs it).
 */
export type { TwoStageFigures as OnsetFigures } from '#ml/honest/two-stage-compare.js';
export type OnsetComparison = TwoStageComparison;

/** Scores both two-stage detectors on the evaluation originals (onset-adapter.ts). */
export interface OnsetEvaluator {
  compare(current: OnsetModelFile, candidate: OnsetModelFile, originals: readonly AudioOriginal[], seed: number): Promise<OnsetComparison>;
}
