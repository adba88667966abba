import { Biquad } from './biquad.js';
import type { ImpulseTrigger } from './impulse-trigger.js';
import { ONSET_SPECTRUM_FEATURES, OnsetSpectrum } from './onset-spectrum.js';
import { HISTORY_SEC, type OnsetContext } from './trigger-history.js';

/** Filterbank of the onset patch, Hz: octaves from 50 Hz (a distant shot's thump) to 7.8 kHz. */
const BANDS_HZ: readonly [number, number][] = [
  [50, 100], [100, 200], [200, 400], [400, 800], [800, 1600], [1600, 3200], [3200, 6400], [6400, 7800],
];
/** Time bins relative to the onset, ms: fine where a muzzle blast rises and its positive phase ends, coarse for the decay. */
const BIN_EDGES_MS: readonly number[] = [
  ...Array.from({ length: 21 }, (_, i) => -10 + 2 * i), // -10..30 in 2 ms
  ...Array.from({ length: 7 }, (_, i) => 40 + 10 * i), // ..100 in 10 ms
  ...Array.from({ length: 10 }, (_, i) => 150 + 50 * i), // ..600 in 50 ms
];
/** Reference (background) span before the onset, ms. */
const REFERENCE_MS: readonly [number, number] = [-60, -10];
/** Filter warm-up before the reference span, ms. */
const WARMUP_MS = 40;

/** Audio an onset's features need: this long before the onset... */
export const ONSET_PRE_SEC = (WARMUP_MS - REFERENCE_MS[0]) / 1000;
/** ... and this long after it. */
export const ONSET_POST_SEC = BIN_EDGES_MS[BIN_EDGES_MS.length - 1] / 1000;

export const ONSET_PATCH_BANDS = BANDS_HZ.length;
export const ONSET_PATCH_BINS = BIN_EDGES_MS.length - 1;
/** Scalar features after the patch (see OnsetFeaturizer): 10 of the onset itself, 4 of its context, then its fine spectrum. */
export const ONSET_SCALARS = 14 + ONSET_SPECTRUM_FEATURES;
export const ONSET_FEATURES = ONSET_PATCH_BANDS * ONSET_PATCH_BINS + ONSET_SCALARS;
/** Index of the trigger's rise (excessDb / 30) among the features (e.g. for a rule-based test model). */
export const ONSET_EXCESS_FEATURE = ONSET_PATCH_BANDS * ONSET_PATCH_BINS + 8;
/** Index of the time since the previous trigger (log scale, 0..1). */
export const ONSET_GAP_FEATURE = ONSET_PATCH_BANDS * ONSET_PATCH_BINS + 10;

const LN10 = Math.log(10);
const db = (e: number) => (10 * Math.log(e + 1e-12)) / LN10;

/**
 * The onset classifier's input for each trigger: an onset-aligned band-energy
 * patch (8 octave bands x 37 time bins from -10 to +600 ms, 2 ms bins for the
 * first 40 ms), each value in dB over that band's level in the 50 ms before the
 * onset (a per-channel normalisation in the spirit of PCEN: level-free, so a
 * distant shot and a close one look alike), then physical features: level,
 * rise time, crest factor, positive-phase duration, spectral centroid and
 * slope at the onset, decay, zero-crossing rate and the trigger's own rise and
 * flux; then what came before it (trigger-history.ts: time since the
 * previous trigger, triggers in the last 1 and 5 s, the previous trigger's
 * rise); last the fine spectrum's flatness, peaks and periodicity before and
 * after the onset (onset-spectrum.ts). `samples` must cover ONSET_PRE_SEC
 * before and ONSET_POST_SEC after the onset (missing audio counts as
 * silence). Values are roughly unit-scaled. One instance computes them for
 * one trigger after another, keeping its FFT tables and scratch buffers
 * between calls (not for concurrent users).
 */
export class OnsetFeaturizer {
  private readonly spectrum: OnsetSpectrum;
  /** The audio around the onset, and its band energies' running sums (reused: a trigger's features allocate only their output). */
  private readonly seg: Float32Array;
  private readonly sq: Float64Array;

  constructor(private readonly sampleRateHz = 16000) {
    this.spectrum = new OnsetSpectrum(sampleRateHz);
    const span = Math.round((BIN_EDGES_MS[BIN_EDGES_MS.length - 1] * sampleRateHz) / 1000) - Math.round(((REFERENCE_MS[0] - WARMUP_MS) * sampleRateHz) / 1000);
    this.seg = new Float32Array(span);
    this.sq = new Float64Array(span + 1);
  }

  features(samples: Float32Array, onsetSample: number, trigger: Pick<ImpulseTrigger, 'excessDb' | 'fluxDb'>, context: OnsetContext): Float32Array {
    const sampleRateHz = this.sampleRateHz;
    const ms = (t: number) => onsetSample + Math.round((t * sampleRateHz) / 1000);
    const from = ms(REFERENCE_MS[0] - WARMUP_MS);
    const to = ms(BIN_EDGES_MS[BIN_EDGES_MS.length - 1]);
    const seg = this.seg;
    // Audio outside `samples` stays 0 (silence).
    seg.fill(0);
    const a = Math.max(0, from);
    const b = Math.min(samples.length, to);
    if (b > a) seg.set(samples.subarray(a, b), a - from);
    const at = (t: number) => ms(t) - from;
    const out = new Float32Array(ONSET_FEATURES);
    const onsetBandDb: number[] = [];
    const bandsAtOnset: number[] = [];
    const sq = this.sq;
    BANDS_HZ.forEach(([lo, hi], b) => {
      Biquad.bandPass(lo, hi, sampleRateHz).runningEnergy(seg, sq);
      const mean = (a: number, c: number) => (sq[c] - sq[a]) / Math.max(1, c - a);
      const ref = db(mean(at(REFERENCE_MS[0]), at(REFERENCE_MS[1])));
      for (let k = 0; k < ONSET_PATCH_BINS; k++) {
        const v = db(mean(at(BIN_EDGES_MS[k]), at(BIN_EDGES_MS[k + 1]))) - ref;
        out[b * ONSET_PATCH_BINS + k] = Math.max(-10, Math.min(60, v)) / 20;
      }
      const onsetEnergy = mean(at(0), at(10));
      onsetBandDb.push(db(onsetEnergy));
      bandsAtOnset.push(onsetEnergy);
    });
    [...physical(seg, at, onsetBandDb, bandsAtOnset, trigger, sampleRateHz), ...contextFeatures(context), ...this.spectrum.features(seg, at(0))].forEach((v, i) => {
      out[ONSET_PATCH_BANDS * ONSET_PATCH_BINS + i] = v;
    });
    return out;
  }
}

function physical(
  seg: Float32Array, at: (ms: number) => number, bandDb: number[], bandEnergy: number[],
  trigger: Pick<ImpulseTrigger, 'excessDb' | 'fluxDb'>, rate: number,
): number[] {
  const start = at(-2);
  const end100 = at(100);
  let peak = 0;
  let peakAt = start;
  let energy = 0;
  for (let i = start; i < end100; i++) {
    const a = Math.abs(seg[i]);
    energy += seg[i] * seg[i];
    if (i < at(50) && a > peak) {
      peak = a;
      peakAt = i;
    }
  }
  const rms = Math.sqrt(energy / Math.max(1, end100 - start));
  let first = start;
  while (first < peakAt && Math.abs(seg[first]) < 0.3 * peak) first++;
  // Positive phase: from the first strong excursion to the waveform's next zero crossing.
  const sign = Math.sign(seg[first]) || 1;
  let zero = first;
  while (zero < seg.length - 1 && Math.sign(seg[zero]) === sign) zero++;
  let crossings = 0;
  for (let i = at(0) + 1; i < at(20); i++) if ((seg[i] >= 0) !== (seg[i - 1] >= 0)) crossings++;
  const total = bandEnergy.reduce((s, e) => s + e, 0) + 1e-12;
  const centroid = bandEnergy.reduce((s, e, b) => s + (e * b) / total, 0);
  const slope = regressionSlope(bandDb);
  const late = meanSquare(seg, at(200), at(400));
  const early = meanSquare(seg, at(0), at(30));
  return [
    db(peak * peak) / 40,
    Math.log1p(((peakAt - first) * 1000) / rate) / 3,
    db((peak * peak) / (rms * rms + 1e-12)) / 20,
    Math.log1p(((zero - first) * 1000) / rate) / 3,
    centroid / 4,
    slope / 5,
    Math.max(-60, db(late + 1e-12) - db(early + 1e-12)) / 30,
    crossings / 50,
    trigger.excessDb / 30,
    trigger.fluxDb / 30,
  ];
}

/** Time since the previous trigger (log, 1 ms .. 5 s -> 0..1), how busy the last 1 and 5 s were, the previous rise. */
function contextFeatures(c: OnsetContext): number[] {
  return [
    Math.log1p(Math.min(c.gapSec, HISTORY_SEC) * 1000) / Math.log1p(HISTORY_SEC * 1000),
    Math.min(c.recent1s, 16) / 8,
    Math.min(c.recent5s, 32) / 16,
    c.previousExcessDb / 30,
  ];
}

function meanSquare(x: Float32Array, a: number, b: number): number {
  let s = 0;
  for (let i = Math.max(0, a); i < Math.min(x.length, b); i++) s += x[i] * x[i];
  return s / Math.max(1, b - a);
}

function regressionSlope(y: number[]): number {
  const n = y.length;
  const mx = (n - 1) / 2;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let num = 0;
  let den = 0;
  y.forEach((v, i) => {
    num += (i - mx) * (v - my);
    den += (i - mx) ** 2;
  });
  return den > 0 ? num / den : 0;
}
