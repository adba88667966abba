import type { LogMelFrontEnd } from '#shared/features/log-mel.js';
import type { tf } from '#shared/model/tf.js';
import { DEFAULT_PRESENCE, SustainedPresence } from '#shared/pipeline/sustained-presence.js';
import { createRandom } from '#shared/util/random.js';
import { alarmFreeStream } from './long-audio.js';
import { averagePrecision } from './metrics.js';
import type { PatchSet } from './patch-set.js';
import { scoreSignal } from './score-signal.js';
import type { LabelledClip } from './types.js';

/** Distance bands for the chainsaw's window metrics, m. */
export const DISTANCE_BANDS_M: ReadonlyArray<readonly [number, number]> = [[20, 50], [50, 100], [100, 200], [200, 500], [500, 1000]];

export interface ChainsawWindowMetrics {
  threshold: number;
  positives: number;
  negatives: number;
  truePositives: number;
  falsePositives: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  averagePrecision: number | null;
  /**
   * Per distance band: recall of that band's saw windows, and the precision
   * the station would see if every saw were in that band (that band's true
   * positives against all the false positives of the validation negatives).
   */
  bands: Array<{ fromM: number; toM: number; positives: number; recall: number | null; precision: number | null }>;
}

/**
 * Window metrics of the chainsaw class on a validation PatchSet, given each
 * patch's chainsaw score and each clip's distance (undefined for clips that
 * are not synthetic saws).
 */
export function chainsawWindowMetrics(set: PatchSet, scores: Float32Array, classIndex: number, threshold: number, distanceOfClip: (clip: number) => number | undefined): ChainsawWindowMetrics {
  let tp = 0;
  let fp = 0;
  let positives = 0;
  const bandTp = DISTANCE_BANDS_M.map(() => 0);
  const bandPos = DISTANCE_BANDS_M.map(() => 0);
  const ranked: { s: number; y: number }[] = [];
  for (let i = 0; i < set.count; i++) {
    const y = set.labels(i)[classIndex];
    const hit = scores[i] >= threshold;
    ranked.push({ s: scores[i], y });
    if (y) {
      positives++;
      if (hit) tp++;
      const d = distanceOfClip(set.clipOf(i));
      const b = d === undefined ? -1 : DISTANCE_BANDS_M.findIndex(([lo, hi]) => d >= lo && d < hi + 1e-9);
      if (b >= 0) {
        bandPos[b]++;
        if (hit) bandTp[b]++;
      }
    } else if (hit) fp++;
  }
  const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, positives);
  return {
    threshold, positives, negatives: set.count - positives, truePositives: tp, falsePositives: fp, precision, recall,
    f1: precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : null,
    averagePrecision: averagePrecision(ranked),
    bands: DISTANCE_BANDS_M.map(([fromM, toM], b) => ({
      fromM, toM, positives: bandPos[b], recall: ratio(bandTp[b], bandPos[b]), precision: ratio(bandTp[b], bandTp[b] + fp),
    })),
  };
}

/** The threshold with the best F1 on the given scores; 0.5 when no threshold reaches F1 0.3 (docs/model.md's rule). */
export function bestF1Threshold(scores: Float32Array, truth: (i: number) => boolean): number {
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
  const positives = order.filter((i) => truth(i)).length;
  let tp = 0;
  let best = { f1: 0, threshold: 0.5 };
  order.forEach((i, rank) => {
    if (truth(i)) tp++;
    const f1 = (2 * tp) / (rank + 1 + positives);
    const next = order[rank + 1];
    if (f1 > best.f1 && (next === undefined || scores[next] < scores[i])) best = { f1, threshold: scores[i] };
  });
  return best.f1 >= 0.3 ? best.threshold : 0.5;
}

export interface LoggingStreamResult {
  /** What the stream was made of. */
  name: string;
  hours: number;
  /** Distinct audio it was built from, s (the rest repeats it). */
  distinctSec: number;
  windows: number;
  /** Windows at or above the chainsaw threshold. */
  chainsawWindows: number;
  /** Logging alerts raised (shared/src/pipeline/sustained-presence.ts, station defaults: 20 of 30 s). */
  loggingAlerts: number;
  /** Longest run of presence in any 30 s span, s (how close it came to the 20 s needed). */
  maxPresentSecInSpan: number;
}

/**
 * Concatenates the clips (random order, +/-6 dB, cross-faded: long-audio.ts)
 * to `seconds` of audio, runs the model over it like the station, and counts
 * logging alerts under the station's default rule.
 */
export function loggingAlertsOnStream(
  name: string, model: tf.LayersModel, frontEnd: LogMelFrontEnd, clips: readonly LabelledClip[], classIndex: number, threshold: number, seconds: number,
): LoggingStreamResult {
  const stream = alarmFreeStream(clips, 'chainsaw', seconds, createRandom(`logging-stream/${name}`));
  const { scores, windows, classes } = scoreSignal(model, frontEnd, stream.samples);
  const hopSec = frontEnd.geometry.patchHopSamples / frontEnd.params.sampleRateHz;
  const presence = new SustainedPresence({ ...DEFAULT_PRESENCE, sampleRateHz: frontEnd.params.sampleRateHz, hopSec, threshold });
  const hop = frontEnd.geometry.patchHopSamples;
  const spanWindows = Math.round(DEFAULT_PRESENCE.spanSec / hopSec);
  let alerts = 0;
  let chainsawWindows = 0;
  let inSpan = 0;
  let maxInSpan = 0;
  const hits: boolean[] = [];
  for (let w = 0; w < windows; w++) {
    const s = scores[w * classes + classIndex];
    const hit = s >= threshold;
    hits.push(hit);
    if (hit) chainsawWindows++;
    inSpan += (hit ? 1 : 0) - (w >= spanWindows && hits[w - spanWindows] ? 1 : 0);
    maxInSpan = Math.max(maxInSpan, inSpan);
    for (const t of presence.push(w * hop, w * hop + frontEnd.geometry.patchSamples, s)) if (t.type === 'start') alerts++;
  }
  const distinctSec = clips.filter((c) => !c.labels.includes('chainsaw')).reduce((sum, c) => sum + c.samples.length / frontEnd.params.sampleRateHz, 0);
  return {
    name, hours: stream.samples.length / frontEnd.params.sampleRateHz / 3600, distinctSec: Math.round(distinctSec), windows, chainsawWindows,
    loggingAlerts: alerts, maxPresentSecInSpan: Math.round(maxInSpan * hopSec * 10) / 10,
  };
}
