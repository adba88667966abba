import { evaluateModel, type EvaluationReport, type LabelledClip } from '#ml/train/index.js';
import { validationLongAudio } from '#ml/train/train-model.js';
import { asClips } from './augment.js';
import type { EvalMetrics, Evaluator } from './ports.js';

export const GUNSHOT_CLASS = 'gunshot';
/** Seed of the long evaluation audio: candidate and current model hear the same recording. */
const LONG_AUDIO_SEED = 1;

/**
 * The Evaluator port over ml/src/train's evaluateModel. The held-out
 * originals are scored window by window, and also strung into long audio (as
 * training's validation does): gunshot-free audio for false alarms per hour,
 * and a stream with the gunshot clips dropped in for event recall, which is
 * what the gate compares (window recall when there are no gunshot clips).
 * The originals are read one at a time and the long audio is rendered and
 * scored a chunk at a time, so neither is held whole.
 */
export function sharedEvaluator(longNegativeMinutes: number): Evaluator {
  return {
    async evaluate(pkg, originals) {
      const clips: LabelledClip[] = asClips(originals);
      if (clips.length === 0) return emptyMetrics(pkg.classNames);
      const long = validationLongAudio(clips, GUNSHOT_CLASS, longNegativeMinutes, LONG_AUDIO_SEED);
      const report = evaluateModel(pkg, clips, { alarmClass: GUNSHOT_CLASS, alarmFree: long.alarmFree, withEvents: long.withEvents });
      return toMetrics(report, clips.length);
    },
  };
}

export function toMetrics(report: EvaluationReport, clips: number): EvalMetrics {
  const gunshot = report.perClass.find((c) => c.name === GUNSHOT_CLASS);
  const long = report.longAudio;
  const counts = report.confusion.counts;
  const total = counts.flat().reduce((a, b) => a + b, 0);
  const diagonal = counts.reduce((s, row, i) => s + (row[i] ?? 0), 0);
  return {
    gunshotRecall: long?.eventRecall ?? (gunshot && gunshot.positives > 0 ? gunshot.recall : null),
    falseAlarmsPerHour: long?.falseAlarmsPerHour ?? 0,
    negativeHours: long?.hours ?? 0,
    clips,
    perClass: Object.fromEntries(report.perClass.map((c) => [c.name, { support: c.positives, recall: c.recall, precision: c.precision }])),
    confusionMatrix: { labels: report.confusion.labels, counts },
    accuracy: total > 0 ? diagonal / total : null,
    report,
  };
}

function emptyMetrics(classes: string[]): EvalMetrics {
  return { gunshotRecall: null, falseAlarmsPerHour: 0, negativeHours: 0, clips: 0, perClass: {}, confusionMatrix: { labels: classes, counts: [] }, accuracy: null };
}
