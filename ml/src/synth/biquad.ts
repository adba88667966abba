/**
 * Second-order IIR sections (RBJ Audio EQ Cookbook) for shaping synthetic
 * sources: cheap enough to run per sample over minutes of audio.
 */
export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

function normalised(b0: number, b1: number, b2: number, a0: number, a1: number, a2: number): Biquad {
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0 };
}

/** Band-pass with 0 dB gain at `centreHz` and quality `q`. */
export function bandPassBiquad(centreHz: number, q: number, sampleRateHz: number): Biquad {
  const w = (2 * Math.PI * centreHz) / sampleRateHz;
  const alpha = Math.sin(w) / (2 * q);
  return normalised(alpha, 0, -alpha, 1 + alpha, -2 * Math.cos(w), 1 - alpha);
}

/** Butterworth (q = 1/sqrt 2) high-pass at `cutoffHz`. */
export function highPassBiquad(cutoffHz: number, sampleRateHz: number, q = Math.SQRT1_2): Biquad {
  const w = (2 * Math.PI * cutoffHz) / sampleRateHz;
  const alpha = Math.sin(w) / (2 * q);
  const c = Math.cos(w);
  return normalised((1 + c) / 2, -(1 + c), (1 + c) / 2, 1 + alpha, -2 * c, 1 - alpha);
}

/** Butterworth (q = 1/sqrt 2) low-pass at `cutoffHz`. */
export function lowPassBiquad(cutoffHz: number, sampleRateHz: number, q = Math.SQRT1_2): Biquad {
  const w = (2 * Math.PI * cutoffHz) / sampleRateHz;
  const alpha = Math.sin(w) / (2 * q);
  const c = Math.cos(w);
  return normalised((1 - c) / 2, 1 - c, (1 - c) / 2, 1 + alpha, -2 * c, 1 - alpha);
}

/** Runs the sections in series over `x` (direct form I); returns a new array. */
export function filterBiquads(x: ArrayLike<number>, sections: readonly Biquad[]): Float64Array {
  let y = Float64Array.from(x);
  for (const s of sections) {
    const out = new Float64Array(y.length);
    let x1 = 0;
    let x2 = 0;
    let y1 = 0;
    let y2 = 0;
    for (let i = 0; i < y.length; i++) {
      const v = s.b0 * y[i] + s.b1 * x1 + s.b2 * x2 - s.a1 * y1 - s.a2 * y2;
      x2 = x1;
      x1 = y[i];
      y2 = y1;
      y1 = v;
      out[i] = v;
    }
    y = out;
  }
  return y;
}
