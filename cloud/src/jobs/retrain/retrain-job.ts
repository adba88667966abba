import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isoNow, type Clock } from '#shared/util/clock.js';
import type { CurrentModel } from '../../models/current-model.js';
import type { ReleasePublisher } from '../../models/publisher.js';
import { nextVersion } from '../../models/versioning.js';
import type { Repos } from '../../adapters/db/repos.js';
import type { ObjectStorage } from '../../adapters/storage/object-storage.js';
import type { ProgressSink } from '../job-progress.js';
import type { JobRequest, JobResult } from '../job-status.js';
import { asClips, backgroundPool, trainingStream, type TrainingStreamCounts } from './augment.js';
import { collectOriginals } from './collect.js';
import { combineGates, gate, type GateDecision } from './gate.js';
import { HeldOriginals } from './held-originals.js';
import { loadOriginal, loadOriginals } from './load.js';
import { currentOnsetBase, judgeOnset, trainOnsetStage, type OnsetBase, type OnsetStepDeps } from './onset-step.js';
import type { AudioOriginal, Augmenter, Evaluator, LabelledOriginal, TrainedCandidate, TrainedOnset, Trainer, TrainOptions, TrainProgressReport } from './ports.js';
import { saveCandidate } from './save-candidate.js';
import { splitByOriginal } from './split.js';

export interface RetrainDeps extends Omit<OnsetStepDeps, 'repos'> {
  storage: ObjectStorage;
  repos: Pick<Repos, 'uploads' | 'detections' | 'releases'>;
  currentModel: Pick<CurrentModel, 'get'>;
  trainer: Trainer;
  augmenter: Augmenter;
  evaluator: Evaluator;
  publisher: Pick<ReleasePublisher, 'publish' | 'reject'>;
  /** Scratch space; each job gets `<workRoot>/<jobId>`, removed when the job ends. */
  workRoot: string;
  clock: Clock;
  /** Longest original decoded, in samples at the model rate (maxDecodedSamples); longer ones are skipped. */
  maxDecodedSamples: number;
}

export const EVAL_FRACTION = 0.2;
export const VALID_FRACTION = 0.15;

/**
 * The retrain job, stage by stage: collect -> split by original -> load ->
 * augment (training originals only) -> features and train (the trainer does
 * both and reports which) -> evaluate candidate and current model on the
 * held-out originals -> gate -> publish or reject.
 */
export async function runRetrain(deps: RetrainDeps, request: JobRequest, progress: ProgressSink, signal: AbortSignal): Promise<JobResult> {
  const workDir = join(deps.workRoot, request.id);
  const check = () => {
    if (signal.aborted) throw new Error('job cancelled: the service is shutting down');
  };
  let candidateModel: { dispose(): void } | undefined;
  // Validation and evaluation originals live in a scratch file, read back one at a time when used.
  const held = new HeldOriginals(join(workDir, 'held-originals.f32'));
  try {
    await progress.stage('collect');
    const current = await deps.currentModel.get();
    const classes = current.pkg.classNames;
    const { originals, unknownLabels } = await collectOriginals(deps.repos, classes);
    for (const [label, n] of Object.entries(unknownLabels)) progress.log(`ignored ${n} sample(s) labelled "${label}": not a class of model ${current.version}`);
    if (originals.length < 2) throw new Error(`need at least 2 labelled originals to train and evaluate; have ${originals.length}`);
    const dataCutoff = originals.reduce((max, o) => (o.labelledAt > max ? o.labelledAt : max), '');
    const seedName = seedKey(request);
    const seed = hashSeed(seedName);
    const split = splitByOriginal(originals, { evalFraction: EVAL_FRACTION, validFraction: VALID_FRACTION, seed: seedName });
    progress.log(`${originals.length} labelled originals: ${split.train.length} train, ${split.valid.length} valid, ${split.eval.length} eval (split by original)`);
    if (split.train.length === 0) throw new Error('no training originals after the split');

    const sampleRateHz = current.pkg.metadata.frontEnd.sampleRateHz;
    const loadTo = (hold?: (o: AudioOriginal) => AudioOriginal) => (originals: readonly LabelledOriginal[]) =>
      loadOriginals(deps.storage, originals, sampleRateHz, (f, m) => progress.update(f, m), deps.maxDecodedSamples, hold);
    const load = loadTo((o) => held.add(o));
    const existing = (await deps.repos.releases.list()).map((r) => r.version);
    const version = nextVersion([...existing, current.version], new Date(deps.clock.now()));
    const trained = await trainCandidate(deps, {
      request, seed, split, load, loadInMemory: loadTo(), version, classes, base: current.pkg, progress, signal, scratchDir: join(workDir, 'patches'),
    });
    const { candidate } = trained;
    candidateModel = candidate.model;
    check();

    await progress.stage('onset');
    const onset = await onsetCandidate(deps, current, {
      train: split.train, valid: trained.valid, version, sampleRateHz, seed, progress, signal,
    });
    check();

    await progress.stage('evaluate');
    const evalSet = await load(split.eval);
    progress.log(`held-out audio in scratch: ${(held.bytes / 2 ** 20).toFixed(0)} MB`);
    const candidateView = { model: candidate.model, metadata: candidate.metadata, classNames: candidate.metadata.classes };
    const candidateMetrics = await deps.evaluator.evaluate(candidateView, evalSet);
    progress.update(0.5);
    const currentMetrics = await deps.evaluator.evaluate(current.pkg, evalSet);
    const windowDecision: GateDecision = evalSet.length === 0
      ? { passed: false, reasons: ['no evaluation clips: cannot show the candidate is not worse'] }
      : gate(candidateMetrics, currentMetrics);
    progress.update(0.7);
    const onsetJudged = onset && await judgeOnset(deps, onset.base, onset.trained, evalSet, seed);
    const decision = onsetJudged ? combineGates(windowDecision, onsetJudged.decision) : windowDecision;
    progress.log(`gate ${decision.passed ? 'passed' : 'failed'}: ${decision.reasons.join('; ')}`);

    await progress.stage('publish');
    const createdAt = isoNow(deps.clock);
    const report = {
      jobId: request.id, mode: request.mode, seed: seedName, parentVersion: current.version, dataCutoff,
      originals: { train: trained.counts.originals, valid: trained.validOriginals, eval: evalSet.length },
      clips: { train: trained.counts.clips, valid: trained.validOriginals },
      onset: onsetJudged?.report ?? null,
    };
    const candidateDir = join(workDir, 'candidate'); // scratch: removed with workDir
    await saveCandidate(candidateDir, candidate, { version, createdAt, training: report, metrics: { evaluation: candidateMetrics } }, [...evalSet, ...trained.referenceExtras], onset?.trained);
    const input = {
      version, dir: candidateDir, classes: candidate.metadata.classes, parentVersion: current.version, jobId: request.id,
      metrics: candidateMetrics as unknown as Record<string, unknown>, baselineMetrics: currentMetrics as unknown as Record<string, unknown>,
      gate: decision, report,
    };
    const record = decision.passed ? await deps.publisher.publish(input) : await deps.publisher.reject(input);
    progress.update(1, `${record.status} ${version}`);
    return {
      outcome: record.status,
      version,
      dataCutoff,
      report: { ...report, gate: decision, metrics: candidateMetrics, baselineMetrics: currentMetrics },
    };
  } finally {
    candidateModel?.dispose();
    held.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

interface TrainContext {
  request: JobRequest;
  /** The job's numeric seed (hashSeed of seedKey), for augmentation and training. */
  seed: number;
  split: { train: LabelledOriginal[]; valid: LabelledOriginal[] };
  /** Loads held-out originals into the job's scratch file (held-originals.ts). */
  load: (originals: readonly LabelledOriginal[]) => Promise<AudioOriginal[]>;
  /** Loads originals into memory (the bounded background pool, used for every training original). */
  loadInMemory: (originals: readonly LabelledOriginal[]) => Promise<AudioOriginal[]>;
  version: string;
  classes: string[];
  base: TrainOptions['base'];
  /** Where a full retrain keeps its patches. */
  scratchDir: string;
  progress: ProgressSink;
  signal: AbortSignal;
}

/**
 * Stage 2 of the gunshot detector: fine-tuned from the current one (release or
 * shipped) on every original outside the evaluation split (onset-step.ts);
 * none when there is no stage 2 to start from.
 */
async function onsetCandidate(
  deps: RetrainDeps, current: { version: string; source: 'release' | 'shipped' }, c: Omit<Parameters<typeof trainOnsetStage>[1], 'base'>,
): Promise<{ base: OnsetBase; trained: TrainedOnset } | undefined> {
  const base = await currentOnsetBase(deps, current);
  if (!base) {
    c.progress.log('stage 2: no onset model in the current release or the shipped models: the candidate carries the window model only');
    return undefined;
  }
  c.progress.log(`stage 2: fine-tuning ${base.file.version} (${base.source})`);
  const trained = await trainOnsetStage(deps, { ...c, base, version: `${c.version}-onset` });
  c.progress.update(1);
  return { base, trained };
}

interface TrainedStage {
  candidate: TrainedCandidate;
  counts: TrainingStreamCounts;
  validOriginals: number;
  /** The validation originals (held in the job's scratch file). */
  valid: AudioOriginal[];
  /** One validation original per label: reference clips for classes the evaluation originals lack. */
  referenceExtras: AudioOriginal[];
}

/**
 * load -> augment -> features -> train. Only a bounded background pool is held
 * in memory (the validation originals are in the job's scratch file); training
 * originals are streamed into the trainer one at a time (trainingStream).
 */
async function trainCandidate(deps: RetrainDeps, c: TrainContext): Promise<TrainedStage> {
  const { progress, split } = c;
  await progress.stage('load');
  const valid = await c.load(split.valid);
  if (c.signal.aborted) throw new Error('job cancelled: the service is shutting down');

  await progress.stage('augment');
  const backgrounds = await c.loadInMemory(backgroundPool(split.train));
  const sampleRateHz = c.base.metadata.frontEnd.sampleRateHz;
  const training = trainingStream(split.train, {
    load: (o) => loadOriginal(deps.storage, o, sampleRateHz, deps.maxDecodedSamples),
    augmenter: deps.augmenter, seed: c.seed, backgrounds, skipped: (m) => progress.log(m),
  });
  progress.update(1, `${backgrounds.length} background originals for the mix variant; ${split.train.length} training originals are augmented as training reads them`);

  await progress.stage('features');
  const candidate = await deps.trainer.train(training.stream, asClips(valid), {
    mode: c.request.mode, base: c.base, classes: c.classes, version: c.version, seed: c.seed, signal: c.signal, scratchDir: c.scratchDir,
    onProgress: trainProgressTo(progress),
  });
  const firstOfLabel = valid.filter((o, i) => valid.findIndex((p) => p.label === o.label) === i);
  return { candidate, counts: training.counts, validOriginals: valid.length, valid, referenceExtras: firstOfLabel };
}

/** Maps the trainer's progress (one fraction over features + training) onto the job's two stages. */
function trainProgressTo(progress: ProgressSink): (p: TrainProgressReport) => void {
  let stage: 'features' | 'train' = 'features';
  let trainStartFraction = 0;
  return (p) => {
    if (p.stage === 'train' && stage === 'features') {
      stage = 'train';
      trainStartFraction = p.fraction;
      progress.stage('train').catch(() => undefined); // progress is advisory: a failed write must not fail training
    }
    const within = stage === 'features'
      ? p.fraction / FEATURES_SHARE
      : (p.fraction - trainStartFraction) / Math.max(1e-9, 1 - trainStartFraction);
    progress.update(Math.min(1, within), p.message);
  };
}

/** Share of a training call spent on features (trainModel reports them over its first 12 %). */
const FEATURES_SHARE = 0.12;

/** What seeds the job's split, augmentation and training: the requested seed, else the job id (a new draw per job). */
function seedKey(request: Pick<JobRequest, 'id' | 'seed'>): string {
  return request.seed !== undefined ? `seed-${request.seed}` : request.id;
}

function hashSeed(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619) >>> 0;
  return h;
}
