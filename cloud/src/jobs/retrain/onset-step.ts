import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeError, ModelError } from '#shared/errors.js';
import { loadOnsetModel, ONSET_MODEL_FILE, parseOnsetModelText, type OnsetModelFile } from '#shared/detect/onset-model.js';
import { ONSET_RELEASE_FILE, releaseKey } from '#shared/release/layout.js';
import { checkFile } from '#shared/release/manifest.js';
import type { Repos } from '../../adapters/db/repos.js';
import type { ObjectStorage } from '../../adapters/storage/object-storage.js';
import type { ProgressSink } from '../job-progress.js';
import { onsetGate, type GateDecision } from './gate.js';
import { loadOriginal } from './load.js';
import { OriginalChunks } from './original-chunks.js';
import type { AudioOriginal, LabelledOriginal, OnsetComparison, OnsetEvaluator, OnsetTrainer, TrainedOnset } from './ports.js';

const GUNSHOT = 'gunshot';

export interface OnsetStepDeps {
  storage: ObjectStorage;
  repos: Pick<Repos, 'releases'>;
  onsetTrainer: OnsetTrainer;
  onsetEvaluator: OnsetEvaluator;
  /** Stage 2 when the current release has none (default: the shipped models/onset). */
  shippedOnsetDir: string;
  maxDecodedSamples: number;
}

/** The stage-2 model a candidate is fine-tuned from, and where it came from. */
export interface OnsetBase {
  file: OnsetModelFile;
  /** `release <version>` or the shipped directory. */
  source: string;
}

/**
 * The current stage 2: the current release's `onset/onset-model.json` (read
 * from storage, checked against the release record's hash and the schema), else
 * the shipped one, else none (the job then retrains the window model only). A
 * release's stage 2 that is intact but does not parse as this software's onset
 * model gives way to the shipped one (the source says why).
 */
export async function currentOnsetBase(deps: Pick<OnsetStepDeps, 'storage' | 'repos' | 'shippedOnsetDir'>, current: { version: string; source: 'release' | 'shipped' }): Promise<OnsetBase | undefined> {
  if (current.source === 'release') {
    const record = await deps.repos.releases.get(current.version);
    const entry = record?.files.find((f) => f.path === ONSET_RELEASE_FILE);
    if (entry) {
      const key = releaseKey(current.version, ONSET_RELEASE_FILE);
      const bytes = await deps.storage.get(key);
      checkFile(entry, bytes);
      try {
        return { file: parseOnsetModelText(bytes.toString('utf8'), key).file, source: `release ${current.version}` };
      } catch (err) {
        // A release's stage 2 made for another software's onset features (say, before the fine-spectrum
        // features) cannot be fine-tuned here: this software's shipped stage 2 is the base instead.
        if (!(err instanceof ModelError)) throw err;
        const shipped = await shippedBase(deps.shippedOnsetDir);
        return shipped && { ...shipped, source: `${shipped.source} (release ${current.version}'s stage 2 does not fit: ${err.message})` };
      }
    }
  }
  return shippedBase(deps.shippedOnsetDir);
}

async function shippedBase(dir: string): Promise<OnsetBase | undefined> {
  if (!existsSync(join(dir, ONSET_MODEL_FILE))) return undefined;
  return { file: (await loadOnsetModel(dir)).file, source: dir };
}

/** A station clip the station called gunshot that a reviewer labelled otherwise: the site's own confuser. */
export function isHardNegative(o: LabelledOriginal): boolean {
  return o.source === 'station' && o.detectedLabel === GUNSHOT && o.label !== GUNSHOT;
}

export interface OnsetStageInput {
  base: OnsetBase;
  /** Training originals (loaded from storage a chunk at a time). */
  train: readonly LabelledOriginal[];
  /** Validation originals, already held (stage 2 keeps the base threshold, so it learns from them too). */
  valid: readonly AudioOriginal[];
  version: string;
  seed: number;
  sampleRateHz: number;
  progress: ProgressSink;
  signal: AbortSignal;
}

/**
 * Fine-tunes stage 2 on every original outside the evaluation split, loaded a
 * chunk at a time; the reviewed "not a gunshot" clips among them are hard
 * negatives. Evaluation originals never reach it: the gate measures on them.
 */
export async function trainOnsetStage(deps: OnsetStepDeps, c: OnsetStageInput): Promise<TrainedOnset> {
  const total = c.train.length + c.valid.length;
  let done = 0;
  const loadedTrain = async function* (): AsyncGenerator<AudioOriginal> {
    for (const o of c.train) {
      try {
        yield await loadOriginal(deps.storage, o, c.sampleRateHz, deps.maxDecodedSamples);
      } catch (err) {
        c.progress.log(`stage 2 skipped ${o.key}: ${describeError(err)}`);
      }
    }
  };
  async function* chunks(): AsyncGenerator<AudioOriginal[]> {
    const grouped = new OriginalChunks();
    for await (const o of concat(loadedTrain(), c.valid)) {
      const chunk = grouped.add(o);
      if (chunk) {
        done += chunk.length;
        c.progress.update(done / Math.max(1, total));
        yield chunk;
      }
    }
    const last = grouped.rest();
    if (last.length > 0) yield last;
  }
  return deps.onsetTrainer.train({ chunks: chunks(), isHardNegative }, {
    base: c.base.file, version: c.version, seed: c.seed, signal: c.signal, log: (m) => c.progress.log(m),
  });
}

async function* concat<T>(a: AsyncIterable<T>, b: Iterable<T>): AsyncGenerator<T> {
  yield* a;
  yield* b;
}

/** What the job report carries about stage 2 (report.onset). */
export interface OnsetReport {
  base: { version: string; source: string };
  candidate: { version: string; training: Record<string, unknown> };
  comparison: OnsetComparison | null;
}

/**
 * Both two-stage detectors on the same honest measure of the evaluation
 * originals, and the gate's verdict on stage 2 (onsetGate).
 */
export async function judgeOnset(deps: Pick<OnsetStepDeps, 'onsetEvaluator'>, base: OnsetBase, candidate: TrainedOnset, evalSet: readonly AudioOriginal[], seed: number): Promise<{ decision: GateDecision; report: OnsetReport }> {
  const report: OnsetReport = { base: { version: base.file.version, source: base.source }, candidate: { version: candidate.version, training: candidate.training }, comparison: null };
  if (evalSet.length === 0) return { decision: { passed: false, reasons: ['stage 2: no evaluation clips'] }, report };
  const comparison = await deps.onsetEvaluator.compare(base.file, candidate, evalSet, seed);
  return { decision: onsetGate(comparison), report: { ...report, comparison } };
}
