import { readFileSync } from 'node:fs';
import { decodeClip } from '#shared/audio/decode-clip.js';
import type { ModelPackage } from '#shared/model/model-package.js';
import { analyzeSignal } from '#shared/pipeline/analyze.js';
import type { ClipEncoder } from '../station/src/pipeline/clip-encoder.js';

/** One recording of the training packages, decoded to 16 kHz mono. */
export interface BenchClip {
  path: string;
  label: string;
  samples: Float32Array;
}

export interface CodecFigures {
  name: string;
  clips: number;
  audioSec: number;
  bytes: number;
  /** CPU seconds the encoder processes used (user + system), one core each. */
  encodeCpuSec: number;
  encodeWallSec: number;
  /** The cloud's WebAssembly decode, wall seconds. */
  decodeSec: number;
  /** Per clip: the highest window score of each class, original and decoded copy. */
  scores: Array<{ label: string; original: number[]; decoded: number[] }>;
}

/** CPU time (s) of this process's reaped children: /proc/self/stat cutime + cstime, in clock ticks (100 Hz). */
export function childCpuSec(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  // After the ") ": field 3 is state, so cutime (16) and cstime (17) sit at indexes 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Highest window score per class over the clip (how the station's detector would see it). */
export function clipScores(pkg: ModelPackage, samples: Float32Array): number[] {
  const { windows } = analyzeSignal(pkg, samples);
  const max = new Array<number>(pkg.classNames.length).fill(0);
  for (const w of windows) for (let c = 0; c < max.length; c++) max[c] = Math.max(max[c] ?? 0, w.scores[c] ?? 0);
  return max;
}

/** Encodes every clip with one encoder (as the station would: one encoder run per clip), decodes it as the cloud does, scores both. */
export async function measureCodec(name: string, encoder: ClipEncoder, clips: readonly BenchClip[], pkg: ModelPackage, originals: Map<string, number[]>): Promise<CodecFigures> {
  const figures: CodecFigures = { name, clips: clips.length, audioSec: 0, bytes: 0, encodeCpuSec: 0, encodeWallSec: 0, decodeSec: 0, scores: [] };
  for (const clip of clips) {
    const cpu0 = childCpuSec();
    const t0 = performance.now();
    const bytes = await encoder.encode(clip.samples, 16000);
    figures.encodeWallSec += (performance.now() - t0) / 1000;
    figures.encodeCpuSec += childCpuSec() - cpu0;
    const t1 = performance.now();
    const decoded = await decodeClip(bytes);
    figures.decodeSec += (performance.now() - t1) / 1000;
    figures.bytes += bytes.byteLength;
    figures.audioSec += clip.samples.length / 16000;
    figures.scores.push({ label: clip.label, original: originals.get(clip.path) ?? clipScores(pkg, clip.samples), decoded: clipScores(pkg, decoded.samples) });
  }
  return figures;
}

/** CPU seconds to encode one long continuous recording (the codec's own cost, without a process start per clip). */
export async function continuousCpuSec(encoder: ClipEncoder, samples: Float32Array): Promise<number> {
  const cpu0 = childCpuSec();
  await encoder.encode(samples, 16000);
  return childCpuSec() - cpu0;
}
