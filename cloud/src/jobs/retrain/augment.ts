import { isBackgroundClass } from '../../predict/background-classes.js';
import type { AudioOriginal, Augmenter, TrainingClip } from './ports.js';

/** Each training original becomes itself plus five variants (the seed's recipe). */
export const COPIES_PER_ORIGINAL = 6;

/**
 * Training clips from training originals only: each original plus its variants,
 * all in the original's split group. Background-class originals are the mix
 * variant's backgrounds. The audio exists only in memory, for this job.
 */
export async function augmentTraining(
  train: readonly AudioOriginal[],
  augmenter: Augmenter,
  seed: number,
  report: (fraction: number, message?: string) => void,
): Promise<TrainingClip[]> {
  const clips: TrainingClip[] = [];
  for (let i = 0; i < train.length; i++) {
    const o = train[i];
    const backgrounds = train.filter((b) => b !== o && isBackgroundClass(b.label)).map((b) => b.samples);
    clips.push({ id: o.id, samples: o.samples, labels: [o.label], group: o.id });
    const variants = await augmenter.augment(o, seed + i, backgrounds);
    variants.forEach((v, k) => clips.push({ id: `${o.id}~${k + 1}`, samples: v.samples, labels: v.labels, group: o.id, sourceId: o.id }));
    report((i + 1) / train.length);
  }
  report(1, `${train.length} training originals -> ${clips.length} training clips`);
  return clips;
}

/** Held-out originals as training clips (validation: no augmentation). */
export function asClips(originals: readonly AudioOriginal[]): TrainingClip[] {
  return originals.map((o) => ({ id: o.id, samples: o.samples, labels: [o.label], group: o.id }));
}
