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
  }
  const json = JSON.stringify(reports.length === 1 ? reports[0].report : reports, null, 2);
  if (values.format !== 'json') {
    for (const { name, report } of reports) process.stdout.write(`== ${name}\n${formatReport(report)}\n\n`);
  }
  if (values.format !== 'table') process.stdout.write(`${json}\n`);
  if (values.json) await writeFile(values.json, `${json}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`eval: ${describeError(err)}\n`);
  process.exitCode = 1;
});
