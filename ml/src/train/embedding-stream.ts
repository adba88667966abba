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
  return streamInto(clips, new PatchSet(classes, 1, size), opts, (patches) => {
    const embeddings = predictPatchSet(backbone, patches);
    return (i) => embeddings.subarray(i * size, (i + 1) * size);
  });
}

/**
 * Full training without holding the training audio: each clip of the stream
 * becomes log-mel patches that go straight into `out` (a PatchSet on disk
 * storage keeps them out of memory). The same patches as buildPatchSet over
 * all the clips at once.
 */
export async function streamPatches(clips: ClipStream, out: PatchSet, opts: EmbeddingStreamOptions): Promise<PatchSet> {
  return streamInto(clips, out, opts, (patches) => (i) => patches.patch(i));
}

/** Featurises the stream CLIPS_PER_BATCH clips at a time and adds `vectorOf(batch)(i)` for each patch i of a batch to `out`. */
async function streamInto(
  clips: ClipStream, out: PatchSet, opts: EmbeddingStreamOptions, vectorOf: (batch: PatchSet) => (i: number) => Float32Array,
): Promise<PatchSet> {
  let pending: LabelledClip[] = [];
  let done = 0;
  const flush = () => {
    if (pending.length === 0) return;
    const before = done;
    const patches = buildPatchSet(pending, out.classes, { frontEnd: opts.frontEnd, random: opts.random, onClip: (k) => opts.onClip?.(before + k, clips.count) });
    const vector = vectorOf(patches);
    const firstClip = out.clipIds.length;
    for (let i = 0; i < patches.count; i++) out.add(vector(i), patches.labels(i), firstClip + patches.clipOf(i));
    out.clipIds.push(...patches.clipIds);
    out.clipLabels.push(...patches.clipLabels);
    out.clipGroups.push(...patches.clipGroups);
    done += pending.length;
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
