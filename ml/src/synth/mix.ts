import type { Random } from '#shared/util/random.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';

/**
 * Mixing an event into a background at a chosen signal-to-noise ratio.
 *
 * SNR definition (used everywhere in EcoSight's data generation):
 *   SNR = 10 log10( max over windows of mean(signal^2) / mean(background^2) )
 * where the windows are `eventWindowSec` long (default 50 ms) and slide over
 * the whole signal, and the background mean is taken over the excerpt that is
 * actually mixed in. For an impulsive event such as a gunshot the 50 ms window
 * holds the blast and its first reflections, so the SNR describes how loud the
 * shot is against the background at its loudest moment, independently of how
 * much silence surrounds it in the clip; for a steady sound it equals the
 * ordinary power ratio.
 */
export interface MixOptions {
  /** Window for the event's energy, s. Default 0.05. Clamped to the signal's length. */
  eventWindowSec?: number;
  /** Default 16000. */
  sampleRateHz?: number;
  /**
   * Which input is rescaled to reach the SNR: 'background' (default) keeps the
   * event at its level, 'signal' keeps the background at its real level.
   */
  adjust?: 'background' | 'signal';
  /**
   * Start of the background excerpt, samples. Drawn uniformly with `rand` when
   * omitted (0 without rand). Backgrounds shorter than the signal are looped
   * from there, with a 5 ms fade out/in at each seam so the loop cannot click.
   */
  backgroundOffset?: number;
  rand?: Random;
  /**
   * Largest allowed |sample| of the mix. If exceeded, signal and background are
   * scaled down together (the SNR is unchanged). Default 0.99; Infinity disables.
   */
  peakLimit?: number;
}

export interface MixResult {
  /** The mix, as long as the signal. */
  samples: Float32Array;
  /** Factors applied to signal and background (after peak limiting). */
  signalGain: number;
  backgroundGain: number;
  backgroundOffset: number;
  /** SNR of the result by the definition above: the request, or +-Infinity if one part is silent. */
  snrDb: number;
}

/** Largest mean square over any window of `windowSamples` consecutive samples (O(n)). */
export function peakWindowPower(x: Float32Array, windowSamples: number): number {
  const w = Math.max(1, Math.min(windowSamples, x.length));
  if (x.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < w; i++) sum += x[i] * x[i];
  let best = sum;
  for (let i = w; i < x.length; i++) {
    sum += x[i] * x[i] - x[i - w] * x[i - w];
    if (sum > best) best = sum;
  }
  // A running sum can drift by rounding; it is only compared, never reported raw,
  // but guard the sign anyway.
  return Math.max(0, best) / w;
}

export function meanSquare(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return x.length ? s / x.length : 0;
}

/** SNR of `signal` against `background` by the definition above, dB. */
export function eventSnrDb(signal: Float32Array, background: Float32Array, eventWindowSec = 0.05, sampleRateHz = SAMPLE_RATE_HZ): number {
  return 10 * Math.log10(peakWindowPower(signal, Math.round(eventWindowSec * sampleRateHz)) / meanSquare(background));
}

const SEAM_FADE_SEC = 0.005;

/**
 * The background excerpt of `length` samples starting at `offset`, looped if
 * the background is shorter (with a fade at each seam).
 */
export function backgroundExcerpt(background: Float32Array, length: number, offset: number, sampleRateHz = SAMPLE_RATE_HZ): Float32Array {
  const out = new Float32Array(length);
  const m = background.length;
  if (m === 0) return out;
  if (m >= length + offset) {
    out.set(background.subarray(offset, offset + length));
    return out;
  }
  const fade = Math.max(1, Math.min(Math.round(SEAM_FADE_SEC * sampleRateHz), Math.floor(m / 4)));
  for (let i = 0; i < length; i++) {
    const j = (offset + i) % m;
    const edge = Math.min(j, m - 1 - j);
    out[i] = edge < fade ? background[j] * (0.5 - 0.5 * Math.cos((Math.PI * edge) / fade)) : background[j];
  }
  return out;
}

/** Mixes `signal` into `background` at `snrDb` (see the SNR definition above). */
export function mixAtSnr(signal: Float32Array, background: Float32Array, snrDb: number, options: MixOptions = {}): MixResult {
  const sampleRateHz = options.sampleRateHz ?? SAMPLE_RATE_HZ;
  const n = signal.length;
  // A long background gives any excerpt of n samples; a short one loops from any start.
  const maxOffset = background.length >= n ? background.length - n : Math.max(0, background.length - 1);
  const offset = options.backgroundOffset ?? (options.rand && background.length > 0 ? options.rand.int(0, maxOffset + 1) : 0);
  const bg = backgroundExcerpt(background, n, Math.min(offset, Math.max(0, background.length - 1)), sampleRateHz);
  const signalPower = peakWindowPower(signal, Math.round((options.eventWindowSec ?? 0.05) * sampleRateHz));
  const noisePower = meanSquare(bg);
  let signalGain = 1;
  let backgroundGain = 1;
  let achieved = snrDb;
  if (signalPower === 0 || noisePower === 0) {
    achieved = signalPower === 0 ? -Infinity : Infinity;
  } else {
    // ratio = required signal/background amplitude scaling so that gs^2 Ps / (gb^2 Pn) = 10^(snr/10).
    const ratio = Math.sqrt((10 ** (snrDb / 10) * noisePower) / signalPower);
    if ((options.adjust ?? 'background') === 'signal') signalGain = ratio;
    else backgroundGain = 1 / ratio;
  }
  const out = new Float32Array(n);
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const v = signal[i] * signalGain + bg[i] * backgroundGain;
    out[i] = v;
    const a = Math.abs(v);
    if (a > peak) peak = a;
  }
  const limit = options.peakLimit ?? 0.99;
  if (peak > limit) {
    const g = limit / peak;
    for (let i = 0; i < n; i++) out[i] *= g;
    signalGain *= g;
    backgroundGain *= g;
  }
  return { samples: out, signalGain, backgroundGain, backgroundOffset: offset, snrDb: achieved };
}
