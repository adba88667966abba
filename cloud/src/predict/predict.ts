import { decodeClip } from '#shared/audio/decode-clip.js';
import type { ModelPackage } from '#shared/model/model-package.js';
import { analyzeSignal } from '#shared/pipeline/analyze.js';

/** A detection inside one analysed recording (times relative to its start). */
export interface ClipDetection {
  label: string;
  confidence: number;
  startSec: number;
  endSec: number;
  peakSec: number;
  windowCount: number;
}

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

/**
 * The station's pipeline on one audio file (WAV, FLAC or Ogg Opus) held in memory.
 * Throws AudioDecodeError for bad audio, AudioTooLongError past `maxSamples`.
 */
export async function predictAudio(pkg: ModelPackage, bytes: Uint8Array, maxSamples?: number): Promise<PredictResult> {
  const audio = await decodeClip(bytes, { targetRateHz: pkg.metadata.frontEnd.sampleRateHz, maxSamples });
  return predictSamples(pkg, audio.samples, audio.durationSec);
}

export function predictSamples(pkg: ModelPackage, samples: Float32Array, durationSec: number): PredictResult {
  const classes = pkg.classNames;
  const { windows, events, sampleRateHz } = analyzeSignal(pkg, samples);
  const sec = (sample: number): number => round(sample / sampleRateHz);
  const max = new Float32Array(classes.length);
  for (const w of windows) for (let c = 0; c < classes.length; c++) max[c] = Math.max(max[c], w.scores[c]);
  const named = (v: Float32Array) => Object.fromEntries(classes.map((c, i) => [c, round(v[i])]));
  const fe = pkg.metadata.frontEnd;
  const windowSec = (fe.patchFrames - 1) * fe.hopSec + fe.windowSec;
  return {
    modelVersion: pkg.metadata.version,
    durationSec: round(durationSec),
    windowSec: round(windowSec),
    hopSec: fe.patchHopSec,
    classes: [...classes],
    thresholds: { ...pkg.metadata.thresholds },
    scores: named(max),
    windows: windows.map((w) => ({ startSec: sec(w.window.startSample), endSec: sec(w.window.endSample), scores: named(w.scores) })),
    detections: events.map((e) => ({
      label: e.label,
      confidence: round(e.peakConfidence),
      startSec: sec(e.startSample),
      endSec: Math.min(sec(e.endSample), round(durationSec)),
      peakSec: round(e.peakSample / sampleRateHz + windowSec / 2),
      windowCount: e.windowCount,
    })),
  };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
