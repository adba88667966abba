/**
 * Fixed-capacity audio history addressed by absolute sample index, so the
 * clipper can cut [start, end) long after the samples streamed past.
 */
export class AudioRingBuffer {
  private readonly data: Float32Array;
  /** Absolute index one past the newest sample written. */
  private end = 0;

  constructor(capacitySamples: number) {
    if (!Number.isInteger(capacitySamples) || capacitySamples <= 0) {
      throw new RangeError(`ring buffer capacity must be a positive integer, got ${capacitySamples}`);
    }
    this.data = new Float32Array(capacitySamples);
  }

  get capacity(): number {
    return this.data.length;
  }

  /** Absolute index of the oldest sample still held. */
  get oldest(): number {
    return Math.max(0, this.end - this.data.length);
  }

  /** Absolute index one past the newest sample. */
  get newest(): number {
    return this.end;
  }

  /** Appends samples that start at absolute index `startSample` (must follow on, or restart after a reset). */
  write(samples: Float32Array, startSample = this.end): void {
    if (startSample !== this.end) {
      if (startSample < this.end) throw new RangeError(`ring buffer write at ${startSample} overlaps data up to ${this.end}`);
      this.fillSilence(startSample - this.end);
    }
    const cap = this.data.length;
    const src = samples.length > cap ? samples.subarray(samples.length - cap) : samples;
    const skipped = samples.length - src.length;
    let pos = (this.end + skipped) % cap;
    let offset = 0;
    while (offset < src.length) {
      const n = Math.min(cap - pos, src.length - offset);
      this.data.set(src.subarray(offset, offset + n), pos);
      offset += n;
      pos = (pos + n) % cap;
    }
    this.end += samples.length;
  }

  /** Copies [start, end) clamped to what is held; returns the clamped range too. */
  read(startSample: number, endSample: number): { samples: Float32Array; startSample: number; endSample: number } {
    const start = Math.max(startSample, this.oldest);
    const end = Math.min(endSample, this.end);
    if (end <= start) return { samples: new Float32Array(0), startSample: start, endSample: start };
    const out = new Float32Array(end - start);
    const cap = this.data.length;
    let pos = start % cap;
    let offset = 0;
    while (offset < out.length) {
      const n = Math.min(cap - pos, out.length - offset);
      out.set(this.data.subarray(pos, pos + n), offset);
      offset += n;
      pos = (pos + n) % cap;
    }
    return { samples: out, startSample: start, endSample: end };
  }

  /** Forgets everything and restarts the index at `startSample`. */
  reset(startSample = 0): void {
    this.end = startSample;
  }

  private fillSilence(count: number): void {
    const cap = this.data.length;
    const n = Math.min(count, cap);
    let pos = (this.end + count - n) % cap;
    for (let i = 0; i < n; i++) {
      this.data[pos] = 0;
      pos = (pos + 1) % cap;
    }
    this.end += count;
  }
}
