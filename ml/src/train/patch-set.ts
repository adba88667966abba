import type { LogMelFrontEnd } from '#shared/features/log-mel.js';
import type { Random } from '#shared/util/random.js';
import { clipPatches, placeOnWindows, withDither } from './patches.js';
import { TrainError, throwIfAborted } from './train-errors.js';
import type { LabelledClip } from './types.js';

const CHUNK_PATCHES = 512;

/** Where a PatchSet keeps its patch values (labels and clip indexes always stay in memory). */
export interface PatchStorage {
  /** Appends one patch (copied). */
  append(patch: Float32Array): void;
  /** Patch i: a view or a fresh copy; callers only read it, and not after the next append. */
  read(i: number): Float32Array;
}

/** Patches in memory, in fixed-size chunks: a set of tens of thousands of patches is a few large arrays, not one object each. */
export class MemoryPatches implements PatchStorage {
  private readonly patchSize: number;
  private readonly chunks: Float32Array[] = [];
  private count = 0;

  constructor(patchSize: number) {
    this.patchSize = patchSize;
  }

  append(patch: Float32Array): void {
    const chunk = Math.floor(this.count / CHUNK_PATCHES);
    if (chunk === this.chunks.length) this.chunks.push(new Float32Array(CHUNK_PATCHES * this.patchSize));
    this.chunks[chunk].set(patch, (this.count % CHUNK_PATCHES) * this.patchSize);
    this.count++;
  }

  read(i: number): Float32Array {
    const off = (i % CHUNK_PATCHES) * this.patchSize;
    return this.chunks[Math.floor(i / CHUNK_PATCHES)].subarray(off, off + this.patchSize);
  }
}

/**
 * Log-mel patches with their multi-hot labels. The patch values live in a
 * PatchStorage: memory by default, a scratch file for full retraining
 * (disk-patches.ts), where they would not fit.
 */
export class PatchSet {
  readonly classes: string[];
  readonly frames: number;
  readonly bands: number;
  /** frames x bands values per patch. */
  readonly patchSize: number;
  private readonly storage: PatchStorage;
  private labelBytes = new Uint8Array(0);
  private clipIndex = new Int32Array(0);
  readonly clipIds: string[] = [];
  readonly clipLabels: string[][] = [];
  /** Split group of each clip (package, synthetic set, or original id). */
  readonly clipGroups: string[] = [];
  count = 0;

  constructor(classes: string[], frames: number, bands: number, storage?: PatchStorage) {
    this.classes = classes;
    this.frames = frames;
    this.bands = bands;
    this.patchSize = frames * bands;
    this.storage = storage ?? new MemoryPatches(this.patchSize);
  }

  /** Adds one patch (copied) with its labels; returns its index. */
  add(patch: Float32Array, labels: Uint8Array, clip: number): number {
    if (patch.length !== this.patchSize) throw new TrainError(`patch has ${patch.length} values, expected ${this.patchSize}`);
    const i = this.count;
    this.storage.append(patch);
    const c = this.classes.length;
    if (i >= this.clipIndex.length) {
      const capacity = Math.max(1024, this.clipIndex.length * 2);
      const grownLabels = new Uint8Array(capacity * c);
      grownLabels.set(this.labelBytes);
      this.labelBytes = grownLabels;
      const grownClips = new Int32Array(capacity);
      grownClips.set(this.clipIndex);
      this.clipIndex = grownClips;
    }
    this.labelBytes.set(labels, i * c);
    this.clipIndex[i] = clip;
    this.count++;
    return i;
  }

  /** Patch i: a view in memory, a fresh copy from disk storage; read it, do not keep or change it. */
  patch(i: number): Float32Array {
    return this.storage.read(i);
  }

  /** Multi-hot labels of patch i (a view). */
  labels(i: number): Uint8Array {
    const c = this.classes.length;
    return this.labelBytes.subarray(i * c, i * c + c);
  }

  clipOf(i: number): number {
    return this.clipIndex[i];
  }

  /** Positive patches per class. */
  positives(): number[] {
    const counts = new Array<number>(this.classes.length).fill(0);
    for (let i = 0; i < this.count; i++) {
      const l = this.labels(i);
      for (let k = 0; k < l.length; k++) counts[k] += l[k];
    }
    return counts;
  }

  /** Patches with no label at all. */
  negatives(): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) if (this.labels(i).every((v) => v === 0)) n++;
    return n;
  }

  /** Mean and standard deviation of every value (for the model's input normalisation). */
  stats(): { mean: number; std: number } {
    let sum = 0;
    let sumSq = 0;
    let n = 0;
    for (let i = 0; i < this.count; i++) {
      const p = this.patch(i);
      for (let k = 0; k < p.length; k++) {
        sum += p[k];
        sumSq += p[k] * p[k];
      }
      n += p.length;
    }
    if (n === 0) throw new TrainError('no patches to compute statistics from');
    const mean = sum / n;
    return { mean, std: Math.sqrt(Math.max(sumSq / n - mean * mean, 1e-6)) };
  }
}

export interface PatchSetOptions {
  frontEnd: LogMelFrontEnd;
  /**
   * Randomness for placing each clip on the window grid and adding a noise floor
   * (see placeOnWindows, withDither); training and validation both use one (a
   * fixed seed for validation). Without it, clips are used as they are.
   */
  random?: Random;
  /** Where the set keeps its patches; default memory. */
  storage?: PatchStorage;
  /** Evenly thin long clips to at most this many patches. Default 48 (~23 s). */
  maxPatchesPerClip?: number;
  activityRangeDb?: number;
  signal?: AbortSignal;
  onClip?: (done: number, total: number) => void;
}

/** Turns clips into a PatchSet; patches too quiet to carry a labelled clip's labels are left out. */
export function buildPatchSet(clips: readonly LabelledClip[], classes: string[], opts: PatchSetOptions): PatchSet {
  const geometry = opts.frontEnd.params;
  const set = new PatchSet(classes, geometry.patchFrames, geometry.melBands, opts.storage);
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const maxPerClip = opts.maxPatchesPerClip ?? 48;
  clips.forEach((clip, clipNo) => {
    if (clipNo % 16 === 0) throwIfAborted(opts.signal);
    const labels = new Uint8Array(classes.length);
    for (const name of clip.labels) {
      const k = classIndex.get(name);
      if (k === undefined) throw new TrainError(`clip ${clip.id} has label "${name}", which is not one of the model's classes`);
      labels[k] = 1;
    }
    const rand = opts.random?.fork(clip.seedName ?? clip.id);
    const { patchSamples, patchHopSamples } = opts.frontEnd.geometry;
    const samples = rand ? withDither(placeOnWindows(clip.samples, patchSamples, patchHopSamples, rand.fork('place')), rand.fork('dither')) : clip.samples;
    const { patches, active } = clipPatches(opts.frontEnd, samples, { activityRangeDb: opts.activityRangeDb });
    const keep = patches.map((_, i) => clip.labels.length === 0 || active[i]);
    const kept = patches.filter((_, i) => keep[i]);
    const stride = Math.max(1, kept.length / maxPerClip);
    set.clipIds.push(clip.id);
    set.clipLabels.push([...clip.labels]);
    set.clipGroups.push(clip.group);
    for (let j = 0; j < Math.min(kept.length, maxPerClip); j++) set.add(kept[Math.floor(j * stride)], labels, clipNo);
    opts.onClip?.(clipNo + 1, clips.length);
  });
  return set;
}

