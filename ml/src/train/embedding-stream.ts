import type { LogMelFrontEnd } from '#shared/features/log-mel.js';
import type { tf } from '#shared/model/tf.js';
import type { Random } from '#shared/util/random.js';
import { buildPatchSet, PatchSet } from './patch-set.js';
import { predictPatchSet } from './score-signal.js';
import { throwIfAborted } from './train-errors.js';
import type { ClipStream, LabelledClip } from './types.js';

/** Clips featurised together: enough patches for full inference batches, few enough to stay small. */
const CLIPS_PER_BATCH = 24;

export interface EmbeddingStreamOptions {
  frontEnd: LogMelFrontEnd;
  /** Dither and window placement, forked per clip id (so batching does not change a patch). */
  random: Random;
  /** Called for every clip before it is used (the split check). */
  check: (clip: LabelledClip) => void;
  signal?: AbortSignal;
  onClip?: (done: number, total: number) => void;
}

/**
 * Head-only training without holding the training audio: each clip of the
 * stream becomes log-mel patches, the frozen backbone turns those into
 * embeddings, and only the embeddings (128 floats per patch instead of a
 * 96 x 64 patch and 4 s of audio per clip) are kept, with the patches' labels
 * and clips: a 1 x embeddingSize PatchSet, the head's training set.
 */
export async function streamEmbeddings(
  clips: ClipStream, backbone: tf.LayersModel, classes: string[], opts: EmbeddingStreamOptions,
): Promise<PatchSet> {
  const size = backbone.outputs[0].shape[1] as number;
  const out = new PatchSet(classes, 1, size);
  let pending: LabelledClip[] = [];
  let done = 0;
  const flush = () => {
    if (pending.length === 0) return;
    const patches = buildPatchSet(pending, classes, { frontEnd: opts.frontEnd, random: opts.random });
    const embeddings = predictPatchSet(backbone, patches);
    const firstClip = out.clipIds.length;
    for (let i = 0; i < patches.count; i++) out.add(embeddings.subarray(i * size, (i + 1) * size), patches.labels(i), firstClip + patches.clipOf(i));
    out.clipIds.push(...patches.clipIds);
    out.clipLabels.push(...patches.clipLabels);
    out.clipGroups.push(...patches.clipGroups);
    done += pending.length;
    opts.onClip?.(done, clips.count);
    pending = [];
  };
  for await (const clip of clips) {
    opts.check(clip);
    pending.push(clip);
    if (pending.length >= CLIPS_PER_BATCH) {
      throwIfAborted(opts.signal);
      flush();
    }
  }
  flush();
  return out;
}
