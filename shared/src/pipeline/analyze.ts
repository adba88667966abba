import type { ModelPackage } from '../model/model-package.js';
import { buildStages, type StageOptions } from './stages.js';
import type { DetectionEvent, ScoredWindow } from './types.js';

export interface AnalysisOptions extends StageOptions {
  /** Identity used for event ids (default `offline`). */
  segmentId?: string;
}

export interface SignalAnalysis {
  /** Every analysed window with its scores (the last may be a zero-padded tail). */
  windows: ScoredWindow[];
  /** Ended events, in order of start. */
  events: DetectionEvent[];
  sampleRateHz: number;
}

/**
 * The station's pipeline (windower -> featurizer -> classifier -> event
 * detector) over a whole signal already in memory: what the cloud's /predict
 * and offline tools use, so they decide exactly as a station would.
 */
export function analyzeSignal(pkg: ModelPackage, samples: Float32Array, options: AnalysisOptions = {}): SignalAnalysis {
  const { windower, featurizer, classifier, detector } = buildStages(pkg, options);
  detector.reset(options.segmentId ?? 'offline');
  const windows = classifier.classify(featurizer.featurize([...windower.push(0, samples), ...windower.flush()]));
  const events: DetectionEvent[] = [];
  for (const w of windows) for (const m of detector.push(w)) if (m.type === 'end') events.push(m.event);
  for (const m of detector.end()) events.push(m.event);
  events.sort((a, b) => a.startSample - b.startSample || b.peakConfidence - a.peakConfidence);
  return { windows, events, sampleRateHz: pkg.metadata.frontEnd.sampleRateHz };
}
