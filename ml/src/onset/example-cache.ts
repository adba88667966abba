import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImpulseTrigger } from '#shared/detect/impulse-trigger.js';
import { ONSET_FEATURES } from '#shared/detect/onset-features.js';
import type { Placement } from '../honest/forest-audio.js';
import type { OnsetExamples } from './onset-data.js';

/** The validation streams' triggers with their features: enough to score any stage-2 net without the audio. */
export interface ValidationOnsets {
  hours: number;
  events: Placement[];
  /** Clips of the gunshot-free stream (for the share of impulsive negatives that alarm). */
  freePlacements: Placement[];
  alarmFree: { triggers: ImpulseTrigger[]; features: Float32Array };
  withEvents: { triggers: ImpulseTrigger[]; features: Float32Array };
}

/**
 * Computed examples on disk (`--examples-cache DIR`), so that trying another
 * network does not redo the minutes of audio assembly and feature extraction.
 * The cache is only valid for the same seed, data and feature code: the caller
 * names the directory accordingly.
 */
export async function cached<T>(dir: string | undefined, name: string, make: () => Promise<T> | T, io: CacheIo<T>): Promise<T> {
  if (dir && existsSync(join(dir, `${name}.json`))) return io.read(dir, name);
  const value = await make();
  if (dir) {
    await mkdir(dir, { recursive: true });
    await io.write(dir, name, value);
  }
  return value;
}

export interface CacheIo<T> {
  read(dir: string, name: string): Promise<T>;
  write(dir: string, name: string, value: T): Promise<void>;
}

async function readF32(path: string): Promise<Float32Array> {
  const b = await readFile(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export const EXAMPLES_IO: CacheIo<OnsetExamples> = {
  async read(dir, name) {
    const meta = JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as { labels: number[]; sources: string[] };
    const features = await readF32(join(dir, `${name}.f32`));
    return { features, labels: Uint8Array.from(meta.labels), count: meta.labels.length, sources: meta.sources };
  },
  async write(dir, name, v) {
    await writeFile(join(dir, `${name}.f32`), Buffer.from(v.features.buffer, v.features.byteOffset, v.features.byteLength));
    await writeFile(join(dir, `${name}.json`), JSON.stringify({ labels: Array.from(v.labels), sources: v.sources }));
  },
};

export const VALIDATION_IO: CacheIo<ValidationOnsets> = {
  async read(dir, name) {
    const meta = JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as Omit<ValidationOnsets, 'alarmFree' | 'withEvents'> & { free: ImpulseTrigger[]; ev: ImpulseTrigger[] };
    return {
      hours: meta.hours, events: meta.events, freePlacements: meta.freePlacements,
      alarmFree: { triggers: meta.free, features: await readF32(join(dir, `${name}-free.f32`)) },
      withEvents: { triggers: meta.ev, features: await readF32(join(dir, `${name}-events.f32`)) },
    };
  },
  async write(dir, name, v) {
    await writeFile(join(dir, `${name}-free.f32`), Buffer.from(v.alarmFree.features.buffer, v.alarmFree.features.byteOffset, v.alarmFree.features.byteLength));
    await writeFile(join(dir, `${name}-events.f32`), Buffer.from(v.withEvents.features.buffer, v.withEvents.features.byteOffset, v.withEvents.features.byteLength));
    await writeFile(join(dir, `${name}.json`), JSON.stringify({ hours: v.hours, events: v.events, freePlacements: v.freePlacements, free: v.alarmFree.triggers, ev: v.withEvents.triggers }));
  },
};

/** Row i of a feature matrix. */
export function row(features: Float32Array, i: number): Float32Array {
  return features.subarray(i * ONSET_FEATURES, (i + 1) * ONSET_FEATURES);
}
