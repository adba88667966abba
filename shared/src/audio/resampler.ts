/**
 * Streaming band-limited resampler (Kaiser-windowed sinc, polyphase).
 *
 * Rational ratios with a small numerator (48k->16k, 44.1k->16k, 8k->16k) use
 * exact phase tables; odd rates quantize the phase to MAX_PHASES steps, whose
 * error (< 1/2048 of a sample) is far below the 16-bit noise floor.
 */
const HALF_TAPS = 16;
const KAISER_BETA = 8.6;
const MAX_PHASES = 1024;

export class Resampler {
  readonly inRateHz: number;
  readonly outRateHz: number;
  private readonly up: number;
  private readonly down: number;
  private readonly phases: number;
  private readonly table: Float32Array;
  private readonly halfTaps: number;
  /** Input samples kept from earlier pushes (history needed by the filter). */
  private buffer = new Float32Array(0);
  /** Absolute input index of buffer[0]. */
  private bufferStart = 0;
  /** Next output sample index (absolute). */
  private nextOut = 0;

  constructor(inRateHz: number, outRateHz: number) {
    this.inRateHz = inRateHz;
    this.outRateHz = outRateHz;
    const g = gcd(inRateHz, outRateHz);
    this.up = outRateHz / g;
    this.down = inRateHz / g;
    this.phases = Math.min(this.up, MAX_PHASES);
    const ratio = Math.min(1, outRateHz / inRateHz);
    // Widen the filter when decimating so the cutoff (in input samples) stays sharp.
    this.halfTaps = Math.ceil(HALF_TAPS / ratio);
    this.table = buildTable(this.phases, this.halfTaps, ratio * 0.97);
    if (inRateHz === outRateHz) this.buffer = new Float32Array(0);
  }

  /** True when no conversion is needed. */
  get isIdentity(): boolean {
    return this.inRateHz === this.outRateHz;
  }

  /** Feeds input samples; returns the output samples that are now fully determined. */
  push(input: Float32Array): Float32Array {
    if (this.isIdentity) return input;
    this.append(input);
    return this.produce(false);
  }

  /** Emits the tail, treating samples after the end as silence. */
  flush(): Float32Array {
    if (this.isIdentity) return new Float32Array(0);
    const out = this.produce(true);
    this.buffer = new Float32Array(0);
    return out;
  }

  private append(input: Float32Array): void {
    const merged = new Float32Array(this.buffer.length + input.length);
    merged.set(this.buffer, 0);
    merged.set(input, this.buffer.length);
    this.buffer = merged;
  }

  private produce(final: boolean): Float32Array {
    const inputEnd = this.bufferStart + this.buffer.length;
    const total = final ? Math.floor((inputEnd * this.up) / this.down) : Number.POSITIVE_INFINITY;
    const out: number[] = [];
    const h = this.halfTaps;
    const taps = 2 * h;
    for (;;) {
      const n = this.nextOut;
      if (n >= total) break;
      const pos = (n * this.down) / this.up; // position in input samples
      let base = Math.floor(pos);
      let phase = this.phases === this.up ? (n * this.down) % this.up : Math.round((pos - base) * this.phases);
      if (phase === this.phases) {
        base += 1;
        phase = 0;
      }
      if (!final && base + h >= inputEnd) break;
      const row = phase * taps;
      let acc = 0;
      for (let k = 0; k < taps; k++) {
        const idx = base - h + 1 + k - this.bufferStart;
        if (idx >= 0 && idx < this.buffer.length) acc += this.buffer[idx] * this.table[row + k];
      }
      out.push(acc);
      this.nextOut++;
    }
    this.discardConsumed();
    return Float32Array.from(out);
  }

  private discardConsumed(): void {
    const pos = Math.floor((this.nextOut * this.down) / this.up);
    const keepFrom = pos - this.halfTaps;
    const drop = keepFrom - this.bufferStart;
    if (drop > 0 && drop <= this.buffer.length) {
      this.buffer = this.buffer.slice(drop);
      this.bufferStart += drop;
    }
  }
}

/** Resamples a whole signal in one call. */
export function resample(input: Float32Array, inRateHz: number, outRateHz: number): Float32Array {
  if (inRateHz === outRateHz) return input;
  const r = new Resampler(inRateHz, outRateHz);
  const head = r.push(input);
  const tail = r.flush();
  const expected = Math.floor((input.length * outRateHz) / inRateHz);
  const out = new Float32Array(expected);
  out.set(head.subarray(0, expected), 0);
  if (head.length < expected) out.set(tail.subarray(0, expected - head.length), head.length);
  return out;
}

function buildTable(phases: number, halfTaps: number, cutoff: number): Float32Array {
  const taps = 2 * halfTaps;
  const table = new Float32Array(phases * taps);
  for (let p = 0; p < phases; p++) {
    const frac = p / phases;
    for (let k = 0; k < taps; k++) {
      const x = k - halfTaps + 1 - frac; // distance from the output instant, in input samples
      table[p * taps + k] = cutoff * sinc(cutoff * x) * kaiser(x / halfTaps);
    }
  }
  return table;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

function kaiser(t: number): number {
  if (Math.abs(t) > 1) return 0;
  return besselI0(KAISER_BETA * Math.sqrt(1 - t * t)) / besselI0(KAISER_BETA);
}

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

function gcd(a: number, b: number): number {
  let x = Math.round(a);
  let y = Math.round(b);
  while (y) [x, y] = [y, x % y];
  return x;
}
