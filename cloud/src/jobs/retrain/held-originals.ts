import { closeSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { EcoSightError } from '#shared/errors.js';
import type { AudioOriginal } from './ports.js';

/** A held original's samples could not be read back from the job's scratch file. */
export class HeldAudioError extends EcoSightError {
  constructor(message: string) {
    super('HELD_AUDIO_UNREADABLE', message);
  }
}

/**
 * Held-out originals (validation and evaluation) kept in one scratch file of
 * the job instead of in memory: a job needs them several times (thresholds,
 * long audio, both models' evaluation), each time one clip after another, so
 * their decoded Float32 samples go to disk once and are read back when used.
 * At the seed's scale that is 1,120 originals, 290 MB the process no longer
 * holds; the samples read back are the very bits written (no re-decoding, no
 * 16-bit rounding), so results are unchanged.
 *
 * The originals `add` returns read their `samples` from the file on every
 * access: read them once per use (the ml/src/train code does), not per sample.
 */
export class HeldOriginals {
  private readonly path: string;
  private fd: number | undefined;
  private sizeBytes = 0;

  constructor(path: string) {
    this.path = path;
  }

  /** Writes the original's samples to the file; returns the original with `samples` read back on demand. */
  add(o: AudioOriginal): AudioOriginal {
    const fd = this.open();
    const samples = o.samples;
    const offset = this.sizeBytes;
    const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done, offset + done);
    this.sizeBytes += bytes.length;
    const length = samples.length;
    const read = () => this.read(offset, length);
    return {
      id: o.id, key: o.key, label: o.label, source: o.source, detectedLabel: o.detectedLabel, labelledAt: o.labelledAt, sampleRateHz: o.sampleRateHz, durationSec: o.durationSec,
      lengthSamples: length,
      get samples() {
        return read();
      },
    };
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.sizeBytes;
  }

  /** Closes the file (the job removes its scratch directory); held originals cannot be read afterwards. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): number {
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'w+');
    }
    return this.fd;
  }

  private read(offset: number, length: number): Float32Array {
    if (this.fd === undefined) throw new HeldAudioError(`held audio ${this.path} is closed`);
    const out = new Float32Array(length);
    const bytes = new Uint8Array(out.buffer);
    for (let done = 0; done < bytes.length;) {
      const n = readSync(this.fd, bytes, done, bytes.length - done, offset + done);
      if (n === 0) throw new HeldAudioError(`held audio ${this.path} ends at ${offset + done} bytes, expected ${offset + bytes.length}`);
      done += n;
    }
    return out;
  }
}
