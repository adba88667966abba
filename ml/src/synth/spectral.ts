import FFT from 'fft.js';

/**
 * FFT helpers for frequency-domain filtering: minimum-phase filter design from
 * a magnitude response, and FFT convolution (overlap-add for long signals).
 *
 * Spectra are complex, interleaved [re, im, ...], full length (2 * fftSize
 * numbers), in the engineering convention: a delay of d samples multiplies
 * bin k by exp(-2 pi i k d / fftSize).
 */

// Plans hold only sine tables (the transform's scratch is used synchronously
// inside one call), so sharing them is a pure memoisation; a few sizes at most.
const plans = new Map<number, FFT>();
const MAX_PLANS = 8;

export function fftPlan(size: number): FFT {
  let plan = plans.get(size);
  if (!plan) {
    if (plans.size >= MAX_PLANS) plans.delete(plans.keys().next().value as number);
    plan = new FFT(size);
    plans.set(size, plan);
  }
  return plan;
}

/** Smallest power of two >= n (and >= 2). */
export function nextPow2(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/** Full complex spectrum of a real signal, zero-padded (or truncated) to fftSize. */
export function realSpectrum(signal: ArrayLike<number>, fftSize: number, out = new Float64Array(2 * fftSize)): Float64Array {
  const input = new Float64Array(fftSize);
  const n = Math.min(signal.length, fftSize);
  for (let i = 0; i < n; i++) input[i] = signal[i];
  const plan = fftPlan(fftSize);
  plan.realTransform(out, input);
  plan.completeSpectrum(out as unknown as number[]);
  return out;
}

/** Real part of the inverse transform of a full complex spectrum. */
export function inverseToReal(spectrum: Float64Array, fftSize: number, out = new Float64Array(fftSize)): Float64Array {
  const complex = new Float64Array(2 * fftSize);
  fftPlan(fftSize).inverseTransform(complex, spectrum);
  for (let i = 0; i < fftSize; i++) out[i] = complex[2 * i];
  return out;
}

/** Multiplies complex spectrum `a` by `b` in place (same length). */
export function multiplySpectra(a: Float64Array, b: Float64Array): void {
  for (let i = 0; i < a.length; i += 2) {
    const re = a[i] * b[i] - a[i + 1] * b[i + 1];
    const im = a[i] * b[i + 1] + a[i + 1] * b[i];
    a[i] = re;
    a[i + 1] = im;
  }
}

/**
 * Delays a full spectrum by `delaySamples` (may be fractional) in place.
 * The delay is circular over fftSize, so leave room after the signal.
 */
export function delaySpectrum(spectrum: Float64Array, fftSize: number, delaySamples: number): void {
  if (delaySamples === 0) return;
  for (let k = 0; k < fftSize; k++) {
    // Bins above Nyquist are negative frequencies; using the signed index keeps
    // the result real (conjugate symmetry) for fractional delays.
    const signed = k <= fftSize / 2 ? k : k - fftSize;
    const phase = (-2 * Math.PI * signed * delaySamples) / fftSize;
    const c = Math.cos(phase);
    // The Nyquist bin has no sign to pick: keep it real.
    const s = k === fftSize / 2 ? 0 : Math.sin(phase);
    const re = spectrum[2 * k];
    const im = spectrum[2 * k + 1];
    spectrum[2 * k] = re * c - im * s;
    spectrum[2 * k + 1] = re * s + im * c;
  }
}

/**
 * The minimum-phase spectrum with the given magnitude (real cepstrum folding).
 * Physical losses (air absorption, foliage) are causal and nearly minimum
 * phase, so a filter built this way smears an impulse only forwards in time,
 * as distance does, instead of pre-ringing like a zero-phase filter.
 *
 * @param magnitude linear gain at bins 0..fftSize/2 (length fftSize/2 + 1)
 * @param floorRelative magnitudes are clamped to this fraction of the maximum
 *   before the log (default 1e-9, i.e. -180 dB), which bounds cepstral aliasing
 * @returns full complex spectrum (2 * fftSize numbers)
 */
export function minimumPhaseSpectrum(magnitude: Float64Array, fftSize: number, floorRelative = 1e-9): Float64Array {
  const half = fftSize / 2;
  if (magnitude.length !== half + 1) throw new RangeError(`magnitude needs ${half + 1} bins, got ${magnitude.length}`);
  let max = 0;
  for (let k = 0; k <= half; k++) max = Math.max(max, magnitude[k]);
  const floor = Math.max(max * floorRelative, Number.MIN_VALUE);
  const logMag = new Float64Array(2 * fftSize);
  for (let k = 0; k <= half; k++) {
    const v = Math.log(Math.max(magnitude[k], floor));
    logMag[2 * k] = v;
    if (k > 0 && k < half) logMag[2 * (fftSize - k)] = v;
  }
  const cepstrum = inverseToReal(logMag, fftSize);
  // Fold the anticausal half onto the causal half: the result's log spectrum
  // has the same real part and the Hilbert-transform phase of a minimum-phase filter.
  const folded = new Float64Array(fftSize);
  folded[0] = cepstrum[0];
  for (let n = 1; n < half; n++) folded[n] = 2 * cepstrum[n];
  folded[half] = cepstrum[half];
  const logSpec = new Float64Array(2 * fftSize);
  fftPlan(fftSize).realTransform(logSpec, folded);
  fftPlan(fftSize).completeSpectrum(logSpec as unknown as number[]);
  for (let k = 0; k < fftSize; k++) {
    const amp = Math.exp(logSpec[2 * k]);
    const phase = logSpec[2 * k + 1];
    logSpec[2 * k] = amp * Math.cos(phase);
    logSpec[2 * k + 1] = amp * Math.sin(phase);
  }
  return logSpec;
}

/**
 * A causal FIR (first `taps` samples of the impulse response) from a full spectrum,
 * with a half-Hann taper over the last eighth so truncation does not ring.
 */
export function spectrumToFir(spectrum: Float64Array, fftSize: number, taps: number): Float32Array {
  const ir = inverseToReal(spectrum, fftSize);
  const n = Math.min(taps, fftSize);
  const fir = new Float32Array(n);
  const taper = Math.max(1, Math.floor(n / 8));
  for (let i = 0; i < n; i++) {
    const fromEnd = n - 1 - i;
    const w = fromEnd < taper ? 0.5 - 0.5 * Math.cos((Math.PI * fromEnd) / taper) : 1;
    fir[i] = ir[i] * w;
  }
  return fir;
}

/**
 * Linear convolution y = x * h, first `outLength` samples (default: full
 * length x + h - 1). Uses one FFT for short inputs and overlap-add with blocks
 * sized to h otherwise, so the cost is O(n log h) and memory stays bounded.
 */
export function convolve(x: Float32Array, h: Float32Array, outLength = x.length + h.length - 1): Float32Array {
  const out = new Float32Array(Math.max(0, outLength));
  if (x.length === 0 || h.length === 0 || outLength <= 0) return out;
  const fullLength = x.length + h.length - 1;
  const blockFft = nextPow2(2 * h.length);
  const single = nextPow2(fullLength);
  const fftSize = single <= blockFft * 2 ? single : blockFft;
  const blockLen = fftSize - h.length + 1;
  const plan = fftPlan(fftSize);
  const hSpec = realSpectrum(h, fftSize);
  const input = new Float64Array(fftSize);
  const spec = new Float64Array(2 * fftSize);
  const time = new Float64Array(2 * fftSize);
  for (let start = 0; start < x.length && start < outLength; start += blockLen) {
    const len = Math.min(blockLen, x.length - start);
    input.fill(0);
    for (let i = 0; i < len; i++) input[i] = x[start + i];
    plan.realTransform(spec, input);
    plan.completeSpectrum(spec as unknown as number[]);
    multiplySpectra(spec, hSpec);
    plan.inverseTransform(time, spec);
    const end = Math.min(outLength, start + len + h.length - 1);
    for (let i = start; i < end; i++) out[i] += time[2 * (i - start)];
  }
  return out;
}
