import type { Random } from '#shared/util/random.js';
import { convolve, fftPlan, nextPow2 } from './spectral.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';

/**
 * Forest reverberation: sound scattered by trunks and canopy returns as a
 * dense, exponentially decaying tail. Modelled as noise in four bands, each
 * with its own exponential decay: below 1 kHz the tail decays in `t60Sec`,
 * above it faster (leaves absorb and scatter high frequencies), as measured in
 * forests. Added to the dry signal by convolution.
 */
export interface ReverbParams {
  /** Time for the tail below 1 kHz to decay by 60 dB, s (forests: 1..3). */
  t60Sec: number;
  /**
   * Direct-to-reverberant energy ratio, dB: energy of the dry signal over the
   * energy the tail adds (for an impulse). 10 = faint tail, 0 = equal, -6 = mostly tail.
   */
  drrDb: number;
  /**
   * How much faster high frequencies decay: T60(f) = t60Sec * (1000 / f)^hfDamping
   * above 1 kHz (evaluated at each band's centre). 0 = same decay everywhere. Default 0.5.
   */
  hfDamping?: number;
}

/** Band edges, Hz; the last band runs to Nyquist. */
const CROSSOVERS_HZ = [1000, 2000, 4000];
/** Half-width of each crossover, octaves. */
const CROSSOVER_HALF_OCT = 0.25;
/** Build-up time of the tail (early scattering arrives over a few ms), s. */
const ONSET_SEC = 0.005;
/** The tail is cut where the slowest band is 72 dB down. */
const LENGTH_T60S = 1.2;

/** Decay time of the band with the given centre frequency, s. */
export function bandT60Sec(params: Readonly<ReverbParams>, centreHz: number): number {
  const damping = params.hfDamping ?? 0.5;
  return centreHz <= 1000 ? params.t60Sec : params.t60Sec * (1000 / centreHz) ** damping;
}

/**
 * The reverberant tail alone (no direct sound), scaled so its energy is
 * 10^(-drrDb / 10) relative to a unit impulse. Length 1.2 * t60Sec.
 */
export function reverbTail(params: Readonly<ReverbParams>, rand: Random, sampleRateHz = SAMPLE_RATE_HZ): Float32Array {
  if (!(params.t60Sec > 0)) throw new RangeError(`T60 must be positive, got ${params.t60Sec}`);
  const length = Math.max(1, Math.ceil(LENGTH_T60S * params.t60Sec * sampleRateHz));
  const fftSize = nextPow2(length);
  const bins = fftSize / 2 + 1;
  // One random spectrum (Gaussian real and imaginary parts: white Gaussian noise),
  // split into bands with masks that sum to one, so the bands add back to white noise.
  const noise = new Float64Array(2 * bins);
  for (let k = 1; k < bins - 1; k++) {
    noise[2 * k] = rand.normal();
    noise[2 * k + 1] = rand.normal();
  }
  const edges = CROSSOVERS_HZ.filter((f) => f * 2 ** CROSSOVER_HALF_OCT < sampleRateHz / 2);
  const bandCount = edges.length + 1;
  const tail = new Float64Array(length);
  const spectrum = new Float64Array(2 * fftSize);
  const time = new Float64Array(2 * fftSize);
  const plan = fftPlan(fftSize);
  // Two bands per inverse FFT: both band signals are real, so one goes in the
  // real part of the result and the other in the imaginary part.
  for (let band = 0; band < bandCount; band += 2) {
    spectrum.fill(0);
    addBandSpectrum(spectrum, noise, band, edges, fftSize, sampleRateHz, false);
    if (band + 1 < bandCount) addBandSpectrum(spectrum, noise, band + 1, edges, fftSize, sampleRateHz, true);
    plan.inverseTransform(time, spectrum);
    for (let part = 0; part < 2 && band + part < bandCount; part++) {
      // Amplitude falls 60 dB (factor 1000) in T60: exp(-ln(1000) t / T60).
      const t60 = bandT60Sec(params, bandCentreHz(band + part, edges, sampleRateHz));
      const decayPerSample = Math.exp(-Math.log(1000) / (t60 * sampleRateHz));
      let env = 1;
      for (let i = 0; i < length; i++) {
        tail[i] += time[2 * i + part] * env;
        env *= decayPerSample;
      }
    }
  }
  const onset = ONSET_SEC * sampleRateHz;
  let energy = 0;
  for (let i = 0; i < length; i++) {
    tail[i] *= 1 - Math.exp(-i / onset);
    energy += tail[i] * tail[i];
  }
  const gain = energy > 0 ? Math.sqrt(10 ** (-params.drrDb / 10) / energy) : 0;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = tail[i] * gain;
  return out;
}

/**
 * Adds the band's share of the white spectrum `noise` (bins 0..N/2) to the full
 * spectrum, Hermitian so its inverse is real; multiplied by i when `imaginary`
 * (so that band's real signal lands in the imaginary part of the inverse).
 */
function addBandSpectrum(
  spectrum: Float64Array, noise: Float64Array, band: number, edges: readonly number[], fftSize: number, sampleRateHz: number, imaginary: boolean,
): void {
  const bins = fftSize / 2 + 1;
  for (let k = 1; k < bins - 1; k++) {
    const m = bandMask(band, edges, (k * sampleRateHz) / fftSize);
    if (m === 0) continue;
    const re = noise[2 * k] * m;
    const im = noise[2 * k + 1] * m;
    // Band value X(k) = re + i im, X(N-k) = re - i im; times i if imaginary.
    if (imaginary) {
      spectrum[2 * k] -= im;
      spectrum[2 * k + 1] += re;
      spectrum[2 * (fftSize - k)] += im;
      spectrum[2 * (fftSize - k) + 1] += re;
    } else {
      spectrum[2 * k] += re;
      spectrum[2 * k + 1] += im;
      spectrum[2 * (fftSize - k)] += re;
      spectrum[2 * (fftSize - k) + 1] -= im;
    }
  }
}

function bandCentreHz(band: number, edges: readonly number[], sampleRateHz: number): number {
  const lowHz = band === 0 ? 0 : edges[band - 1];
  const highHz = band === edges.length ? sampleRateHz / 2 : edges[band];
  return band === 0 ? highHz / 2 : Math.sqrt(lowHz * highHz);
}

/** Weight of `band` at `freqHz`: 1 inside, raised-cosine crossfades (in log-frequency) at the edges. */
function bandMask(band: number, edges: readonly number[], freqHz: number): number {
  const below = band === 0 ? 1 : 1 - lowPassWeight(edges[band - 1], freqHz);
  const above = band === edges.length ? 1 : lowPassWeight(edges[band], freqHz);
  return below * above;
}

/** 1 well below `edgeHz`, 0 well above, cos^2 crossfade over +-CROSSOVER_HALF_OCT octaves. */
function lowPassWeight(edgeHz: number, freqHz: number): number {
  const oct = Math.log2(freqHz / edgeHz);
  if (oct <= -CROSSOVER_HALF_OCT) return 1;
  if (oct >= CROSSOVER_HALF_OCT) return 0;
  const x = ((oct + CROSSOVER_HALF_OCT) / (2 * CROSSOVER_HALF_OCT)) * (Math.PI / 2);
  return Math.cos(x) ** 2;
}

export interface AddReverbOptions {
  /** Default 16000. */
  sampleRateHz?: number;
  /** Audio kept after the input's end, s (the tail rings on). Default 0: same length as the input. */
  tailSec?: number;
}

/**
 * Dry signal plus its convolution with a fresh reverberant tail.
 * Output length: input length + round(tailSec * rate).
 */
export function addReverb(samples: Float32Array, params: Readonly<ReverbParams>, rand: Random, options: AddReverbOptions = {}): Float32Array {
  const sampleRateHz = options.sampleRateHz ?? SAMPLE_RATE_HZ;
  const outLength = samples.length + Math.round((options.tailSec ?? 0) * sampleRateHz);
  const tail = reverbTail(params, rand, sampleRateHz);
  const out = convolve(samples, tail, outLength);
  for (let i = 0; i < samples.length && i < outLength; i++) out[i] += samples[i];
  return out;
}
