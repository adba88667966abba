import { SHOT_FRAME_MS, shotOnsetFrames } from './shot-frames.js';

/**
 * Shot onsets to the sample, for locating a shot across stations (1 ms of
 * onset error is 0.34 m of range difference).
 *
 * Two steps. The shot counter's detector on 5 ms energy frames
 * (`shot-frames.ts`: a jump well above the stretch's median and the 20 ms
 * before it, not an echo of a louder sound, a 50 ms refractory period so
 * automatic fire counts shot by shot) finds each shot to within a frame. Then the Akaike information criterion picker (Maeda 1985;
 * the standard for seismic and acoustic first arrivals) finds the sample where
 * the signal's variance changes inside a short window around it:
 *   AIC(k) = k log var(x[0..k]) + (N - k - 1) log var(x[k+1..N])
 * whose minimum is the onset. Works on the raw waveform, so a distant shot's
 * softened, minimum-phase onset is picked where it leaves the noise.
 */
export interface OnsetPickerOptions {
  sampleRateHz: number;
  /** Rise over the median frame energy that counts as an onset. Default 12 dB. */
  riseDb?: number;
  /** Minimum time between two onsets. Default 50 ms. */
  refractoryMs?: number;
}

/** Window of the AIC picker around a coarse onset: mostly noise before, the shot's first cycle after. */
const AIC_BEFORE_MS = 25;
const AIC_AFTER_MS = 8;

/** Onset positions in samples relative to the stretch (integers), in order. */
export function pickShotOnsets(samples: Float32Array, options: OnsetPickerOptions): number[] {
  const frame = Math.max(1, Math.round((options.sampleRateHz * SHOT_FRAME_MS) / 1000));
  return shotOnsetFrames(samples, frame, options).map((f) => refineOnset(samples, f * frame, frame, options.sampleRateHz));
}

/** AIC minimum in [coarse - 25 ms, coarse + frame + 8 ms], clipped to the stretch. */
function refineOnset(samples: Float32Array, coarseSample: number, frame: number, rateHz: number): number {
  const start = Math.max(0, coarseSample - Math.round((AIC_BEFORE_MS * rateHz) / 1000));
  const end = Math.min(samples.length, coarseSample + frame + Math.round((AIC_AFTER_MS * rateHz) / 1000));
  const n = end - start;
  if (n < 8) return coarseSample;
  // Prefix sums make every split's two variances O(1).
  const sum = new Float64Array(n + 1);
  const sumSq = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const v = samples[start + i];
    sum[i + 1] = sum[i] + v;
    sumSq[i + 1] = sumSq[i] + v * v;
  }
  const variance = (a: number, b: number): number => {
    const len = b - a;
    const mean = (sum[b] - sum[a]) / len;
    return Math.max((sumSq[b] - sumSq[a]) / len - mean * mean, 1e-20);
  };
  let best = coarseSample;
  let bestAic = Infinity;
  for (let k = 2; k < n - 2; k++) {
    const aic = k * Math.log(variance(0, k)) + (n - k - 1) * Math.log(variance(k, n));
    if (aic < bestAic) {
      bestAic = aic;
      best = start + k;
    }
  }
  return best;
}
