import type { ClassRule, StationConfig } from '#shared/config/station-config.js';
import type { ClassDecision } from '#shared/pipeline/event-detector.js';
import type { ModelPackage } from '#shared/model/model-package.js';
import type { StageOptions } from '#shared/pipeline/stages.js';

/** Classes that alert unless configured otherwise. */
export const DEFAULT_ALERT_LABELS: readonly string[] = ['gunshot'];
/** Clip priority for alerting classes when not configured (others get 1). */
export const ALERT_PRIORITY = 9;

/**
 * Per-class decision rules: the config's rule for a class wins, then the
 * model's validated threshold, then 0.5; k/n from the rule or the defaults.
 */
export function classDecisions(
  classNames: readonly string[],
  modelThresholds: Readonly<Record<string, number>>,
  detection: StationConfig['detection'],
): ClassDecision[] {
  return classNames.map((label) => {
    const rule: ClassRule = detection.classes[label] ?? {};
    const n = rule.n ?? detection.n;
    return {
      threshold: rule.threshold ?? modelThresholds[label] ?? 0.5,
      k: Math.min(rule.k ?? detection.k, n),
      n,
    };
  });
}

export function alertLabels(classNames: readonly string[], detection: StationConfig['detection']): Set<string> {
  const labels = new Set<string>();
  for (const label of classNames) {
    const rule = detection.classes[label];
    const byDefault = DEFAULT_ALERT_LABELS.includes(label);
    if (rule?.alert ?? byDefault) labels.add(label);
  }
  return labels;
}

export function clipPriorities(classNames: readonly string[], detection: StationConfig['detection'], alerting: ReadonlySet<string>): Record<string, number> {
  return Object.fromEntries(classNames.map((label) => [label, detection.classes[label]?.priority ?? (alerting.has(label) ? ALERT_PRIORITY : 1)]));
}

/** How the station builds its stages for a model (see buildStages): the daemon and offline `classify` alike. */
export function stationStageOptions(model: ModelPackage, detection: StationConfig['detection'], maxBatch: number): StageOptions {
  return {
    hopSec: detection.hopSec,
    decisions: classDecisions(model.classNames, model.metadata.thresholds, detection),
    maxEventSec: detection.maxEventSec,
    maxBatch,
  };
}
