import type { EvalMetrics, OnsetComparison } from './ports.js';

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

/**
 * Stage 2 of the gunshot detector, current and candidate on the same honest
 * measure (each at its own threshold): the candidate may not raise more false
 * alarms per hour on the gunshot-free forest stream, find fewer gunshot events,
 * raise more alarms in the stationary-noise check, or alarm on more modelled
 * confuser scenes (when the comparison ran that check). Ties pass.
 */
export function onsetGate(c: OnsetComparison): GateDecision {
  const { current: cur, candidate: cand } = c;
  const reasons: string[] = [];
  let passed = true;
  const hours = `${cand.hours >= 0.1 ? `${cand.hours.toFixed(2)} h` : `${(cand.hours * 60).toFixed(1)} min`} of gunshot-free forest audio`;
  if (cand.falseAlarmsPerHour > cur.falseAlarmsPerHour + 1e-9) {
    passed = false;
    reasons.push(`stage 2 false alarms rose from ${cur.falseAlarmsPerHour.toFixed(2)}/h to ${cand.falseAlarmsPerHour.toFixed(2)}/h (${cur.falseAlarms} -> ${cand.falseAlarms} in ${hours})`);
  } else {
    reasons.push(`stage 2 false alarms ${cand.falseAlarmsPerHour.toFixed(2)}/h (current ${cur.falseAlarmsPerHour.toFixed(2)}/h; ${cand.falseAlarms} vs ${cur.falseAlarms} in ${hours})`);
  }
  if (cand.events === 0) {
    reasons.push('stage 2: no gunshot events in the evaluation split: event recall not compared');
  } else if (cand.detectedEvents < cur.detectedEvents) {
    passed = false;
    reasons.push(`stage 2 found fewer gunshot events: ${cand.detectedEvents}/${cand.events} (current ${cur.detectedEvents}/${cur.events})`);
  } else {
    reasons.push(`stage 2 gunshot events found ${cand.detectedEvents}/${cand.events} (current ${cur.detectedEvents}/${cur.events})`);
  }
  const noise = `stationary noise (${c.stationaryMinutesEach} min per colour and level)`;
  if (cand.stationaryAlarms > cur.stationaryAlarms) {
    passed = false;
    reasons.push(`stage 2 alarms on ${noise} rose from ${cur.stationaryAlarms} to ${cand.stationaryAlarms}`);
  } else {
    reasons.push(`stage 2 alarms on ${noise}: ${cand.stationaryAlarms} (current ${cur.stationaryAlarms})`);
  }
  if (c.confuserScenes > 0) {
    const scenes = `${c.confuserScenes} modelled confuser scenes (impacts, notes, clicks, thuds, bursts over ${c.confuserBeds > 0 ? `${c.confuserBeds} of the site's gunshot-free clips` : 'pink noise'})`;
    if (cand.confuserAlarms > cur.confuserAlarms) {
      passed = false;
      reasons.push(`stage 2 alarmed on more of ${scenes}: ${cand.confuserAlarms} (current ${cur.confuserAlarms})`);
    } else {
      reasons.push(`stage 2 alarmed on ${cand.confuserAlarms} of ${scenes} (current ${cur.confuserAlarms})`);
    }
  }
  return { passed, reasons };
}

/** Both stages' verdicts as one: passed only when each passed; every reason kept. */
export function combineGates(...decisions: readonly GateDecision[]): GateDecision {
  return { passed: decisions.every((d) => d.passed), reasons: decisions.flatMap((d) => d.reasons) };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
