import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseWavHeader } from '#shared/audio/wav-format.js';
import type { SourceInput } from './resolve-sources.js';
import { CommandError, runCommand } from './run-command.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';


export type ConvertStatus = 'converted' | 'cached' | 'failed';

export interface ConvertResult {
  status: ConvertStatus;
  /** Set unless the conversion failed. */
  durationSec?: number;
  /** Why sox could not read the source (failed only). */
  error?: string;
}

const FAILED_SUFFIX = '.failed';
const HEADER_BYTES = 4096;

/**
 * Converts one source to 16 kHz mono 16-bit WAV at `outPath` with sox, unless
 * the output (or a recorded failure) is newer than `sourceStampMs`. sox runs
 * with -R (repeatable dither) so reruns produce identical bytes. A source sox
 * cannot read is recorded in `<out>.failed` and reported, not thrown; sox
 * itself missing (or unable to start) is thrown and recorded nowhere, so the
 * next run, with sox installed, converts the file.
 */
export async function convertToWav(input: SourceInput, outPath: string, sourceStampMs: number): Promise<ConvertResult> {
  const existing = await upToDate(outPath, sourceStampMs);
  if (existing) return existing;
  await mkdir(dirname(outPath), { recursive: true });
  const tmp = `${outPath}.tmp-${process.pid}.wav`;
  const output = ['-r', String(SAMPLE_RATE_HZ), '-c', '1', '-b', '16', '-e', 'signed-integer', tmp];
  try {
    if (input.kind === 'file') {
      await runCommand('sox', ['-R', '-V1', input.path, ...output]);
    } else {
      const { bytes, soxInput } = input.entry.extract();
      await runCommand('sox', ['-R', '-V1', ...soxInput, '-', ...output], { input: bytes });
    }
    const durationSec = await wavDurationSec(tmp);
    await rename(tmp, outPath);
    await rm(`${outPath}${FAILED_SUFFIX}`, { force: true });
    return { status: 'converted', durationSec };
  } catch (err) {
    await rm(tmp, { force: true });
    if (err instanceof CommandError && err.exitCode === null) {
      throw new Error(`sox cannot run (${err.message}); install it (bash scripts/system-packages.sh) and fetch again`);
    }
    const error = (err as Error).message;
    await writeFile(`${outPath}${FAILED_SUFFIX}`, `${error}\n`);
    return { status: 'failed', error };
  }
}

/** Duration from the WAV header (no decoding). */
export async function wavDurationSec(path: string): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const header = new Uint8Array(Math.min(HEADER_BYTES, size));
    await handle.read(header, 0, header.byteLength, 0);
    const fmt = parseWavHeader(header, size);
    return fmt.dataBytes / fmt.blockAlign / fmt.sampleRateHz;
  } finally {
    await handle.close();
  }
}

async function upToDate(outPath: string, sourceStampMs: number): Promise<ConvertResult | undefined> {
  const out = await stat(outPath).catch(() => undefined);
  if (out && out.mtimeMs >= sourceStampMs) {
    try {
      return { status: 'cached', durationSec: await wavDurationSec(outPath) };
    } catch {
      return undefined; // damaged output: convert again
    }
  }
  const failed = await stat(`${outPath}${FAILED_SUFFIX}`).catch(() => undefined);
  if (failed && failed.mtimeMs >= sourceStampMs) {
    const error = (await readFile(`${outPath}${FAILED_SUFFIX}`, 'utf8')).trim();
    return { status: 'failed', error };
  }
  return undefined;
}
