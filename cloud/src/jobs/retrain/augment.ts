import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeWav16 } from '../../../../shared/src/audio/wav-encode.js';
import type { AudioOriginal, Augmenter } from './ports.js';

/** Each training original becomes itself plus this many variants (the seed's recipe). */
export const VARIANTS_PER_ORIGINAL = 5;

/** A training example before features: an original in memory or a variant on the job's scratch disk. */
export type TrainingItem =
  | { kind: 'original'; label: string; group: string; samples: Float32Array }
  | { kind: 'variant'; label: string; group: string; path: string };

/**
 * Augments training originals only. Variants go to `workDir` as WAV files
 * (generated on demand, deleted as soon as their features exist and in any
 * case with the job's scratch folder), so memory stays bounded by one original.
 */
export async function augmentTraining(
  train: readonly AudioOriginal[],
  augmenter: Augmenter,
  workDir: string,
  seed: number,
  report: (fraction: number, message?: string) => void,
): Promise<TrainingItem[]> {
  await mkdir(workDir, { recursive: true });
  const items: TrainingItem[] = [];
  for (let i = 0; i < train.length; i++) {
    const o = train[i];
    items.push({ kind: 'original', label: o.label, group: o.id, samples: o.samples });
    const variants = await augmenter.augment(o, VARIANTS_PER_ORIGINAL, seed + i);
    for (let v = 0; v < variants.length; v++) {
      const path = join(workDir, `${i}-${v}.wav`);
      await writeFile(path, encodeWav16(variants[v], o.sampleRateHz));
      items.push({ kind: 'variant', label: o.label, group: o.id, path });
    }
    report((i + 1) / train.length);
  }
  report(1, `${train.length} training originals -> ${items.length} examples (${VARIANTS_PER_ORIGINAL} variants each)`);
  return items;
}
