import { LogMelFrontEnd } from '#shared/features/log-mel.js';

/**
 * Content fingerprints of decoded audio, so one recording shipped by two game
 * packages (game sound libraries copy each other, often re-encoded, resampled
 * or at another gain) is recognised whatever its file name.
 *
 * The fingerprint is a coarse log-mel picture of the sound: leading and trailing
 * quiet (10 ms frames more than 30 dB below the loudest) is trimmed, the first `MAX_FINGERPRINT_SEC`
 * are cut into `TIME_CELLS` equal spans and the mel bands below ~4.4 kHz (so an
 * 11 kHz copy still matches its original) into `BAND_CELLS` groups; each cell
 * holds the mean log-mel energy, floored 4 nats (35 dB) below the loudest cell
 * (so a copy with a higher noise floor, e.g. 8-bit, still matches), and the
 * whole picture has its mean removed (so a gain change does not matter). That picture alone cannot tell two takes
 * of one drum, or two noise bursts with one envelope, from a copy, so it also
 * keeps the first half second of the waveform itself at 4 kHz, high-passed
 * (~200 Hz, so a shared low hum or thump does not decide): copies (even
 * re-encoded or resampled) stay correlated sample by sample, different takes do not.
 */
export interface AudioFingerprint {
  /** Duration after trimming quiet ends, seconds. 0 for silence. */
  trimmedSec: number;
  /** TIME_CELLS x BAND_CELLS cells, row-major, zero mean; empty for silence. */
  cells: Float32Array;
  /** The trimmed start, box-averaged to WAVEFORM_RATE_HZ, at most WAVEFORM_SAMPLES, high-passed, unit RMS. */
  waveform: Float32Array;
}

export const TIME_CELLS = 32;
export const BAND_CELLS = 12;
const USED_MEL_BANDS = 48; // of YAMNet's 64 (125-7500 Hz): up to ~4.4 kHz
const TRIM_FRAME_SAMPLES = 160; // 10 ms
const TRIM_RE_LOUDEST = 10 ** (-30 / 20);
const CELL_FLOOR_NATS = 4;
const HIGH_PASS_SAMPLES = 20; // moving average over 5 ms at 4 kHz, subtracted
const MAX_FINGERPRINT_SEC = 60;
export const WAVEFORM_RATE_HZ = 4000;
export const WAVEFORM_SAMPLES = 2000;
const MAX_LAG_SAMPLES = 48; // +-12 ms at 4 kHz: trimming by 10 ms frames may cut copies differently

/** When two fingerprints are one recording (see `isSameRecording`). */
export interface DuplicateCriteria {
  /** Allowed difference of trimmed durations, as a fraction of the longer. Default 0.05. */
  durationTolerance: number;
  /** ...plus this many seconds (encoder padding, a noise floor that moves the trim). Default 0.05. */
  durationSlackSec: number;
  /** Minimum Pearson correlation of the cells. Default 0.9 (a coarse gate: the waveform decides). */
  minCorrelation: number;
  /** Maximum mean absolute cell difference, natural-log units (1 = 8.7 dB). Default 0.6. */
  maxMeanAbsDiff: number;
  /** Minimum normalised cross-correlation of the 4 kHz waveforms (best lag within +-12 ms). Default 0.9. */
  minWaveformCorrelation: number;
}

export const DEFAULT_DUPLICATE_CRITERIA: Readonly<DuplicateCriteria> = Object.freeze({
  durationTolerance: 0.05, durationSlackSec: 0.05, minCorrelation: 0.9, maxMeanAbsDiff: 0.6, minWaveformCorrelation: 0.9,
});

/** Fingerprint of 16 kHz mono samples (as `decodeWav` returns them). */
export function fingerprintAudio(samples: Float32Array, frontEnd: LogMelFrontEnd = new LogMelFrontEnd()): AudioFingerprint {
  const rateHz = frontEnd.params.sampleRateHz;
  const trimmed = trimQuiet(samples);
  if (trimmed.length === 0) return { trimmedSec: 0, cells: new Float32Array(0), waveform: new Float32Array(0) };
  const { windowSamples } = frontEnd.geometry;
  const used = trimmed.subarray(0, Math.min(trimmed.length, MAX_FINGERPRINT_SEC * rateHz));
  const padded = used.length >= windowSamples ? used : Float32Array.from({ length: windowSamples }, (_, i) => used[i] ?? 0);
  const { data, frames } = frontEnd.spectrogram(padded);
  const bands = frontEnd.params.melBands;
  const bandsPerCell = USED_MEL_BANDS / BAND_CELLS;
  const cells = new Float32Array(TIME_CELLS * BAND_CELLS);
  for (let t = 0; t < TIME_CELLS; t += 1) {
    const f0 = Math.floor((t * frames) / TIME_CELLS);
    const f1 = Math.max(f0 + 1, Math.floor(((t + 1) * frames) / TIME_CELLS));
    for (let c = 0; c < BAND_CELLS; c += 1) {
      let sum = 0;
      for (let f = f0; f < f1; f += 1) {
        for (let b = c * bandsPerCell; b < (c + 1) * bandsPerCell; b += 1) sum += data[f * bands + b];
      }
      cells[t * BAND_CELLS + c] = sum / ((f1 - f0) * bandsPerCell);
    }
  }
  const floor = cells.reduce((m, v) => Math.max(m, v), -Infinity) - CELL_FLOOR_NATS;
  for (let i = 0; i < cells.length; i += 1) cells[i] = Math.max(cells[i], floor);
  const mean = cells.reduce((s, v) => s + v, 0) / cells.length;
  for (let i = 0; i < cells.length; i += 1) cells[i] -= mean;
  return { trimmedSec: trimmed.length / rateHz, cells, waveform: lowRateWaveform(trimmed, rateHz) };
}

function lowRateWaveform(trimmed: Float32Array, rateHz: number): Float32Array {
  const step = Math.max(1, Math.round(rateHz / WAVEFORM_RATE_HZ));
  const n = Math.min(WAVEFORM_SAMPLES, Math.floor(trimmed.length / step));
  const low = new Float32Array(n);
  for (let i = 0; i < n; i += 1) {
    let sum = 0;
    for (let j = 0; j < step; j += 1) sum += trimmed[i * step + j];
    low[i] = sum / step;
  }
  const out = new Float32Array(n);
  let energy = 0;
  for (let i = 0; i < n; i += 1) {
    let local = 0;
    const from = Math.max(0, i - HIGH_PASS_SAMPLES / 2);
    const to = Math.min(n, i + HIGH_PASS_SAMPLES / 2);
    for (let j = from; j < to; j += 1) local += low[j];
    out[i] = low[i] - local / (to - from);
    energy += out[i] * out[i];
  }
  const rms = Math.sqrt(energy / Math.max(1, n));
  if (rms > 0) for (let i = 0; i < n; i += 1) out[i] /= rms;
  return out;
}

/** Best normalised correlation of two unit-RMS waveforms over small lags. */
function waveformCorrelation(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return a.length === b.length ? 1 : 0;
  let best = -1;
  for (let lag = -MAX_LAG_SAMPLES; lag <= MAX_LAG_SAMPLES; lag += 1) {
    let dot = 0;
    let aa = 0;
    let bb = 0;
    for (let i = Math.max(0, -lag); i < n && i + lag < n; i += 1) {
      dot += a[i] * b[i + lag];
      aa += a[i] * a[i];
      bb += b[i + lag] * b[i + lag];
    }
    if (aa > 0 && bb > 0) best = Math.max(best, dot / Math.sqrt(aa * bb));
  }
  return best;
}

/** True when two fingerprints are (re-encodings of) the same recording. */
export function isSameRecording(a: AudioFingerprint, b: AudioFingerprint, k: DuplicateCriteria = DEFAULT_DUPLICATE_CRITERIA): boolean {
  if (!durationsClose(a.trimmedSec, b.trimmedSec, k)) return false;
  if (a.cells.length === 0 || b.cells.length === 0) return a.cells.length === b.cells.length; // both silent
  if (!cellsWithinMeanAbsDiff(a.cells, b.cells, k.maxMeanAbsDiff)) return false; // cheap, rejects most pairs early
  const cells = compareCells(a, b);
  if (cells.cellCorrelation < k.minCorrelation || cells.meanAbsDiff > k.maxMeanAbsDiff) return false;
  return waveformCorrelation(a.waveform, b.waveform) >= k.minWaveformCorrelation; // the costly test last
}

/** The measures `isSameRecording` thresholds (for reports and tuning). */
export function compareFingerprints(a: AudioFingerprint, b: AudioFingerprint): { cellCorrelation: number; meanAbsDiff: number; waveformCorrelation: number } {
  return { ...compareCells(a, b), waveformCorrelation: waveformCorrelation(a.waveform, b.waveform) };
}

/** Mean absolute difference <= limit, giving up as soon as the sum exceeds it. */
function cellsWithinMeanAbsDiff(a: Float32Array, b: Float32Array, limit: number): boolean {
  const budget = limit * a.length;
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) {
    sum += Math.abs(a[i] - b[i]);
    if (sum > budget) return false;
  }
  return true;
}

function compareCells(a: AudioFingerprint, b: AudioFingerprint): { cellCorrelation: number; meanAbsDiff: number } {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  let absDiff = 0;
  const n = Math.min(a.cells.length, b.cells.length);
  for (let i = 0; i < n; i += 1) {
    dot += a.cells[i] * b.cells[i];
    aa += a.cells[i] * a.cells[i];
    bb += b.cells[i] * b.cells[i];
    absDiff += Math.abs(a.cells[i] - b.cells[i]);
  }
  const cellCorrelation = aa === 0 || bb === 0 ? (aa === bb ? 1 : 0) : dot / Math.sqrt(aa * bb);
  return { cellCorrelation, meanAbsDiff: n === 0 ? 0 : absDiff / n };
}

export function durationsClose(aSec: number, bSec: number, k: DuplicateCriteria = DEFAULT_DUPLICATE_CRITERIA): boolean {
  return Math.abs(aSec - bSec) <= k.durationTolerance * Math.max(aSec, bSec) + k.durationSlackSec;
}

/** Cuts 10 ms frames far below the loudest one from both ends (frame energy, so dither noise does not count). */
function trimQuiet(samples: Float32Array): Float32Array {
  const frames = Math.ceil(samples.length / TRIM_FRAME_SAMPLES);
  const rms = new Float64Array(frames);
  for (let f = 0; f < frames; f += 1) {
    let e = 0;
    const end = Math.min(samples.length, (f + 1) * TRIM_FRAME_SAMPLES);
    for (let i = f * TRIM_FRAME_SAMPLES; i < end; i += 1) e += samples[i] * samples[i];
    rms[f] = Math.sqrt(e / (end - f * TRIM_FRAME_SAMPLES));
  }
  const loudest = rms.reduce((m, v) => Math.max(m, v), 0);
  if (loudest === 0) return samples.subarray(0, 0);
  let first = 0;
  while (rms[first] < loudest * TRIM_RE_LOUDEST) first += 1;
  let last = frames - 1;
  while (rms[last] < loudest * TRIM_RE_LOUDEST) last -= 1;
  return samples.subarray(first * TRIM_FRAME_SAMPLES, Math.min(samples.length, (last + 1) * TRIM_FRAME_SAMPLES));
}

/** Binary sidecar form (float32): version, trimmedSec, cell count, cells, waveform. */
export function serializeFingerprint(fp: AudioFingerprint): Uint8Array {
  const out = new Float32Array(3 + fp.cells.length + fp.waveform.length);
  out.set([SIDECAR_VERSION, fp.trimmedSec, fp.cells.length]);
  out.set(fp.cells, 3);
  out.set(fp.waveform, 3 + fp.cells.length);
  return new Uint8Array(out.buffer);
}

export function deserializeFingerprint(bytes: Uint8Array): AudioFingerprint {
  const floats = new Float32Array(bytes.slice().buffer);
  if (floats.length < 3 || floats[0] !== SIDECAR_VERSION) throw new RangeError('not a fingerprint of this version');
  const cellCount = floats[2];
  if (cellCount !== 0 && cellCount !== TIME_CELLS * BAND_CELLS) throw new RangeError(`fingerprint with ${cellCount} cells`);
  return { trimmedSec: floats[1], cells: floats.slice(3, 3 + cellCount), waveform: floats.slice(3 + cellCount) };
}

const SIDECAR_VERSION = 4;
