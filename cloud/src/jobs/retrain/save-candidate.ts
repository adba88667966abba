import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import type { ModelMetadata } from '#shared/model/metadata.js';
import { saveModelPackage } from '#shared/model/model-package.js';
import { ensureReferenceClips } from '../../models/bootstrap.js';
import { ONSET_RELEASE_FILE } from '#shared/release/layout.js';
import type { AudioOriginal, TrainedCandidate, TrainedOnset } from './ports.js';

/** Reference clips shipped with a release: short, so a station checks a model in well under a second. */
const REFERENCE_CLIPS = 3;
const REFERENCE_SEC = 2;

/**
 * Writes the candidate as a model directory (model files, class names,
 * metadata with this job's facts) plus reference clips cut from held-out
 * originals, and its stage 2 as `onset/onset-model.json` when the job trained
 * one (the release's one sub-folder level carries it to the stations).
 */
export async function saveCandidate(
  dir: string,
  candidate: TrainedCandidate,
  facts: Pick<ModelMetadata, 'version' | 'createdAt'> & { training: Record<string, unknown>; metrics: Record<string, unknown> },
  referenceSource: readonly AudioOriginal[],
  onset?: TrainedOnset,
): Promise<ModelMetadata> {
  const metadata: ModelMetadata = {
    ...candidate.metadata,
    version: facts.version,
    createdAt: facts.createdAt,
    training: { ...(candidate.metadata.training ?? {}), ...facts.training },
    metrics: { ...(candidate.metadata.metrics ?? {}), ...facts.metrics },
  };
  await saveModelPackage(dir, candidate.model, metadata);
  await writeReferenceClips(join(dir, 'reference'), referenceSource, metadata.frontEnd.sampleRateHz);
  await ensureReferenceClips(dir, metadata.frontEnd.sampleRateHz);
  if (onset) {
    const path = join(dir, ...ONSET_RELEASE_FILE.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, JSON.stringify(onset));
  }
  return metadata;
}

/** One clip per class first (so every class is exercised), up to REFERENCE_CLIPS. */
async function writeReferenceClips(dir: string, source: readonly AudioOriginal[], rateHz: number): Promise<void> {
  const picked: AudioOriginal[] = [];
  const seen = new Set<string>();
  for (const o of source) if (!seen.has(o.label) && picked.length < REFERENCE_CLIPS) { picked.push(o); seen.add(o.label); }
  for (const o of source) if (!picked.includes(o) && picked.length < REFERENCE_CLIPS) picked.push(o);
  if (picked.length === 0) return;
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < picked.length; i++) {
    const samples = picked[i].samples.subarray(0, Math.round(REFERENCE_SEC * rateHz));
    await writeFile(join(dir, `${i}.wav`), encodeWav16(samples, rateHz));
  }
}
