import type { EvalMetrics } from './ports.js';

export interface GateDecision {
  passed: boolean;
  reasons: string[];
}

/**
 * Publish only if the candidate is not worse than the current model on the same
 * held-out clips: gunshot recall may not drop, gunshot false alarms per hour may
 * not rise. Ties pass (retraining on new data with equal scores is still wanted).
 */
export function gate(candidate: EvalMetrics, current: EvalMetrics): GateDecision {
  const reasons: string[] = [];
  let passed = true;
  const eps = 1e-9;
  if (candidate.gunshotRecall === null || current.gunshotRecall === null) {
    reasons.push('no gunshot clips in the evaluation split: recall not compared');
  } else if (candidate.gunshotRecall + eps < current.gunshotRecall) {
    passed = false;
    reasons.push(`gunshot recall fell from ${pct(current.gunshotRecall)} to ${pct(candidate.gunshotRecall)}`);
  } else {
    reasons.push(`gunshot recall ${pct(candidate.gunshotRecall)} (current ${pct(current.gunshotRecall)})`);
  }
  if (candidate.falseAlarmsPerHour > current.falseAlarmsPerHour + eps) {
    passed = false;
    reasons.push(`false alarms rose from ${current.falseAlarmsPerHour.toFixed(2)}/h to ${candidate.falseAlarmsPerHour.toFixed(2)}/h`);
  } else {
    reasons.push(`false alarms ${candidate.falseAlarmsPerHour.toFixed(2)}/h (current ${current.falseAlarmsPerHour.toFixed(2)}/h)`);
  }
  return { passed, reasons };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
