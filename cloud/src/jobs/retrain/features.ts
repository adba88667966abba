import { readFile, rm } from 'node:fs/promises';
import { decodeWav } from '../../../../shared/src/audio/wav-decode.js';
import { LogMelFrontEnd } from '../../../../shared/src/features/log-mel.js';
import type { FrontEndParams } from '../../../../shared/src/features/params.js';
import type { TrainingItem } from './augment.js';
import type { AudioOriginal, FeatureSet } from './ports.js';

/**
 * Log-mel patches (the model's own front end) for every example; each patch
 * keeps its example's label and original. Variant files are deleted once read.
 */
export async function extractFeatures(
  items: readonly (TrainingItem | AudioOriginal)[],
  classes: readonly string[],
  frontEnd: FrontEndParams,
  report: (fraction: number) => void,
): Promise<FeatureSet> {
  const fe = new LogMelFrontEnd(frontEnd);
  const set: FeatureSet = { classes: [...classes], patches: [], labels: [], groups: [] };
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const label = classes.indexOf(item.label);
    if (label < 0) throw new Error(`label ${item.label} is not one of the model's classes`);
    const samples = await samplesOf(item, frontEnd.sampleRateHz);
    for (const patch of fe.patches(samples)) {
      set.patches.push(patch);
      set.labels.push(label);
      set.groups.push('group' in item ? item.group : item.id);
    }
    report((i + 1) / items.length);
  }
  return set;
}

async function samplesOf(item: TrainingItem | AudioOriginal, rateHz: number): Promise<Float32Array> {
  if (!('kind' in item) || item.kind === 'original') return item.samples;
  const bytes = await readFile(item.path);
  await rm(item.path, { force: true });
  return decodeWav(bytes, rateHz).samples;
}

export function emptyFeatureSet(classes: readonly string[]): FeatureSet {
  return { classes: [...classes], patches: [], labels: [], groups: [] };
}
