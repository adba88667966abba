import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { createLogger, type Logger } from '#shared/util/logger.js';
import type { SourceEvent } from '../src/capture/audio-source.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export function tempDir(prefix = 'ecosight-station-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeWav(path: string, samples: Float32Array, rateHz = 16000): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodeWav16(samples, rateHz));
  return path;
}

/** A bin directory whose `arecord` is the fake recorder (prepend it to PATH). */
export function fakeRecorderBin(): string {
  const bin = tempDir('ecosight-bin-');
  copyFileSync(join(FIXTURES, 'fake-arecord.mjs'), join(bin, 'arecord'));
  chmodSync(join(bin, 'arecord'), 0o755);
  return bin;
}

export function quietLogger(): Logger {
  return createLogger({ name: 'test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
}

export async function collect(events: AsyncIterable<SourceEvent>, limit = Infinity): Promise<SourceEvent[]> {
  const out: SourceEvent[] = [];
  for await (const e of events) {
    out.push(e);
    if (out.length >= limit) break;
  }
  return out;
}
