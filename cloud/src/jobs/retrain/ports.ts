import type { ModelMetadata } from '../../../../shared/src/model/metadata.js';
import type { ModelPackage } from '../../../../shared/src/model/model-package.js';
import type { tf } from '../../../../shared/src/model/tf.js';

/** One labelled original recording (never an augmented copy). */
export interface LabelledOriginal {
  /** Stable id: the object key of the WAV. */
  id: string;
  key: string;
  label: string;
  source: 'upload' | 'station';
  /** When the label was given (upload time or review time). */
  labelledAt: string;
}

/** An original decoded to the model's rate. */
export interface AudioOriginal extends LabelledOriginal {
  samples: Float32Array;
  sampleRateHz: number;
  durationSec: number;
}

/**
 * Makes variants of one training original (time shift, gain, background mix,
 * pitch/time stretch, reverb; distance for gunshots). Returns only the variants,
 * not the original. Implemented by shared/src/augment (augmentOriginal).
 */
export interface Augmenter {
  augment(original: AudioOriginal, variants: number, seed: number): Promise<Float32Array[]>;
}

/**
 * Features of many clips: one log-mel patch per example, its class index and the
 * original it came from (so nothing derived from one original crosses splits).
 */
export interface FeatureSet {
  classes: string[];
  patches: Float32Array[];
  labels: number[];
  groups: string[];
}

export interface TrainOptions {
  /** `head`: retrain the classifier on the base's embeddings; `full`: the whole network. */
  mode: 'head' | 'full';
  base: ModelPackage;
  /** Version the candidate will carry. */
  version: string;
  onProgress: (fraction: number, message?: string) => void;
  signal: AbortSignal;
}

export interface TrainedCandidate {
  model: tf.LayersModel;
  /** Thresholds chosen on the validation set, classes, front end, embedding layer. */
  metadata: ModelMetadata;
}

/** Trains a candidate (implemented by shared/src/train: trainModel). */
export interface Trainer {
  train(train: FeatureSet, valid: FeatureSet, options: TrainOptions): Promise<TrainedCandidate>;
}

/** What the gate compares (see gate.ts), plus everything shown in the dashboard. */
export interface EvalMetrics {
  /** Fraction of gunshot clips with a gunshot detection; null when the split has no gunshot clip. */
  gunshotRecall: number | null;
  /** Gunshot detections on clips of other classes, per hour of such audio. */
  falseAlarmsPerHour: number;
  negativeHours: number;
  clips: number;
  perClass: Record<string, { support: number; recall: number | null; precision: number | null }>;
  /** Clip-level: rows = true label, columns = predicted (top-scoring class). */
  confusionMatrix: { labels: string[]; counts: number[][] };
  accuracy: number | null;
}

/** Scores a model on held-out originals (implemented in evaluate.ts; shared/src/train's evaluateModel may replace it). */
export interface Evaluator {
  evaluate(model: Pick<ModelPackage, 'model' | 'metadata' | 'classNames'>, clips: AudioOriginal[]): Promise<EvalMetrics>;
}
