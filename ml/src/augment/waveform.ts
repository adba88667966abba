import { resample } from '#shared/audio/resampler.js';
import type { Random } from '#shared/util/random.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';

/**
 * Single waveform transforms used to make variants of a clip. Each draws its
 * own parameter from `rand` (so callers can log it) and returns a new array;
 * inputs are never modified.
 */

/** Length of the fade at a circular shift's seam, s. */
const SEAM_FADE_SEC = 0.005;

/**
 * Circular time shift by `shiftSamples` (positive = later): out[i] = x[i - shift].
 * Keeps the length and all the content; the seam where the clip's end meets its
 * start gets a 5 ms raised-cosine dip to zero on both sides, so it cannot click
 * (a click looks like a gunshot to the detector).
 */
export function circularShift(x: Float32Array, shiftSamples: number, sampleRateHz = SAMPLE_RATE_HZ): Float32Array {
  const n = x.length;
  const out = new Float32Array(n);
  if (n === 0) return out;
  const s = ((Math.round(shiftSamples) % n) + n) % n;
  out.set(x.subarray(n - s), 0);
  out.set(x.subarray(0, n - s), s);
  const fade = Math.round(SEAM_FADE_SEC * sampleRateHz);
  if (s !== 0 && s >= fade && n - s >= fade) {
    for (let j = 0; j < fade; j++) {
      const w = 0.5 - 0.5 * Math.cos((Math.PI * (j + 0.5)) / fade);
      out[s + j] *= w;
      out[s - 1 - j] *= w;
    }
  }
  return out;
}

/** Largest |sample|. */
export function peakAbs(x: Float32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a > m) m = a;
  }
  return m;
}

export function scaled(x: Float32Array, gain: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] * gain;
  return out;
}

/**
 * Draws a gain in dB with |gain| in [minAbsDb, maxAbsDb], never one that would
 * push the peak above `peakLimit` (clipping protection without distortion):
 * positive gains are drawn only up to the clip's headroom, and when the
 * headroom is below minAbsDb only cuts are drawn.
 */
export function drawGainDb(rand: Random, peak: number, maxAbsDb: number, minAbsDb: number, peakLimit: number): number {
  const headroomDb = peak > 0 ? 20 * Math.log10(peakLimit / peak) : Infinity;
  const boostTop = Math.min(maxAbsDb, headroomDb);
  const cutSpan = maxAbsDb - minAbsDb;
  const boostSpan = Math.max(0, boostTop - minAbsDb);
  const u = rand.uniform(0, cutSpan + boostSpan);
  return u < cutSpan ? -(minAbsDb + u) : minAbsDb + (u - cutSpan);
}

/**
 * Speed change by resampling: plays the clip `factor` times longer (and
 * 1/factor times higher in pitch), like a tape running slower or faster. The
 * factor is realised as 16000 -> round(16000 * factor) Hz, so the returned
 * `factor` is that exact ratio and the length is floor(n * factor).
 */
export function speedChange(x: Float32Array, factor: number, sampleRateHz = SAMPLE_RATE_HZ): { samples: Float32Array; factor: number } {
  const targetRateHz = Math.round(sampleRateHz * factor);
  if (targetRateHz <= 0) throw new RangeError(`stretch factor must be positive, got ${factor}`);
  return { samples: resample(x, sampleRateHz, targetRateHz), factor: targetRateHz / sampleRateHz };
}

/** Pink-ish noise (-3 dB/octave, Paul Kellet's economy filter) with RMS `rms`: the fallback background. */
export function pinkNoise(length: number, rms: number, rand: Random): Float32Array {
  const out = new Float32Array(length);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let energy = 0;
  for (let i = 0; i < length; i++) {
    const white = rand.next() * 2 - 1;
    b0 = 0.99765 * b0 + white * 0.099046;
    b1 = 0.963 * b1 + white * 0.2965164;
    b2 = 0.57 * b2 + white * 1.0526913;
    const v = b0 + b1 + b2 + white * 0.1848;
    out[i] = v;
    energy += v * v;
  }
  const g = energy > 0 ? rms / Math.sqrt(energy / length) : 0;
  for (let i = 0; i < length; i++) out[i] *= g;
  return out;
}
