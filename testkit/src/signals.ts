/** Deterministic test signals (used by tests and benchmarks, never by the product). */

export function sine(freqHz: number, seconds: number, sampleRateHz = 16000, amplitude = 0.5): Float32Array {
  const n = Math.round(seconds * sampleRateHz);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin((2 * Math.PI * freqHz * i) / sampleRateHz);
  return out;
}

/** Small, fast, seedable PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function whiteNoise(seconds: number, amplitude: number, seed = 1, sampleRateHz = 16000): Float32Array {
  const rand = seededRandom(seed);
  const out = new Float32Array(Math.round(seconds * sampleRateHz));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * (rand() * 2 - 1);
  return out;
}

/**
 * A train of sharp decaying impulses (clicks) with period `periodSec`: the
 * broadband, impulsive shape a detector must flag.
 */
export function impulseTrain(seconds: number, periodSec: number, sampleRateHz = 16000, amplitude = 0.9, seed = 7): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRateHz));
  const rand = seededRandom(seed);
  const decay = Math.exp(-1 / (0.004 * sampleRateHz));
  for (let t = 0.1; t < seconds; t += periodSec) {
    const start = Math.round(t * sampleRateHz);
    let env = amplitude;
    for (let i = start; i < Math.min(out.length, start + Math.round(0.08 * sampleRateHz)); i++) {
      out[i] += env * (rand() * 2 - 1);
      env *= decay;
    }
  }
  return out;
}

/** Root-mean-square level. */
export function rms(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, x.length));
}

/** Power of `x` at `freqHz` (Goertzel), normalised per sample. */
export function goertzelPower(x: Float32Array, freqHz: number, sampleRateHz: number): number {
  const w = (2 * Math.PI * freqHz) / sampleRateHz;
  const c = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    const s0 = x[i] + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - c * s1 * s2) / (x.length * x.length);
}
