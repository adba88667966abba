/**
 * `npm run eval`: evaluates a model package.
 *
 *   npm run eval -- --labels FILE.tsv [--model DIR] [--format both|table|json] [--json OUT]
 *       labelled recordings (format: ml/src/train/README.md): per-class
 *       precision/recall/F1, confusion matrix, gunshot false alarms per hour and
 *       event recall with a 0.5 s onset collar
 *   npm run eval [-- --model DIR --cache DIR]
 *       without --labels: the leave-package-out validation set that `npm run train`
 *       used (same seed), rebuilt from the data cache
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { describeError } from '#shared/errors.js';
import { initBackend } from '#shared/model/backend.js';
import { loadModelPackage, shippedModelDir } from '#shared/model/model-package.js';
import { createLogger } from '#shared/util/logger.js';
import { evaluateRecordings } from '#ml/train/evaluate.js';
import { readLabelledRecordings } from '#ml/train/labels-tsv.js';
import { formatReport } from '#ml/train/report-format.js';
import { evaluateFetched, type NamedReport } from '#ml/train/eval-fetched.js';
import { validationClips } from '#ml/train/dataset-assembly.js';
import { formatHardExamples, hardExamples } from '#ml/train/hard-examples.js';
import { honestEvaluation } from '#ml/honest/honest-run.js';
import { formatHonest, type HonestReport } from '#ml/honest/honest-eval.js';

const { values } = parseArgs({
  options: {
    labels: { type: 'string' },
    model: { type: 'string' },
    cache: { type: 'string' },
    seed: { type: 'string' },
    format: { type: 'string', default: 'both' },
    json: { type: 'string' },
    collar: { type: 'string', default: '0.5' },
    worst: { type: 'string' },
    'long-minutes': { type: 'string' },
    'skip-honest': { type: 'boolean', default: false },
    'honest-minutes': { type: 'string' },
    onset: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const HELP = `Usage: npm run eval -- [options]

Evaluates a model package: per-class precision/recall/F1, a confusion matrix,
gunshot false alarms per hour and event-level gunshot recall on long audio;
printed as a table and as JSON.

  --labels FILE.tsv    labelled recordings (format: ml/src/train/README.md);
                       without it: the leave-package-out validation set that
                       npm run train used, rebuilt from the data cache, and the
                       independent evaluation packages
  --model DIR          model package (default: models/)
  --cache DIR          data cache (default: $ECOSIGHT_DATA_CACHE, else ~/.cache/ecosight/data)
  --seed N             rebuild validation with this seed (default: the model's training seed)
  --format F           both | table | json (default both)
  --json FILE          also write the JSON report to FILE
  --collar SEC         onset collar for event matching (default 0.5)
  --long-minutes N     minutes of gunshot-free validation audio for false alarms per
                       hour (default: what the model was trained with, 60)
  --worst N            also list, clip by clip on the validation set, the N
                       gunshot-free clips the model scores highest for gunshot,
                       the real gunshot recordings' best scores, and how many
                       synthetic scenes reach each threshold
  --onset DIR          stage-2 onset model of the two-stage gunshot detector
                       (default: models/onset/ when it exists)
  --honest-minutes N   cap the gunshot-free forest audio (default: every
                       validation clip once, about 3 h)
  --skip-honest        skip the honest forest measure (below)

Without --labels it also runs the honest measure (issue 12): every validation
clip over a quiet modelled forest floor (-50..-40 dBFS), seconds apart, onsets
intact; false alarms per hour, the share of impulsive negatives that alarm,
event recall against false alarms per hour from 0.1 to 100 per hour, per source,
the ten highest-scoring gunshot-free alarms, and how many of 500 modelled
confusers (impacts, notes, clicks, thuds, noise bursts rendered through the
modelled shots' propagation) alarm, for the window model and the two-stage
detector. JSON: {reports, honest}.
  -h, --help           show this text
`;

async function main(): Promise<void> {
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const logger = createLogger({ name: 'eval' });
  await initBackend(logger, 'wasm');
  const pkg = await loadModelPackage(values.model ?? shippedModelDir());
  let reports: NamedReport[];
  let honest: HonestReport[] | undefined;
  if (values.labels) {
    const recordings = await readLabelledRecordings(values.labels, pkg.metadata.classes);
    reports = [{ name: values.labels, report: evaluateRecordings(pkg, recordings, { collarSec: Number(values.collar) }) }];
  } else {
    // Rebuild the validation data the model was trained with (its seed and size), unless told otherwise.
    const training = (pkg.metadata.training ?? {}) as { seed?: number; longNegativeMinutes?: number; data?: { quick?: boolean } };
    const data = { cacheDir: values.cache, seed: values.seed !== undefined ? Number(values.seed) : training.seed ?? 20261, quick: training.data?.quick === true, logger };
    const validation = await validationClips(data);
    if (values.worst !== undefined) {
      process.stdout.write(`== hard examples (validation)\n${formatHardExamples(hardExamples(pkg, validation, 'gunshot', Number(values.worst)))}\n\n`);
    }
    reports = await evaluateFetched(pkg, {
      ...data,
      validation,
      longMinutes: values['long-minutes'] !== undefined ? Number(values['long-minutes']) : training.longNegativeMinutes,
    });
    if (!values['skip-honest']) {
      honest = await honestEvaluation(pkg, validation, {
        seed: data.seed, onsetDir: values.onset, collarSec: Number(values.collar), logger,
        maxAlarmFreeSec: values['honest-minutes'] !== undefined ? Number(values['honest-minutes']) * 60 : undefined,
      });
    }
  }
  const body = reports.length === 1 ? reports[0].report : reports;
  const json = JSON.stringify(honest ? { reports: body, honest } : body, null, 2);
  if (values.format !== 'json') {
    for (const { name, report } of reports) process.stdout.write(`== ${name}\n${formatReport(report)}\n\n`);
    if (honest) process.stdout.write(`== honest forest measure (validation packages)\n${formatHonest(honest)}\n\n`);
  }
  if (values.format !== 'table') process.stdout.write(`${json}\n`);
  if (values.json) await writeFile(values.json, `${json}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`eval: ${describeError(err)}\n`);
  process.exitCode = 1;
});
