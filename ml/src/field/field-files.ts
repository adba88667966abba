import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import type { FieldRecording } from './field-sim.js';

/** AudioMoth's file name for a recording that starts at `epochMs` (UTC, whole seconds): `20261204_113000.WAV`. */
export function audioMothName(epochMs: number): string {
  const d = new Date(Math.floor(epochMs / 1000) * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}_${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}.WAV`;
}

/**
 * Writes each station's recording as `<dir>/<stationId>/<AudioMoth name>`,
 * the name carrying `startEpochMs` (the instant each station's clock read 0
 * in simulateField). A station reading the folder dates the audio from the name.
 */
export async function writeFieldRecordings(recordings: readonly FieldRecording[], dir: string, startEpochMs: number): Promise<Map<string, string>> {
  if (startEpochMs % 1000 !== 0) throw new RangeError('recorder file names have whole seconds: startEpochMs must be a multiple of 1000');
  const paths = new Map<string, string>();
  for (const r of recordings) {
    const folder = join(dir, r.station.id);
    await mkdir(folder, { recursive: true });
    const path = join(folder, audioMothName(startEpochMs));
    await writeFile(path, encodeWav16(r.samples, r.sampleRateHz));
    paths.set(r.station.id, path);
  }
  return paths;
}
