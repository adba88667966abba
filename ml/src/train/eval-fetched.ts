import { createRandom } from '#shared/util/random.js';
import { independentClips, validationClips, type FetchedDataOptions } from './dataset-assembly.js';
import { evaluateModel, type EvaluableModel } from './evaluate.js';
import { alarmFreeStream, eventStream } from './long-audio.js';
import type { EvaluationReport } from './metrics.js';
import type { LabelledClip } from './types.js';
import { validationLongAudio } from './train-model.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';

export interface NamedReport {
  name: string;
  report: EvaluationReport;
}

/**
 * `npm run eval` without --labels: the model on the leave-package-out
 * validation set exactly as `npm run train` built it (same seed: same clips,
 * same synthetic gunshots, same hour of gunshot-free audio), and, when the
 * cache holds them, on the packages reserved for independent evaluation.
 * `validation`: the validation clips when the caller already built them.
 */
export async function evaluateFetched(
  pkg: EvaluableModel, o: FetchedDataOptions & { longMinutes?: number; validation?: LabelledClip[] },
): Promise<NamedReport[]> {
  const alarm = 'gunshot';
  const valid = o.validation ?? await validationClips(o);
  const long = validationLongAudio(valid, alarm, o.longMinutes ?? 60, o.seed);
  const reports: NamedReport[] = [{
    name: 'validation (leave-package-out)',
    report: evaluateModel(pkg, valid, { alarmClass: alarm, alarmFree: long.alarmFree, withEvents: long.withEvents }),
  }];
  const independent = await independentClips(o);
  if (independent.length > 0) {
    const rand = createRandom(`independent-${o.seed}`);
    const alarmFree = alarmFreeStream(independent, alarm, 30 * 60, rand.fork('alarm-free'));
    const positives = independent.filter((c) => c.labels.includes(alarm));
    const bed = alarmFreeStream(independent, alarm, positives.reduce((s, c) => s + c.samples.length / SAMPLE_RATE_HZ + 12, 10), rand.fork('bed'));
    reports.push({
      name: `independent packages (${[...new Set(independent.map((c) => c.group))].sort().join(', ')})`,
      report: evaluateModel(pkg, independent, {
        alarmClass: alarm,
        alarmFree,
        withEvents: positives.length > 0 ? eventStream(bed.samples, positives, alarm, rand.fork('events')) : undefined,
      }),
    });
  }
  return reports;
}
