/** Typed hand-offs between pipeline stages (windower -> featurizer -> classifier -> detector). */

/** One analysis window of audio, positioned in its segment by sample index. */
export interface AnalysisWindow {
  /** Index of the first sample within the segment. */
  startSample: number;
  /** One past the last sample of real audio (less than start + length for a padded tail). */
  endSample: number;
  /** Exactly `windowSamples` samples (zero-padded at a segment's end). */
  samples: Float32Array;
}

/** A window's log-mel patch (frames x bands, row-major). */
export interface FeatureWindow {
  window: AnalysisWindow;
  patch: Float32Array;
}

/** A window with one score per class, in the model's class order. */
export interface ScoredWindow {
  window: AnalysisWindow;
  scores: Float32Array;
}

/** A detection as it grows: consecutive windows of one class merged. */
export interface DetectionEvent {
  /** Deterministic: same segment, label and start give the same id. */
  id: string;
  label: string;
  classIndex: number;
  startSample: number;
  endSample: number;
  peakSample: number;
  peakConfidence: number;
  windowCount: number;
  /** All class scores of the peak window. */
  peakScores: Float32Array;
  /**
   * Two-stage gunshot detector only: the onset of every shot of the alarm,
   * to the sample (startSample is the first). The shot counter uses these
   * instead of re-finding onsets in the clip.
   */
  shotSamples?: number[];
}

export interface DetectionMessage {
  type: 'start' | 'update' | 'end';
  event: DetectionEvent;
}
