import { decodeWav } from '../../../shared/src/audio/wav-decode.js';
import { detectEvents, type ClipDetection } from './detect-events.js';
import { scoreWindows, type ScoringModel } from './window-scores.js';

export interface PredictResult {
  modelVersion: string;
  durationSec: number;
  windowSec: number;
  hopSec: number;
  classes: string[];
  thresholds: Record<string, number>;
  /** Per class: the highest window score. */
  scores: Record<string, number>;
  windows: Array<{ startSec: number; endSec: number; scores: Record<string, number> }>;
  detections: ClipDetection[];
}

/** The whole station pipeline on one WAV file held in memory. Throws AudioDecodeError for bad audio. */
export function predictWav(pkg: ScoringModel & { classNames: string[] }, wavBytes: Uint8Array): PredictResult {
  const audio = decodeWav(wavBytes, pkg.metadata.frontEnd.sampleRateHz);
  return predictSamples(pkg, audio.samples, audio.durationSec);
}

export function predictSamples(pkg: ScoringModel & { classNames: string[] }, samples: Float32Array, durationSec: number): PredictResult {
  const classes = pkg.classNames;
  const windows = scoreWindows(pkg, samples);
  const max = new Float32Array(classes.length);
  for (const w of windows) for (let c = 0; c < classes.length; c++) max[c] = Math.max(max[c], w.scores[c]);
  const named = (v: Float32Array) => Object.fromEntries(classes.map((c, i) => [c, round(v[i])]));
  const fe = pkg.metadata.frontEnd;
  return {
    modelVersion: pkg.metadata.version,
    durationSec: round(durationSec),
    windowSec: round(((fe.patchFrames - 1) * fe.hopSec) + fe.windowSec),
    hopSec: fe.patchHopSec,
    classes: [...classes],
    thresholds: { ...pkg.metadata.thresholds },
    scores: named(max),
    windows: windows.map((w) => ({ startSec: round(w.startSec), endSec: round(w.endSec), scores: named(w.scores) })),
    detections: detectEvents(windows, classes, pkg.metadata.thresholds).map((d) => ({
      ...d, confidence: round(d.confidence), startSec: round(d.startSec), endSec: round(d.endSec), peakSec: round(d.peakSec),
    })),
  };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
