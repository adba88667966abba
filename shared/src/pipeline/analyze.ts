import { LogMelFrontEnd } from '../features/log-mel.js';
import type { ModelPackage } from '../model/model-package.js';
import { Classifier } from './classifier.js';
import { EventDetector, type ClassDecision } from './event-detector.js';
import { Featurizer } from './featurizer.js';
import type { DetectionEvent, ScoredWindow } from './types.js';
import { Windower } from './windower.js';

export interface AnalysisOptions {
  /** Window hop; default the model's patch hop (0.48 s). */
  hopSec?: number;
  /** One rule per class; default: the model's thresholds, 1 of 1. */
  decisions?: ClassDecision[];
  maxEventSec?: number;
  maxBatch?: number;
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
  const frontEnd = new LogMelFrontEnd(pkg.metadata.frontEnd);
  const rate = frontEnd.params.sampleRateHz;
  const frameHop = frontEnd.geometry.hopSamples;
  const hopSamples = options.hopSec === undefined
    ? frontEnd.geometry.patchHopSamples
    : Math.max(frameHop, Math.round((options.hopSec * rate) / frameHop) * frameHop);
  const windower = new Windower({ windowSamples: frontEnd.geometry.patchSamples, hopSamples });
  const featurizer = new Featurizer(frontEnd);
  const classifier = new Classifier(pkg, options.maxBatch ?? 32);
  const decisions = options.decisions ?? pkg.classNames.map((c) => ({ threshold: pkg.metadata.thresholds[c] ?? 0.5, k: 1, n: 1 }));
  const detector = new EventDetector({ classNames: pkg.classNames, decisions, maxEventSamples: Math.round((options.maxEventSec ?? 30) * rate) });
  detector.reset(options.segmentId ?? 'offline');
  const windows = classifier.classify(featurizer.featurize([...windower.push(0, samples), ...windower.flush()]));
  const events: DetectionEvent[] = [];
  for (const w of windows) for (const m of detector.push(w)) if (m.type === 'end') events.push(m.event);
  for (const m of detector.end()) events.push(m.event);
  events.sort((a, b) => a.startSample - b.startSample || b.peakConfidence - a.peakConfidence);
  return { windows, events, sampleRateHz: rate };
}
