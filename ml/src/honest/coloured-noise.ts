import type { Random } from '#shared/util/random.js';
import { pinkNoise } from '../augment/index.js';

/** Noise colours a field microphone hears as stationary background. */
export type NoiseColour = 'white' | 'pink' | 'brown';

export const NOISE_COLOURS: readonly NoiseColour[] = ['white', 'pink', 'brown'];

/**
 * Stationary noise of a colour at an RMS level in dBFS (full scale = 1.0).
 * Brown noise is leaky-integrated white noise (-6 dB/octave above ~5 Hz): what
 * wind, a distant stream or road sounds like at a microphone, and what fooled
 * the window model 0.2.0.
 */
export function colouredNoise(colour: NoiseColour, length: number, rmsDbfs: number, rand: Random): Float32Array {
  const rms = 10 ** (rmsDbfs / 20);
  if (colour === 'pink') return pinkNoise(length, rms, rand);
  const out = new Float32Array(length);
  let state = 0;
  for (let i = 0; i < length; i++) {
    const white = rand.next() * 2 - 1;
    state = colour === 'white' ? white : 0.998 * state + white * 0.06;
    out[i] = state;
  }
  return scaleToRms(out, rms);
}

/** Scales x in place to the given RMS (no-op on silence). */
export function scaleToRms(x: Float32Array, rms: number): Float32Array {
  let energy = 0;
  for (const v of x) energy += v * v;
  const g = energy > 0 ? rms / Math.sqrt(energy / x.length) : 0;
  for (let i = 0; i < x.length; i++) x[i] *= g;
  return x;
}

/**
 * A modelled forest ambience floor: a mix of pink and brown noise whose level
 * (dBFS RMS, drawn in `levelDbfs`) and brown share drift smoothly every
 * ~20 s, so the floor is quiet, non-white and never has an onset of its own.
 */
export function ambienceFloor(length: number, levelDbfs: readonly [number, number], rand: Random, sampleRateHz = 16000): Float32Array {
  const pink = pinkNoise(length, 1, rand.fork('pink'));
  const brown = colouredNoise('brown', length, 0, rand.fork('brown'));
  const out = new Float32Array(length);
  const knotSamples = 20 * sampleRateHz;
  const knots = Math.ceil(length / knotSamples) + 1;
  const levels = Array.from({ length: knots }, () => 10 ** (rand.uniform(levelDbfs[0], levelDbfs[1]) / 20));
  const shares = Array.from({ length: knots }, () => rand.uniform(0.2, 0.8));
  for (let i = 0; i < length; i++) {
    const k = Math.floor(i / knotSamples);
    const f = (i - k * knotSamples) / knotSamples;
    const level = levels[k] + (levels[k + 1] - levels[k]) * f;
    const share = shares[k] + (shares[k + 1] - shares[k]) * f;
    out[i] = level * (Math.sqrt(1 - share) * pink[i] + Math.sqrt(share) * brown[i]);
  }
  return out;
}
