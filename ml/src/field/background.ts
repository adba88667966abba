import type { Random } from '#shared/util/random.js';

/**
 * Pink (1/f) noise at a given RMS, Paul Kellett's economy filter over white
 * Gaussian noise: a stand-in for wind and distant forest sound whose power
 * falls with frequency like the real thing, so onsets are judged against a
 * realistic low-frequency floor rather than flat hiss.
 */
export function pinkNoise(length: number, rms: number, rand: Random): Float64Array {
  const out = new Float64Array(length);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let sumSquares = 0;
  for (let i = 0; i < length; i++) {
    const white = rand.normal();
    b0 = 0.99765 * b0 + white * 0.099046;
    b1 = 0.963 * b1 + white * 0.2965164;
    b2 = 0.57 * b2 + white * 1.0526913;
    const v = b0 + b1 + b2 + white * 0.1848;
    out[i] = v;
    sumSquares += v * v;
  }
  const scale = length > 0 && sumSquares > 0 ? rms / Math.sqrt(sumSquares / length) : 0;
  for (let i = 0; i < length; i++) out[i] *= scale;
  return out;
}
