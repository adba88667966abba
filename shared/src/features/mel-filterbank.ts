/**
 * HTK mel filterbank built the way tf.signal.linear_to_mel_weight_matrix builds
 * it (YAMNet's front end): triangles that are linear in mel, DC bin excluded.
 * Stored sparse: per band, the first bin and its weights.
 */
export interface MelFilterbank {
  bands: number;
  spectrumBins: number;
  /** First spectrum bin with a non-zero weight, per band. */
  firstBin: Int32Array;
  /** Weights of each band, starting at firstBin. */
  weights: Float32Array[];
}

export function hzToMel(hz: number): number {
  return 1127 * Math.log(1 + hz / 700);
}

export function melToHz(mel: number): number {
  return 700 * (Math.exp(mel / 1127) - 1);
}

export function buildMelFilterbank(
  bands: number,
  spectrumBins: number,
  sampleRateHz: number,
  minHz: number,
  maxHz: number,
): MelFilterbank {
  const nyquist = sampleRateHz / 2;
  const binMel = new Float64Array(spectrumBins);
  for (let k = 0; k < spectrumBins; k++) binMel[k] = hzToMel((k * nyquist) / (spectrumBins - 1));
  const lo = hzToMel(minHz);
  const hi = hzToMel(maxHz);
  const edges = new Float64Array(bands + 2);
  for (let i = 0; i < bands + 2; i++) edges[i] = lo + ((hi - lo) * i) / (bands + 1);
  const firstBin = new Int32Array(bands);
  const weights: Float32Array[] = [];
  for (let b = 0; b < bands; b++) {
    const [left, center, right] = [edges[b], edges[b + 1], edges[b + 2]];
    const row: number[] = [];
    let first = -1;
    for (let k = 1; k < spectrumBins; k++) { // k = 0 (DC) is excluded, as in tf.signal
      const m = binMel[k];
      const w = Math.max(0, Math.min((m - left) / (center - left), (right - m) / (right - center)));
      if (w > 0) {
        if (first < 0) first = k;
        row.length = k - first;
        row.push(w);
      }
    }
    firstBin[b] = Math.max(first, 0);
    weights.push(Float32Array.from(row, (x) => x ?? 0));
  }
  return { bands, spectrumBins, firstBin, weights };
}

/** Applies the filterbank to one magnitude spectrum, writing `bands` values into `out`. */
export function applyMel(fb: MelFilterbank, magnitude: Float32Array | Float64Array, out: Float32Array, outOffset = 0): void {
  for (let b = 0; b < fb.bands; b++) {
    const w = fb.weights[b];
    const first = fb.firstBin[b];
    let acc = 0;
    for (let i = 0; i < w.length; i++) acc += w[i] * magnitude[first + i];
    out[outOffset + b] = acc;
  }
}
