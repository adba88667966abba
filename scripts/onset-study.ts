/**
 * `npm run study:onset`: other ways to score the two-stage detector's onsets,
 * compared on the honest validation streams (docs/model.md, "Tried after
 * 0.5.0-onset"): the window model's gunshot score fused with stage 2's, and
 * the stage-2 members combined otherwise than by their mean logit.
 *
 *   npm run study:onset [-- --onset DIR --model DIR --cache DIR --seed N]
 */
import { parseArgs } from 'node:util';
import { describeOnsets } from '#shared/detect/gunshot-onsets.js';
import { loadOnsetModel, shippedOnsetModelDir } from '#shared/detect/onset-model.js';
import { LogMelFrontEnd } from '#shared/features/log-mel.js';
import { initBackend } from '#shared/model/backend.js';
import { loadModelPackage, shippedModelDir } from '#shared/model/model-package.js';
import { createLogger } from '#shared/util/logger.js';
import { createRandom } from '#shared/util/random.js';
import { formatHonest, honestReport, honestStreams } from '#ml/honest/honest-eval.js';
import { recallInterval } from '#ml/honest/recall-interval.js';
import { FUSION_RULES, fuse, onsetEvidence } from '#ml/honest/score-fusion.js';
import { scoredOnsetDetector } from '#ml/onset/onset-detector.js';
import { validationClips } from '#ml/train/dataset-assembly.js';
import { classColumn, windowTiming } from '#ml/train/evaluate.js';
import { scoreSignal } from '#ml/train/score-signal.js';

const { values } = parseArgs({
  options: {
    onset: { type: 'string' },
    model: { type: 'string' },
    cache: { type: 'string' },
    seed: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const HELP = `Usage: npm run study:onset -- [options]

Scores the honest validation streams' onsets with every rule in
ml/src/honest/score-fusion.ts (stage 2 alone, fused with the window model's
gunshot score, the stage-2 members combined otherwise) and prints each rule's
event recall against false alarms per hour, with real sources counted apart,
and how far each rule's recall at 1 FA/h moves over 1,000 bootstrap draws of
the gunshot-free clips and the gunshot events (ml/src/honest/recall-interval.ts).

  --onset DIR   stage-2 model (default models/onset/; its training record must name its members)
  --model DIR   window model package (default models/)
  --cache DIR   data cache (default: $ECOSIGHT_DATA_CACHE, else ~/.cache/ecosight/data)
  --seed N      validation seed (default: the window model's training seed)
  -h, --help    show this text
`;

const BOOTSTRAP_DRAWS = 1000;

async function main(): Promise<void> {
  if (values.help) return void process.stdout.write(HELP);
  const logger = createLogger({ name: 'study' });
  await initBackend(logger, 'wasm');
  const pkg = await loadModelPackage(values.model ?? shippedModelDir());
  const onset = await loadOnsetModel(values.onset ?? shippedOnsetModelDir());
  const members = (onset.file.training as { net?: { members?: number } } | undefined)?.net?.members ?? 1;
  const seed = values.seed !== undefined ? Number(values.seed) : (pkg.metadata.training as { seed?: number } | undefined)?.seed ?? 20261;
  const streams = honestStreams(await validationClips({ cacheDir: values.cache, seed, quick: false, logger }), seed);
  const frontEnd = new LogMelFrontEnd(pkg.metadata.frontEnd);
  const timing = windowTiming(pkg.metadata.frontEnd);
  const k = pkg.metadata.classes.indexOf('gunshot');
  const evidence = (x: Float32Array) => onsetEvidence(describeOnsets(x), onset, members,
    classColumn(scoreSignal(pkg.model, frontEnd, x).scores, k, pkg.metadata.classes.length), timing);
  const free = evidence(streams.alarmFree.samples);
  const events = evidence(streams.withEvents.samples);
  const detectors = Object.entries(FUSION_RULES).map(([name, rule]) => scoredOnsetDetector(name, onset.threshold, onset.file.burstGapSec, fuse(free, rule), fuse(events, rule)));
  process.stdout.write(`${formatHonest(detectors.map((d) => honestReport(d, streams)))}\n`);
  // How far the 1 FA/h figure moves on another draw of the same kinds of audio (the same draws for every rule).
  process.stdout.write(`\nrecall at <= 1 FA/h over ${BOOTSTRAP_DRAWS} bootstrap draws of clips and events: median (5 %-95 %)\n`);
  for (const d of detectors) {
    const r = recallInterval(d, streams, 1, BOOTSTRAP_DRAWS, createRandom(`study-${seed}`));
    process.stdout.write(`  ${d.name}: ${r.median.toFixed(3)} (${r.low.toFixed(3)}-${r.high.toFixed(3)})\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`study:onset failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
