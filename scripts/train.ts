/**
 * `npm run train`: trains the EcoSight classifier and writes the model package.
 *
 *   npm run train                      full run on the fetched data -> models/
 *   npm run train -- --quick           CI: a few hundred steps on a subset -> a temp dir
 *   npm run train -- --toy             generated data only (no fetch needed)
 *
 * Options: see HELP below (npm run train -- --help).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CLASS_NAMES } from '#ml/dataset/classes.js';
import { describeError } from '#shared/errors.js';
import { shippedModelDir } from '#shared/model/model-package.js';
import { createLogger } from '#shared/util/logger.js';
import { createProgressPrinter } from '#ml/train/progress-bar.js';
import { gitCommit, runTraining, subsetData, toyData, type PreparedData } from '#ml/train/run-training.js';
import { DATA_BUDGET, prepareFetchedData } from '#ml/train/dataset-assembly.js';
import { initTrainingBackend } from '#ml/train/training-backend.js';
import { trainOnsetCli } from '#ml/onset/onset-cli.js';
import type { HardNegativeOptions } from '#ml/train/types.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    toy: { type: 'boolean', default: false },
    out: { type: 'string' },
    cache: { type: 'string' },
    seed: { type: 'string', default: '20261' },
    epochs: { type: 'string' },
    steps: { type: 'string' },
    subset: { type: 'string' },
    batch: { type: 'string', default: '64' },
    patience: { type: 'string' },
    version: { type: 'string' },
    'long-minutes': { type: 'string' },
    'clips-per-kind': { type: 'string' },
    'epoch-steps': { type: 'string' },
    'label-smoothing': { type: 'string' },
    'class-exponent': { type: 'string' },
    'negative-share': { type: 'string' },
    synthetic: { type: 'string' },
    chainsaw: { type: 'string' },
    boost: { type: 'string' },
    'hard-negatives': { type: 'string' },
    select: { type: 'string' },
    onset: { type: 'boolean', default: false },
    'examples-cache': { type: 'string' },
    members: { type: 'string' },
    'gunshot-rounds': { type: 'string' },
    'negative-passes': { type: 'string' },
    hidden: { type: 'string' },
    'mine-negatives': { type: 'string' },
    'mine-with': { type: 'string' },
    jitter: { type: 'string' },
    'negative-scenes': { type: 'boolean', default: false },
    confusers: { type: 'string' },
    'confuser-kinds': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const HELP = `Usage: npm run train -- [options]

Trains the EcoSight classifier on the fetched data (npm run data:fetch) plus
synthesized gunshots and chainsaws and writes a model package (see docs/model.md).

  --out DIR            output directory (default: models/, the shipped model;
                       --quick: a new temporary directory)
  --cache DIR          data cache (default: $ECOSIGHT_DATA_CACHE, else ~/.cache/ecosight/data)
  --quick              CI run: 300 steps on a 15 % subset, fails unless the loss falls
  --toy                generated data only (no fetch needed)
  --onset              train stage 2 of the gunshot detector (the onset classifier)
                       instead of the window model -> models/onset/ (or --out DIR);
                       uses --seed, --cache, --version, --synthetic (default 1500),
                       --epochs (default 25), --members N (nets of different seeds merged
                       into one, default 5), --examples-cache DIR (keep the computed
                       onset examples there and reuse them; one directory per data
                       setting), --gunshot-rounds N (augmentation rounds of each real
                       gunshot, default 3), --negative-passes N (placements of each
                       negative clip, default 2), --hidden A,B (hidden layer widths,
                       default 128,32), --mine-negatives SHARE,COPIES (a second round:
                       the first round's ensemble scores the training negatives and the
                       nets are trained again with COPIES more copies of the SHARE it
                       scores highest; --mine-with DIR mines with the stage 2 in DIR
                       (its onset-model.json) instead of a first round), --jitter SAMPLES,COPIES
                       (COPIES more copies of every example at an onset moved by
                       1..SAMPLES samples), --negative-scenes (every negative pass after
                       the first places each negative made a scene as the modelled shots
                       are: background bed, soft clipping, reverb), --confusers N (N modelled
                       scenes of impacts, notes, clicks, thuds and noise bursts among the
                       negatives; --confuser-kinds K,K picks among impact, tonal, clicks,
                       thud, burst); about 15-30 min on 2 cores
  --seed N             random seed (default 20261): same seed + same cache = same model
  --epochs N           validation intervals (default 20; --quick 50)
  --epoch-steps N      steps per interval (default 400; --quick 100)
  --steps N            stop after N steps in all
  --patience N         early-stopping patience in intervals (default 6)
  --batch N            batch size (default 64)
  --subset F           train on a fraction F of the data
  --version V          model version (default <yyyy.mm.dd>-full|quick|toy)
  --long-minutes N     minutes of gunshot-free audio for the false-alarm threshold (default 60)
  --label-smoothing E  label smoothing epsilon (default 0)
  --class-exponent X   class strata weighted by positives^X (default 0.5)
  --negative-share F   share of batch slots for unlabelled patches (default 0.55)
  --boost C=X[,C=X]    draw class C's patches X times as often as its size gives
                       (default none), e.g. --boost gunshot=3,explosion=3
  --hard-negatives N[:SHARE[:FROM]]
                       hard-negative mining for gunshot: from epoch FROM (default 3)
                       on, the N training patches not labelled gunshot that score
                       highest take SHARE (default 0.15) of the batch slots
                       (default off)
  --select loss|alarm-recall
                       keep the epoch with the lowest validation loss (default), or
                       the highest gunshot validation recall at 0.5 % false positives
  --synthetic N        synthesized gunshot scenes for training (default ${DATA_BUDGET.synthetic.train})
  --chainsaw N         synthesized chainsaw scenes for training, and N/4 (held-out engine
                       parameters) for validation (default ${DATA_BUDGET.chainsaw.train}: the shipped chainsaw
                       output is trained by npm run train:chainsaw instead)
  --clips-per-kind N   --toy only: generated clips per kind
  -h, --help           show this text
`;

async function main(): Promise<void> {
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const logger = createLogger({ name: 'train' });
  if (values.onset) {
    // Stage 2 of the gunshot detector only (models/onset); the window model is untouched.
    await initTrainingBackend(logger);
    await trainOnsetCli({ ...values, seed: Number(values.seed), logger, write: (s) => process.stdout.write(s) });
    return;
  }
  const started = Date.now();
  // Before the minutes of data assembly: the code this process loaded is this commit's.
  const commit = gitCommit();
  await initTrainingBackend(logger);
  const quick = values.quick === true;
  const seed = Number(values.seed);
  let data: PreparedData = values.toy
    ? toyData(Number(values['clips-per-kind'] ?? (quick ? 12 : 60)), seed)
    : await prepareFetchedData({
      cacheDir: values.cache, seed, logger, quick,
      budget: {
        ...(values.synthetic !== undefined ? { synthetic: { train: Number(values.synthetic), validation: DATA_BUDGET.synthetic.validation } } : {}),
        ...(values.chainsaw !== undefined ? { chainsaw: { train: Number(values.chainsaw), validation: Math.round(Number(values.chainsaw) / 4) } } : {}),
      },
    });
  const subset = values.subset !== undefined ? Number(values.subset) : quick && !values.toy ? 0.15 : 1;
  if (subset < 1) data = subsetData(data, subset, seed);
  const outDir = values.out ?? (quick ? mkdtempSync(join(tmpdir(), 'ecosight-quick-model-')) : shippedModelDir());
  const version = values.version ?? defaultVersion(quick, values.toy === true);
  const { result, seconds, reportText } = await runTraining({
    classes: [...CLASS_NAMES],
    data,
    outDir,
    version,
    seed,
    epochs: Number(values.epochs ?? (quick ? 50 : 20)),
    batchSize: Number(values.batch),
    // Quick mode runs a fixed number of steps: no early stop.
    patience: Number(values.patience ?? (quick ? 50 : 6)),
    maxSteps: values.steps !== undefined ? Number(values.steps) : quick ? 300 : undefined,
    // An "epoch" is a validation interval: batches are class-balanced draws, not passes over the data.
    maxStepsPerEpoch: Number(values['epoch-steps'] ?? (quick ? 100 : 400)),
    longNegativeMinutes: Number(values['long-minutes'] ?? (quick ? 5 : 60)),
    labelSmoothing: values['label-smoothing'] !== undefined ? Number(values['label-smoothing']) : undefined,
    sampling: {
      classExponent: values['class-exponent'] !== undefined ? Number(values['class-exponent']) : undefined,
      negativeShare: values['negative-share'] !== undefined ? Number(values['negative-share']) : undefined,
      classBoost: values.boost !== undefined ? parseBoost(values.boost) : undefined,
      hardNegatives: values['hard-negatives'] !== undefined ? parseHardNegatives(values['hard-negatives']) : undefined,
    },
    selectOn: parseSelect(values.select),
    description: values.toy
      ? 'Trained on generated data only (impulsive noise bursts and physically modelled gunshots from ml/src/synth as gunshot, vs silence, noise, tones, chirps, slow swells): recognises sharp broadband impulses as gunshot; knows nothing of the other classes (their thresholds are placeholders).'
      : 'EcoSight compact CNN trained on the fetched Debian-package sound data plus synthesized gunshots and chainsaws (see docs/model.md).',
    logger,
    onProgress: createProgressPrinter(),
    requireLossDrop: quick,
    gitCommit: commit,
  });
  const training = result.metadata.training as { firstLoss: number; lastLoss: number };
  process.stdout.write(`${reportText}\n\n`);
  process.stdout.write(`loss: first steps ${training.firstLoss.toFixed(4)} -> last steps ${training.lastLoss.toFixed(4)}; best epoch ${result.bestEpoch}\n`);
  process.stdout.write(`model ${version} written to ${outDir}\n`);
  process.stdout.write(`training took ${formatDuration(seconds)} (total ${formatDuration((Date.now() - started) / 1000)})\n`);
}

/** `gunshot=3,explosion=2` -> { gunshot: 3, explosion: 2 }; unknown classes are refused. */
function parseBoost(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',').filter((p) => p.trim() !== '')) {
    const [name, value] = part.split('=').map((x) => x.trim());
    const x = Number(value);
    if (!(CLASS_NAMES as readonly string[]).includes(name)) throw new Error(`--boost: unknown class "${name}" (classes: ${CLASS_NAMES.join(', ')})`);
    if (!(x > 0) || !Number.isFinite(x)) throw new Error(`--boost: "${part}" needs a positive number after "="`);
    out[name] = x;
  }
  return out;
}

/** `2000`, `2000:0.2` or `2000:0.2:4` -> gunshot hard-negative mining. */
function parseHardNegatives(text: string): HardNegativeOptions {
  const [count, share = '0.15', fromEpoch = '3'] = text.split(':');
  const h = { class: 'gunshot', count: Number(count), share: Number(share), fromEpoch: Number(fromEpoch) };
  if (!Number.isInteger(h.count) || h.count < 1 || !(h.share > 0 && h.share < 1) || !Number.isInteger(h.fromEpoch) || h.fromEpoch < 1) {
    throw new Error(`--hard-negatives: "${text}" is not N[:SHARE[:FROM]] with N >= 1, 0 < SHARE < 1, FROM >= 1`);
  }
  return h;
}

function parseSelect(text: string | undefined): 'loss' | 'alarm-recall' | undefined {
  if (text === undefined || text === 'loss' || text === 'alarm-recall') return text;
  throw new Error(`--select must be "loss" or "alarm-recall", got "${text}"`);
}

function defaultVersion(quick: boolean, toy: boolean): string {
  const d = new Date();
  const day = `${d.getUTCFullYear()}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${String(d.getUTCDate()).padStart(2, '0')}`;
  return `${day}-${quick ? 'quick' : toy ? 'toy' : 'full'}`;
}

function formatDuration(sec: number): string {
  return `${Math.floor(sec / 60)} min ${Math.round(sec % 60)} s`;
}

main().catch((err: unknown) => {
  process.stderr.write(`train: ${describeError(err)}\n`);
  process.exitCode = 1;
});
