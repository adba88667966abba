import { closeSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PatchStorage } from './patch-set.js';
import { TrainError } from './train-errors.js';

/** Patches written to the file at a time: 256 x 96 x 64 floats = 6 MB. */
const WRITE_BATCH_PATCHES = 256;

/**
 * Patch values in a scratch file, for full retraining: a seed-scale run makes
 * over 100,000 log-mel patches of 24 kB (2.9 GB), which no small instance
 * holds. The process keeps only the batch being written; a read is one
 * `pread` of one patch, served by the operating system's page cache when
 * memory allows and from disk when it does not, so the cache is bounded by
 * the machine, not by the data set. Training reads a random batch of 64
 * patches per step, so there is no locality a cache of our own could exploit.
 */
export class DiskPatches implements PatchStorage {
  private readonly path: string;
  private readonly patchSize: number;
  private fd: number | undefined;
  private closed = false;
  private readonly pending: Float32Array;
  private pendingCount = 0;
  /** Patches already in the file. */
  private written = 0;

  constructor(path: string, patchSize: number) {
    this.path = path;
    this.patchSize = patchSize;
    this.pending = new Float32Array(WRITE_BATCH_PATCHES * patchSize);
  }

  append(patch: Float32Array): void {
    this.pending.set(patch, this.pendingCount * this.patchSize);
    this.pendingCount++;
    if (this.pendingCount === WRITE_BATCH_PATCHES) this.flush();
  }

  read(i: number): Float32Array {
    if (i >= this.written) {
      const off = (i - this.written) * this.patchSize;
      if (i - this.written >= this.pendingCount) throw new TrainError(`patch ${i} does not exist (${this.written + this.pendingCount} stored)`);
      return this.pending.slice(off, off + this.patchSize);
    }
    const out = new Float32Array(this.patchSize);
    const bytes = new Uint8Array(out.buffer);
    const at = i * this.patchSize * 4;
    for (let done = 0; done < bytes.length;) {
      const n = readSync(this.open(), bytes, done, bytes.length - done, at + done);
      if (n === 0) throw new TrainError(`patch file ${this.path} ends before patch ${i}`);
      done += n;
    }
    return out;
  }

  /** Closes the file; the caller removes the scratch directory. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.closed = true;
  }

  private flush(): void {
    if (this.pendingCount === 0) return;
    const bytes = new Uint8Array(this.pending.buffer, 0, this.pendingCount * this.patchSize * 4);
    const at = this.written * this.patchSize * 4;
    const fd = this.open();
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done, at + done);
    this.written += this.pendingCount;
    this.pendingCount = 0;
  }

  private open(): number {
    if (this.closed) throw new TrainError(`patch file ${this.path} is closed`);
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'w+');
    }
    return this.fd;
  }
}
