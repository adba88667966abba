import { open, type FileHandle } from 'node:fs/promises';
import { AudioDecodeError } from '../errors.js';
import { decodeInterleavedToMono } from './pcm.js';
import { Resampler } from './resampler.js';
import { parseWavHeader, type WavFormat } from './wav-format.js';
import { SAMPLE_RATE_HZ } from './sample-rate.js';

const HEADER_PROBE_BYTES = 64 * 1024;

/**
 * Reads a WAV file from disk in blocks and yields 16 kHz mono float32 chunks, so
 * an hour-long recorder file never has to sit in memory at once.
 */
export class WavFileReader {
  readonly path: string;
  private format: WavFormat | undefined;

  constructor(path: string) {
    this.path = path;
  }

  /** Parses the header; throws AudioDecodeError for anything we cannot decode. */
  async probe(): Promise<WavFormat> {
    if (this.format) return this.format;
    const handle = await openOrThrow(this.path);
    try {
      const { size } = await handle.stat();
      const probe = Buffer.alloc(Math.min(size, HEADER_PROBE_BYTES));
      await handle.read(probe, 0, probe.length, 0);
      this.format = parseWavHeader(probe, size);
      return this.format;
    } finally {
      await handle.close();
    }
  }

  /** Duration of the audio in seconds (after probe). */
  async durationSec(): Promise<number> {
    const f = await this.probe();
    return f.dataBytes / f.blockAlign / f.sampleRateHz;
  }

  /** Yields mono chunks at `targetRateHz`, each about `chunkSec` long. */
  async *chunks(chunkSec = 1, targetRateHz = SAMPLE_RATE_HZ): AsyncGenerator<Float32Array> {
    const format = await this.probe();
    const resampler = new Resampler(format.sampleRateHz, targetRateHz);
    const framesPerRead = Math.max(1, Math.round(chunkSec * format.sampleRateHz));
    const block = Buffer.alloc(framesPerRead * format.blockAlign);
    const handle = await openOrThrow(this.path);
    try {
      let position = format.dataOffset;
      const end = format.dataOffset + format.dataBytes;
      while (position < end) {
        const want = Math.min(block.length, end - position);
        const { bytesRead } = await handle.read(block, 0, want, position);
        if (bytesRead === 0) throw new AudioDecodeError(`truncated WAV: ${this.path} ended early`);
        position += bytesRead;
        const whole = bytesRead - (bytesRead % format.blockAlign);
        const mono = decodeInterleavedToMono(block.subarray(0, whole), format.encoding, format.channels);
        const out = resampler.push(mono);
        if (out.length > 0) yield out;
      }
      const tail = resampler.flush();
      if (tail.length > 0) yield tail;
    } finally {
      await handle.close();
    }
  }
}

async function openOrThrow(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (err) {
    throw new AudioDecodeError(`cannot open ${path}: ${(err as Error).message}`, { cause: err });
  }
}
