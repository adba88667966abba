import { describeError } from '#shared/errors.js';
import { isBackgroundClass } from '../../predict/background-classes.js';
import type { AudioOriginal, Augmenter, LabelledOriginal, TrainingClip, TrainingClipStream } from './ports.js';
import { stableName } from './stable-name.js';

/** Each training original becomes itself plus five variants (the seed's recipe). */
export const COPIES_PER_ORIGINAL = 6;

/**
 * Most background originals the mix variant draws from. The pool is the one
 * part of the training audio a job keeps in memory for its whole run, so it is
 * bounded (64 x 4 s = 16 MB), not "every background upload".
 */
export const MAX_BACKGROUND_ORIGINALS = 64;

/** Training originals whose audio is the mix variant's backgrounds (the first MAX_BACKGROUND_ORIGINALS, in split order). */
export function backgroundPool(train: readonly LabelledOriginal[]): LabelledOriginal[] {
  return train.filter((o) => isBackgroundClass(o.label)).slice(0, MAX_BACKGROUND_ORIGINALS);
}

export interface TrainingStreamDeps {
  /** Downloads and decodes one original (load.ts loadOriginal); throws when it cannot. */
  load: (o: LabelledOriginal) => Promise<AudioOriginal>;
  augmenter: Augmenter;
  seed: number;
  /** The loaded background pool (see backgroundPool). */
  backgrounds: readonly AudioOriginal[];
  /** An original that could not be loaded is skipped with this message. */
  skipped: (message: string) => void;
}

/** What a training stream produced, once it has been read. */
export interface TrainingStreamCounts {
  originals: number;
  clips: number;
}

/**
 * Training clips from training originals only, one original at a time: it is
 * downloaded, decoded and augmented when the trainer asks for the next clip,
 * and dropped once its six clips (itself and five variants, all in the
 * original's split group) have been handed over, so a job holds a few
 * originals at a time, not thousands.
 */
export function trainingStream(train: readonly LabelledOriginal[], deps: TrainingStreamDeps): { stream: TrainingClipStream; counts: TrainingStreamCounts } {
  const counts: TrainingStreamCounts = { originals: 0, clips: 0 };
  const stream: TrainingClipStream = {
    count: train.length * COPIES_PER_ORIGINAL,
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < train.length; i++) {
        let o: AudioOriginal;
        try {
          o = await deps.load(train[i]);
        } catch (err) {
          deps.skipped(`skipped ${train[i].key}: ${describeError(err)}`);
          continue;
        }
        const backgrounds = deps.backgrounds.filter((b) => b.id !== o.id).map((b) => b.samples);
        const variants = await deps.augmenter.augment(o, deps.seed + i, backgrounds);
        counts.originals++;
        counts.clips += 1 + variants.length;
        const name = stableName(o);
        yield { id: o.id, samples: o.samples, labels: [o.label], group: o.id, seedName: name } satisfies TrainingClip;
        for (const [k, v] of variants.entries()) {
          yield { id: `${o.id}~${k + 1}`, samples: v.samples, labels: v.labels, group: o.id, sourceId: o.id, seedName: `${name}~${k + 1}` } satisfies TrainingClip;
        }
      }
    },
  };
  return { stream, counts };
}

/**
 * Held-out originals as training clips (validation: no augmentation). Each
 * clip reads its original's samples when asked, so originals held on disk
 * (held-originals.ts) stay there.
 */
export function asClips(originals: readonly AudioOriginal[]): TrainingClip[] {
  return originals.map((o) => ({
    id: o.id, labels: [o.label], group: o.id, lengthSamples: o.lengthSamples, seedName: stableName(o),
    get samples() {
      return o.samples;
    },
  }));
}
