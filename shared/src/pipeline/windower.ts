import type { AnalysisWindow } from './types.js';

export interface WindowerOptions {
  /** Samples per window (YAMNet patch: 15600 = 0.975 s at 16 kHz). */
  windowSamples: number;
  /** Samples between window starts; must be a whole number of STFT hops. */
  hopSamples: number;
}

/**
 * Cuts a segment's audio into overlapping fixed-length windows. It keeps only
 * the samples the next window still needs. A jump in sample position (audio
 * dropped upstream) restarts windowing after the hole, so no window spans it.
 */
export class Windower {
  private buffer = new Float32Array(0);
  /** Segment sample index of buffer[0]. */
  private bufferStart = 0;
  /** Start of the next window to emit. */
  private nextStart = 0;
  /** One past the last sample received. */
  private received = 0;
  private emittedAny = false;

  constructor(private readonly options: WindowerOptions) {}

  /** Forgets everything (new segment). */
  reset(): void {
    this.buffer = new Float32Array(0);
    this.bufferStart = 0;
    this.nextStart = 0;
    this.received = 0;
    this.emittedAny = false;
  }

  /** Adds samples that start at `startSample`; returns the windows now complete. */
  push(startSample: number, samples: Float32Array): AnalysisWindow[] {
    if (startSample !== this.received) {
      // A hole (or a restart of numbering): windows restart after it.
      this.buffer = new Float32Array(0);
      this.bufferStart = startSample;
      this.nextStart = startSample;
      this.emittedAny = false;
    }
    this.append(samples);
    this.received = startSample + samples.length;
    const out: AnalysisWindow[] = [];
    const { windowSamples, hopSamples } = this.options;
    while (this.nextStart + windowSamples <= this.received) {
      out.push(this.cut(this.nextStart, this.nextStart + windowSamples));
      this.nextStart += hopSamples;
      this.emittedAny = true;
    }
    this.trim();
    return out;
  }

  /**
   * At a segment's end: one zero-padded window covering audio no full window
   * reached (so a 0.4 s file, or the last 0.3 s of a recording, is still heard).
   */
  flush(): AnalysisWindow[] {
    const coveredTo = this.emittedAny ? this.nextStart - this.options.hopSamples + this.options.windowSamples : this.nextStart;
    const out: AnalysisWindow[] = [];
    if (this.received > coveredTo && this.received > this.nextStart) {
      out.push(this.cut(this.nextStart, this.received));
    }
    this.reset();
    return out;
  }

  private cut(start: number, end: number): AnalysisWindow {
    const samples = new Float32Array(this.options.windowSamples);
    samples.set(this.buffer.subarray(start - this.bufferStart, end - this.bufferStart));
    return { startSample: start, endSample: end, samples };
  }

  private append(samples: Float32Array): void {
    const merged = new Float32Array(this.buffer.length + samples.length);
    merged.set(this.buffer);
    merged.set(samples, this.buffer.length);
    this.buffer = merged;
  }

  private trim(): void {
    const drop = Math.min(this.nextStart - this.bufferStart, this.buffer.length);
    if (drop > 0) {
      this.buffer = this.buffer.slice(drop);
      this.bufferStart += drop;
    }
  }
}
