import { LogMelFrontEnd } from '#shared/features/log-mel.js';
import type { EvaluableModel } from './evaluate.js';
import { scoreSignal } from './score-signal.js';
import type { LabelledClip } from './types.js';

/** One clip's highest window score for a class. */
export interface ClipScore {
  id: string;
  group: string;
  labels: string[];
  maxScore: number;
}

export interface HardExamples {
  className: string;
  /** Clips without the class, highest score first: what would raise false alarms. */
  worstNegatives: ClipScore[];
  /** Real (non-synthetic) clips with the class, lowest score first. */
  realPositives: ClipScore[];
  /** Share of synthetic positive clips whose best window reaches each threshold. */
  syntheticReach: { threshold: number; share: number }[];
  syntheticPositives: number;
}

const PAD_SEC = 0.5;
const REACH_THRESHOLDS = [0.5, 0.8, 0.9, 0.95, 0.98, 0.99];

/**
 * Where a class's errors come from, clip by clip: each clip (half a second of
 * silence either side, so short clips fill whole windows) is run through the
 * model as the station would, and its best window score is kept.
 */
export function hardExamples(pkg: EvaluableModel, clips: readonly LabelledClip[], className: string, worst = 20): HardExamples {
  const frontEnd = new LogMelFrontEnd(pkg.metadata.frontEnd);
  const k = pkg.metadata.classes.indexOf(className);
  if (k < 0) throw new Error(`the model has no class "${className}"`);
  const c = pkg.metadata.classes.length;
  const pad = Math.round(PAD_SEC * pkg.metadata.frontEnd.sampleRateHz);
  const scored: ClipScore[] = clips.map((clip) => {
    const padded = new Float32Array(clip.samples.length + 2 * pad);
    padded.set(clip.samples, pad);
    const { scores, windows } = scoreSignal(pkg.model, frontEnd, padded);
    let maxScore = 0;
    for (let w = 0; w < windows; w++) maxScore = Math.max(maxScore, scores[w * c + k]);
    return { id: clip.id, group: clip.group, labels: clip.labels, maxScore };
  });
  const isSynthetic = (s: ClipScore) => s.group.startsWith('synthetic');
  const positives = scored.filter((s) => s.labels.includes(className));
  const synthetic = positives.filter(isSynthetic);
  return {
    className,
    worstNegatives: scored.filter((s) => !s.labels.includes(className)).sort((a, b) => b.maxScore - a.maxScore).slice(0, worst),
    realPositives: positives.filter((s) => !isSynthetic(s)).sort((a, b) => a.maxScore - b.maxScore),
    syntheticReach: REACH_THRESHOLDS.map((threshold) => ({
      threshold,
      share: synthetic.length > 0 ? synthetic.filter((s) => s.maxScore >= threshold).length / synthetic.length : 0,
    })),
    syntheticPositives: synthetic.length,
  };
}

/** A plain-text listing of hardExamples. */
export function formatHardExamples(h: HardExamples): string {
  const line = (s: ClipScore) => `  ${s.maxScore.toFixed(4)}  ${(s.labels.join(',') || '-').padEnd(12)}  ${s.id}`;
  return [
    `${h.className}: clips without it, highest best-window score first`,
    ...h.worstNegatives.map(line),
    `${h.className}: real recordings of it, lowest best-window score first`,
    ...h.realPositives.map(line),
    `${h.className}: share of the ${h.syntheticPositives} synthetic scenes whose best window reaches`,
    `  ${h.syntheticReach.map((r) => `${r.threshold}: ${r.share.toFixed(3)}`).join('   ')}`,
  ].join('\n');
}
