import { describe, expect, it } from 'vitest';
import { createRandom } from '../util/random.js';
import { ONSET_SPECTRUM_FEATURES, OnsetSpectrum } from './onset-spectrum.js';

const RATE = 16000;
const ONSET = 0.1 * RATE;
const LENGTH = 0.7 * RATE;

/** Silence before ONSET, then `after(i)` for the i-th sample after it. */
function signal(after: (i: number) => number): Float32Array {
  const x = new Float32Array(LENGTH);
  for (let i = ONSET; i < LENGTH; i++) x[i] = after(i - ONSET);
  return x;
}

/** [flatness, prominence, periodicity] of the span after the onset numbered `span` (1: 0-32 ms, 2: 32-160 ms, 3: 160-480 ms). */
const span = (f: number[], n: number) => f.slice(3 * n, 3 * n + 3);

describe('OnsetSpectrum', () => {
  const spectrum = new OnsetSpectrum(RATE);
  const random = createRandom('onset-spectrum');
  const noise = spectrum.features(signal(() => random.normal(0, 0.1)), ONSET);
  const note = spectrum.features(signal((i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / RATE) + 0.15 * Math.sin((2 * Math.PI * 440 * i) / RATE)), ONSET);

  it('describes four spans with three figures each', () => {
    expect(noise).toHaveLength(ONSET_SPECTRUM_FEATURES);
    expect(ONSET_SPECTRUM_FEATURES).toBe(12);
    expect(noise.every(Number.isFinite)).toBe(true);
  });

  it('finds a musical note flat-less, peaked and periodic where white noise is flat, peakless and aperiodic', () => {
    for (const n of [1, 2, 3]) {
      const [noiseFlat, noisePeak, noisePeriod] = span(noise, n);
      const [noteFlat, notePeak, notePeriod] = span(note, n);
      // Flatness (dB / 30) of white noise is a few dB below 0; a harmonic note's is tens of dB below.
      expect(noiseFlat).toBeGreaterThan(-6 / 30);
      expect(noteFlat).toBeLessThan(-20 / 30);
      // A partial stands well clear of its neighbourhood; noise's highest bin only by chance.
      expect(notePeak).toBeGreaterThan(20 / 30);
      expect(noisePeak).toBeLessThan(notePeak / 2);
      // The note repeats every 4.5 ms (220 Hz).
      expect(notePeriod).toBeGreaterThan(0.9);
      expect(noisePeriod).toBeLessThan(0.35);
    }
  });

  it('reads silence before the onset as nothing (no NaN), and audio past the buffer as silence', () => {
    const [flat, peak, period] = span(noise, 0);
    expect(flat).toBeCloseTo(0, 9);
    expect(peak).toBeCloseTo(0, 9);
    expect(period).toBe(0);
    const cut = spectrum.features(signal(() => 0.1).subarray(0, ONSET + 100), ONSET);
    expect(cut.every(Number.isFinite)).toBe(true);
  });
});
