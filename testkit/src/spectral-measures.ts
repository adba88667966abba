import { inverseToReal, nextPow2, realSpectrum } from '#ml/synth/spectral.js';

/** Measurements shared by the synth and augment tests; only tests import this file. */

/** Energy of `x` between loHz and hiHz (sum of |X(k)|^2 over those bins). */
export function bandEnergy(x: Float32Array, loHz: number, hiHz: number, sampleRateHz = 16000): number {
  const n = nextPow2(x.length);
  const spec = realSpectrum(x, n);
  let e = 0;
  for (let k = 0; k <= n / 2; k++) {
    const f = (k * sampleRateHz) / n;
    if (f >= loHz && f < hiHz) e += spec[2 * k] ** 2 + spec[2 * k + 1] ** 2;
  }
  return e;
}

/** `x` band-passed to [loHz, hiHz) with an ideal FFT mask. */
export function bandPass(x: Float32Array, loHz: number, hiHz: number, sampleRateHz = 16000): Float32Array {
  const n = nextPow2(2 * x.length);
  const spec = realSpectrum(x, n);
  for (let k = 0; k < n; k++) {
    const signed = k <= n / 2 ? k : n - k;
    const f = (signed * sampleRateHz) / n;
    if (f < loHz || f >= hiHz) {
      spec[2 * k] = 0;
      spec[2 * k + 1] = 0;
    }
  }
  return Float32Array.from(inverseToReal(spec, n).subarray(0, x.length));
}

/**
 * T60 from Schroeder backward integration: fit the energy-decay curve between
 * -5 and -25 dB (T20) and extrapolate to 60 dB.
 */
export function schroederT60Sec(ir: Float32Array, sampleRateHz = 16000): number {
  const edc = new Float64Array(ir.length);
  let acc = 0;
  for (let i = ir.length - 1; i >= 0; i--) {
    acc += ir[i] * ir[i];
    edc[i] = acc;
  }
  const total = edc[0];
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < ir.length; i++) {
    const db = 10 * Math.log10(edc[i] / total);
    if (db <= -5 && db >= -25) {
      xs.push(i / sampleRateHz);
      ys.push(db);
    }
  }
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  const slopeDbPerSec = num / den;
  return -60 / slopeDbPerSec;
}

/**
 * Onsets by energy rise: 4 ms frames; an onset is a frame whose energy is 9 dB
 * above the loudest of the 32 ms before the previous frame (skipping one frame
 * so an onset split across two frames still counts) and within 30 dB of the
 * loudest frame, with `refractorySec` of dead time after each onset. Comparing
 * with the preceding maximum (not mean) keeps a noisy reverberant tail from
 * counting. Run it on high-passed audio for low-frequency-heavy sounds.
 */
export function countOnsets(x: Float32Array, refractorySec = 0.04, sampleRateHz = 16000): number[] {
  const frame = Math.round(0.004 * sampleRateHz);
  const frames = Math.floor(x.length / frame);
  const energy = new Float64Array(frames);
  let max = 0;
  for (let f = 0; f < frames; f++) {
    let e = 0;
    for (let i = 0; i < frame; i++) e += x[f * frame + i] ** 2;
    energy[f] = e;
    max = Math.max(max, e);
  }
  const onsets: number[] = [];
  const history = 8;
  let lastOnset = -Infinity;
  for (let f = 0; f < frames; f++) {
    let before = 0;
    for (let j = Math.max(0, f - history - 1); j < f - 1; j++) before = Math.max(before, energy[j]);
    const t = (f * frame) / sampleRateHz;
    if (energy[f] > 8 * before && energy[f] > max * 1e-3 && t - lastOnset >= refractorySec) {
      onsets.push(t);
      lastOnset = t;
    }
  }
  return onsets;
}

export function peakAbs(x: Float32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}
