import FFT from 'fft.js';

/** Level of the last block of audio, in dB relative to full scale. */
export interface AudioLevel {
  /** Audio time of the block's end (segment start + samples), ms since the epoch. */
  timeMs: number;
  rmsDbfs: number;
  peakDbfs: number;
}

/** The recent spectrogram: `columns` rows of `bands` bytes, oldest first; byte = dB + 100, clamped to 0..100 dB range scaled to 0..255. */
export interface SpectrogramHistory {
  bands: number;
  columnSec: number;
  /** Lowest and highest band edge, Hz. */
  minHz: number;
  maxHz: number;
  /** Audio time of the newest column, ms since the epoch (null before any audio). */
  newestTimeMs: number | null;
  /** columns x bands bytes, base64. */
  data: string;
  columns: number;
}

const FFT_SIZE = 512;
const BANDS = 48;
const MIN_HZ = 60;
const FLOOR_DB = -100;

/**
 * What the status page shows of the live audio, computed as audio passes: per block
 * (0.25 s) an RMS and peak level and one spectrogram column of 48 log-spaced bands.
 * Work per block is a few 512-point FFTs and memory is a fixed ring of columns, so
 * this costs the pipeline the same whether nobody or ten browsers are watching.
 */
export class AudioTap {
  private readonly fft = new FFT(FFT_SIZE);
  private readonly window = hann(FFT_SIZE);
  private readonly ring: Uint8Array;
  private readonly capacity: number;
  private written = 0;
  private block: Float32Array;
  private fill = 0;
  private level: AudioLevel | null = null;
  private newestTimeMs: number | null = null;
  private readonly bandEdges: number[];

  constructor(private readonly sampleRateHz: number, historySec: number, private readonly blockSec = 0.25) {
    this.capacity = Math.ceil(historySec / blockSec);
    this.ring = new Uint8Array(this.capacity * BANDS);
    this.block = new Float32Array(Math.round(sampleRateHz * blockSec));
    this.bandEdges = bandEdgeBins(sampleRateHz);
  }

  /** Feeds audio that ends at `endTimeMs` (audio time). Never throws. */
  push(samples: Float32Array, endTimeMs: number): void {
    let offset = 0;
    while (offset < samples.length) {
      const n = Math.min(samples.length - offset, this.block.length - this.fill);
      this.block.set(samples.subarray(offset, offset + n), this.fill);
      this.fill += n;
      offset += n;
      if (this.fill === this.block.length) {
        const blockEnd = endTimeMs - ((samples.length - offset) * 1000) / this.sampleRateHz;
        this.finishBlock(blockEnd);
        this.fill = 0;
      }
    }
  }

  currentLevel(): AudioLevel | null {
    return this.level;
  }

  spectrogram(): SpectrogramHistory {
    const columns = Math.min(this.written, this.capacity);
    const out = new Uint8Array(columns * BANDS);
    const first = this.written - columns;
    for (let c = 0; c < columns; c++) {
      const slot = (first + c) % this.capacity;
      out.set(this.ring.subarray(slot * BANDS, (slot + 1) * BANDS), c * BANDS);
    }
    return {
      bands: BANDS, columnSec: this.blockSec, minHz: MIN_HZ, maxHz: this.sampleRateHz / 2, newestTimeMs: this.newestTimeMs,
      data: Buffer.from(out).toString('base64'), columns,
    };
  }

  private finishBlock(endTimeMs: number): void {
    let sumSq = 0;
    let peak = 0;
    for (const x of this.block) {
      sumSq += x * x;
      peak = Math.max(peak, Math.abs(x));
    }
    this.level = { timeMs: Math.round(endTimeMs), rmsDbfs: toDb(Math.sqrt(sumSq / this.block.length)), peakDbfs: toDb(peak) };
    const column = this.column();
    this.ring.set(column, (this.written % this.capacity) * BANDS);
    this.written++;
    this.newestTimeMs = Math.round(endTimeMs);
  }

  /** Mean power per band over the block's FFT frames, as bytes. */
  private column(): Uint8Array {
    const power = new Float64Array(FFT_SIZE / 2 + 1);
    const frame = new Array<number>(FFT_SIZE);
    const spectrum = this.fft.createComplexArray() as number[];
    let frames = 0;
    for (let start = 0; start + FFT_SIZE <= this.block.length; start += FFT_SIZE) {
      for (let i = 0; i < FFT_SIZE; i++) frame[i] = (this.block[start + i] ?? 0) * (this.window[i] ?? 0);
      this.fft.realTransform(spectrum, frame);
      for (let k = 0; k <= FFT_SIZE / 2; k++) power[k] = (power[k] ?? 0) + (spectrum[2 * k] ?? 0) ** 2 + (spectrum[2 * k + 1] ?? 0) ** 2;
      frames++;
    }
    const out = new Uint8Array(BANDS);
    for (let b = 0; b < BANDS; b++) {
      const lo = this.bandEdges[b] ?? 0;
      const hi = Math.max(lo + 1, this.bandEdges[b + 1] ?? lo + 1);
      let sum = 0;
      for (let k = lo; k < hi; k++) sum += power[k] ?? 0;
      const db = 10 * Math.log10(sum / (hi - lo) / Math.max(1, frames) / (FFT_SIZE / 4) + 1e-12);
      out[b] = Math.round((Math.max(FLOOR_DB, Math.min(0, db)) - FLOOR_DB) * (255 / -FLOOR_DB));
    }
    return out;
  }
}

function toDb(x: number): number {
  return Math.round(Math.max(FLOOR_DB, 20 * Math.log10(x + 1e-12)) * 10) / 10;
}

function hann(n: number): Float32Array {
  return new Float32Array(n).map((_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
}

/** FFT bin index of each band edge, log-spaced from MIN_HZ to Nyquist. */
function bandEdgeBins(sampleRateHz: number): number[] {
  const nyquist = sampleRateHz / 2;
  const binHz = sampleRateHz / FFT_SIZE;
  return Array.from({ length: BANDS + 1 }, (_, i) => Math.round((MIN_HZ * (nyquist / MIN_HZ) ** (i / BANDS)) / binHz));
}
