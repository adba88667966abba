/**
 * `npm run train:chainsaw`: teaches the shipped model the chainsaw class on
 * its frozen backbone (ml/src/train/column-head.ts) and measures it
 * (ml/src/train/chainsaw-eval.ts). Only the chainsaw column of the head
 * changes: every other class scores exactly as in the base model.
 *
 *   npm run train:chainsaw -- --version 0.3.0 --out DIR
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LogMelFrontEnd } from '#shared/features/log-mel.js';
import { describeError } from '#shared/errors.js';
import { loadModelPackage, saveModelPackage, shippedModelDir } from '#shared/model/model-package.js';
import type { ModelMetadata } from '#shared/model/metadata.js';
import { createLogger } from '#shared/util/logger.js';
import { createRandom, type Random } from '#shared/util/random.js';
import { pinkNoise } from '#ml/augment/index.js';
import type { LabelledClip } from '#ml/train/types.js';
import { embeddingModel, HEAD_LAYER } from '#ml/train/architecture.js';
import { bestF1Threshold, chainsawWindowMetrics, loggingAlertsOnStream } from '#ml/train/chainsaw-eval.js';
import { fitColumn, spliceColumn } from '#ml/train/column-head.js';
import { CHAINSAW_WEAKNESS, independentClips, prepareFetchedData } from '#ml/train/dataset-assembly.js';
import { buildPatchSet, type PatchSet } from '#ml/train/patch-set.js';
import { gitCommit } from '#ml/train/run-training.js';
import { predictPatchSet } from '#ml/train/score-signal.js';
import type { ChainsawClip } from '#ml/train/synthetic-chainsaw-set.js';
import { initTrainingBackend } from '#ml/train/training-backend.js';

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    out: { type: 'string' },
    version: { type: 'string', default: '0.3.0' },
    seed: { type: 'string', default: '20261' },
    saws: { type: 'string', default: '600' },
    'valid-saws': { type: 'string', default: '200' },
    'vehicle-weight': { type: 'string', default: '4' },
    'long-minutes': { type: 'string', default: '60' },
    epochs: { type: 'string', default: '300' },
    noises: { type: 'string', default: '150' },
  },
});

const LABEL = 'chainsaw';

async function main(): Promise<void> {
  const logger = createLogger({ name: 'train-chainsaw' });
  const commit = gitCommit();
  await initTrainingBackend(logger);
  const baseDir = values.base ?? shippedModelDir();
  const outDir = values.out ?? shippedModelDir();
  const seed = Number(values.seed);
  const base = await loadModelPackage(baseDir);
  const k = base.classNames.indexOf(LABEL);
  if (k < 0) throw new Error(`the base model has no ${LABEL} class`);
  const started = Date.now();
  const data = await prepareFetchedData({
    seed, logger, augment: false,
    budget: { synthetic: { train: 0, validation: 0 }, chainsaw: { train: Number(values.saws), validation: Number(values['valid-saws']) } },
  });
  // A fifth of the saw scenes lie over plain pink noise: without steady noise among the
  // negatives, the column learns "steady broadband noise" as chainsaw (it did: 0.3.0's first fit).
  data.train.push(...steadyNoises(Number(values.noises), createRandom(`chainsaw-head/${seed}/noise-train`), 'synthetic-noise-train'));
  data.valid.push(...steadyNoises(Math.round(Number(values.noises) / 3), createRandom(`chainsaw-head/${seed}/noise-valid`), 'synthetic-noise-validation'));
  logger.info({ train: data.train.length, valid: data.valid.length }, 'clips ready');
  const frontEnd = new LogMelFrontEnd(base.metadata.frontEnd);
  const trainSet = buildPatchSet(data.train, base.classNames, { frontEnd, random: createRandom(`chainsaw-head/${seed}/train`) });
  const validSet = buildPatchSet(data.valid, base.classNames, { frontEnd, random: createRandom(`chainsaw-head/${seed}/valid`) });
  const backbone = embeddingModel(base.model);
  const size = backbone.outputs[0].shape[1] as number;
  const trainEmb = predictPatchSet(backbone, trainSet);
  logger.info({ trainPatches: trainSet.count, validPatches: validSet.count }, 'embeddings computed');

  const { y, weights } = labelsAndWeights(trainSet, k, Number(values['vehicle-weight']));
  const fit = fitColumn(trainEmb, size, y, weights, { epochs: Number(values.epochs), learningRate: 0.05, l2: 1e-4 });
  const model = (await loadModelPackage(baseDir)).model;
  spliceColumn(model, k, fit);
  assertOtherColumnsUnchanged(base.model, model, k);

  const validScores = columnOf(predictPatchSet(model, validSet), base.classNames.length, k);
  const threshold = bestF1Threshold(validScores, (i) => validSet.labels(i)[k] === 1);
  const distances = data.valid.map((c) => (c as Partial<ChainsawClip>).distanceM);
  const windows = chainsawWindowMetrics(validSet, validScores, k, threshold, (clip) => distances[clip]);
  const seconds = Number(values['long-minutes']) * 60;
  const vehicles = data.valid.filter((c) => c.labels.includes('vehicle'));
  const negatives = data.valid.filter((c) => !c.labels.includes(LABEL));
  const independent = await independentClips({}).catch(() => []);
  const streams = [
    loggingAlertsOnStream('validation vehicles and engines', model, frontEnd, vehicles, k, threshold, seconds),
    loggingAlertsOnStream('all validation audio without saws', model, frontEnd, negatives, k, threshold, seconds),
    ...(independent.length ? [loggingAlertsOnStream('independent packages', model, frontEnd, independent, k, threshold, seconds / 2)] : []),
  ];
  const report = { version: values.version, base: base.metadata.version, threshold, windows, streams, trainPatches: trainSet.count, losses: [fit.losses[0], fit.losses.at(-1)] };
  const metadata: ModelMetadata = {
    ...base.metadata,
    version: values.version,
    createdAt: new Date().toISOString(),
    thresholds: { ...base.metadata.thresholds, [LABEL]: round(threshold) },
    description: `${base.metadata.version}'s network with its chainsaw output trained on the frozen backbone (scripts/train-chainsaw.ts) from synthesized saws (ml/src/synth) against the training packages, engines weighted x${values['vehicle-weight']}; every other class scores exactly as in ${base.metadata.version}.`,
    gitCommit: commit,
    weakClasses: { ...base.metadata.weakClasses, [LABEL]: CHAINSAW_WEAKNESS },
    training: { ...base.metadata.training, chainsawHead: { base: base.metadata.version, data: data.description, fit: { epochs: fit.losses.length, firstLoss: fit.losses[0], lastLoss: fit.losses.at(-1) }, seconds: Math.round((Date.now() - started) / 1000) } },
    metrics: { ...base.metadata.metrics, chainsaw: { windows, loggingStreams: streams } },
  };
  await saveModelPackage(outDir, model, metadata);
  writeFileSync(join(outDir, '..', `chainsaw-report-${values.version}.json`), JSON.stringify(report, null, 2));
  process.stdout.write(`${JSON.stringify(report, null, 2)}\nmodel ${values.version} written to ${outDir}\n`);
}

/** Steady noises without a label (pink, brown or white, 3-6 s, -50 to -10 dBFS RMS). */
function steadyNoises(count: number, rand: Random, group: string): LabelledClip[] {
  return Array.from({ length: count }, (_, i) => {
    const r = rand.fork(i);
    const n = Math.round(r.uniform(3, 6) * 16000);
    const rms = 10 ** (r.uniform(-50, -10) / 20);
    const kind = r.pick(['pink', 'brown', 'white'] as const);
    let x: Float32Array;
    if (kind === 'pink') x = pinkNoise(n, rms, r.fork('pink'));
    else {
      x = new Float32Array(n);
      let acc = 0;
      for (let k = 0; k < n; k++) {
        acc = kind === 'brown' ? 0.995 * acc + r.normal() : r.normal();
        x[k] = acc;
      }
      const now = Math.sqrt(x.reduce((s, v) => s + v * v, 0) / n);
      for (let k = 0; k < n; k++) x[k] *= rms / now;
    }
    return { id: `${group}/${i}`, samples: x, labels: [], group };
  });
}

/** Labels of the class, and weights: positives and negatives weigh the same in all; engines (vehicle) count extra among the negatives. */
function labelsAndWeights(set: PatchSet, k: number, vehicleWeight: number): { y: Uint8Array; weights: Float32Array } {
  const v = set.classes.indexOf('vehicle');
  const y = new Uint8Array(set.count);
  const weights = new Float32Array(set.count);
  let pos = 0;
  let neg = 0;
  for (let i = 0; i < set.count; i++) {
    const labels = set.labels(i);
    y[i] = labels[k];
    weights[i] = y[i] ? 1 : v >= 0 && labels[v] ? vehicleWeight : 1;
    if (y[i]) pos += weights[i];
    else neg += weights[i];
  }
  for (let i = 0; i < set.count; i++) if (y[i]) weights[i] *= neg / Math.max(1, pos);
  return { y, weights };
}

function assertOtherColumnsUnchanged(before: import('#shared/model/tf.js').tf.LayersModel, after: import('#shared/model/tf.js').tf.LayersModel, k: number): void {
  for (const layer of before.layers) {
    const a = layer.getWeights().map((t) => t.dataSync());
    const b = after.getLayer(layer.name).getWeights().map((t) => t.dataSync());
    a.forEach((w, j) => {
      for (let i = 0; i < w.length; i++) {
        const column = layer.name === HEAD_LAYER ? (j === 0 ? i % before.outputs[0].shape[1]! : i) : -1;
        if (column !== k && w[i] !== b[j][i]) throw new Error(`layer ${layer.name} changed outside the ${LABEL} column`);
      }
    });
  }
}

function columnOf(scores: Float32Array, classes: number, k: number): Float32Array {
  const out = new Float32Array(scores.length / classes);
  for (let i = 0; i < out.length; i++) out[i] = scores[i * classes + k];
  return out;
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

main().catch((err: unknown) => {
  process.stderr.write(`train:chainsaw failed: ${describeError(err)}\n`);
  process.exitCode = 1;
});
