import FFT from 'fft.js';

/** Frame of the fine spectrum: 512 samples (32 ms at 16 kHz)... */
const FRAME = 512;
/** ... zero-padded to 1024 points, so that the autocorrelation at pitch lags does not wrap around. */
const FFT_SIZE = 1024;
/** Frames averaged at most per span (spread evenly over it). */
const MAX_FRAMES = 3;
/** Spans whose fine spectrum is described, ms from the onset: before it, the blast, the early and the late tail. */
const SPANS_MS: readonly [number, number][] = [[-42, -10], [0, 32], [32, 160], [160, 480]];
/** Frequencies the spectral shape is judged over, Hz. */
const LOW_HZ = 100;
const HIGH_HZ = 7000;
/** Pitch lags a periodic (voiced, musical, tonal-resonant) sound repeats at, ms: 100-400 Hz (longer lags leave too little of a 32 ms frame). */
const LAG_MS: readonly [number, number] = [2.5, 10];
/** Neighbourhood a spectral peak is compared with, bins: out to 16, leaving out a Hann main lobe (4 bins). */
const PEAK_NEIGHBOURS = 16;
const MAIN_LOBE = 4;

/** Features per span (flatness, peak prominence, periodicity). */
const PER_SPAN = 3;
export const ONSET_SPECTRUM_FEATURES = SPANS_MS.length * PER_SPAN;

/**
 * What separates a muzzle blast from the onsets that stage 2 confused with it
 * (a note of music, a frog's call, a lid closing): the fine structure of the
 * spectrum, which octave bands cannot show. A shot is noise-like (broadband,
 * flat, aperiodic); a note, a call or a struck resonant body has peaks and
 * repeats itself. For each span (the 32 ms ending 10 ms before the onset,
 * the first 32 ms, 32-160 ms and 160-480 ms after it) the power spectrum of
 * Hann-windowed 512-sample frames zero-padded to 1,024 points (up to 3 frames
 * spread over the span, averaged) gives:
 * - spectral flatness between 100 Hz and 7 kHz (geometric over arithmetic mean, dB / 30);
 * - the most prominent peak over the geometric mean of its neighbourhood
 *   (out to +-250 Hz, leaving out its own main lobe; dB / 30);
 * - periodicity: the highest normalised autocorrelation at 2.5-10 ms lags
 *   (from the same power spectrum, corrected for the window's own).
 * One instance owns its scratch buffers: not safe to share between concurrent users.
 */
export class OnsetSpectrum {
  private readonly fft = new FFT(FFT_SIZE);
  private readonly window = new Float64Array(FRAME);
  /** The window's own autocorrelation over lag 0 (a windowed steady tone's autocorrelation shrinks by this). */
  private readonly windowCorrelation = new Float64Array(FRAME);
  private readonly frame = new Float64Array(FFT_SIZE);
  private readonly complex = new Float64Array(2 * FFT_SIZE);
  private readonly power = new Float64Array(FFT_SIZE / 2 + 1);
  /** Log power per bin. */
  private readonly level = new Float64Array(FFT_SIZE / 2 + 1);
  /** Running sums of log power (logs[k + 1] - logs[a]: bins a..k). */
  private readonly logs = new Float64Array(FFT_SIZE / 2 + 2);
  private readonly even = new Float64Array(FFT_SIZE);
  private readonly lags = new Float64Array(2 * FFT_SIZE);

  constructor(private readonly sampleRateHz = 16000) {
    for (let i = 0; i < FRAME; i++) this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FRAME);
    for (let lag = 0; lag < FRAME; lag++) {
      let s = 0;
      for (let i = 0; i + lag < FRAME; i++) s += this.window[i] * this.window[i + lag];
      this.windowCorrelation[lag] = s;
    }
    const w0 = this.windowCorrelation[0];
    for (let lag = 0; lag < FRAME; lag++) this.windowCorrelation[lag] /= w0;
  }

  /** The features of the onset at `onsetIndex` in `seg` (audio outside `seg` is silence); ONSET_SPECTRUM_FEATURES values. */
  features(seg: Float32Array, onsetIndex: number): number[] {
    const out: number[] = [];
    for (const [a, b] of SPANS_MS) {
      this.spanPower(seg, onsetIndex + this.samples(a), onsetIndex + this.samples(b));
      out.push(...this.describe());
    }
    return out;
  }

  private samples(ms: number): number {
    return Math.round((ms * this.sampleRateHz) / 1000);
  }

  /** Mean power spectrum of up to MAX_FRAMES frames spread over [from, to) (at least one, starting at `from`). */
  private spanPower(seg: Float32Array, from: number, to: number): void {
    const fit = Math.max(1, Math.floor((to - from) / FRAME));
    const frames = Math.min(MAX_FRAMES, fit);
    const step = frames > 1 ? Math.floor((to - from - FRAME) / (frames - 1)) : 0;
    this.power.fill(0);
    for (let f = 0; f < frames; f++) {
      const start = from + f * step;
      for (let i = 0; i < FRAME; i++) {
        const j = start + i;
        this.frame[i] = j >= 0 && j < seg.length ? seg[j] * this.window[i] : 0;
      }
      this.fft.realTransform(this.complex, this.frame);
      for (let k = 0; k < this.power.length; k++) {
        const re = this.complex[2 * k];
        const im = this.complex[2 * k + 1];
        this.power[k] += (re * re + im * im) / frames;
      }
    }
  }

  private describe(): number[] {
    const p = this.power;
    const lo = Math.ceil((LOW_HZ * FFT_SIZE) / this.sampleRateHz);
    const hi = Math.floor((HIGH_HZ * FFT_SIZE) / this.sampleRateHz);
    const tiny = 1e-14;
    // Log power once per bin; its running sums give the flatness and every neighbourhood's mean.
    const level = this.level;
    const logs = this.logs;
    logs[lo] = 0;
    let sum = 0;
    for (let k = lo; k <= hi; k++) {
      level[k] = Math.log(p[k] + tiny);
      logs[k + 1] = logs[k] + level[k];
      sum += p[k];
    }
    const n = hi - lo + 1;
    const flatnessDb = (10 / Math.LN10) * ((logs[hi + 1] - logs[lo]) / n - Math.log(sum / n + tiny));
    // Prominence over the neighbourhood's mean log power (a geometric mean: another partial nearby barely lifts it).
    const sumLogs = (a: number, c: number) => (c > a ? logs[c] - logs[a] : 0);
    let prominence = 0;
    for (let k = lo; k <= hi; k++) {
      const a = Math.max(lo, k - PEAK_NEIGHBOURS);
      const c = Math.min(hi + 1, k + PEAK_NEIGHBOURS + 1);
      const near = Math.max(a, k - MAIN_LOBE);
      const far = Math.min(c, k + MAIN_LOBE + 1);
      const m = near - a + (c - far);
      if (m === 0) continue;
      const v = level[k] - (sumLogs(a, near) + sumLogs(far, c)) / m;
      if (v > prominence) prominence = v;
    }
    const prominenceDb = (10 / Math.LN10) * prominence;
    return [Math.max(-60, flatnessDb) / 30, Math.min(40, prominenceDb) / 30, this.periodicity()];
  }

  /** Highest autocorrelation (over lag 0) at pitch lags, from the power spectrum (Wiener-Khinchin). */
  private periodicity(): number {
    const p = this.power;
    const even = this.even;
    for (let k = 0; k < FFT_SIZE; k++) even[k] = p[k <= FFT_SIZE / 2 ? k : FFT_SIZE - k];
    // The power spectrum is real and even, so its forward transform is its inverse (times FFT_SIZE): the real FFT's half the work.
    this.fft.realTransform(this.lags, even);
    const r0 = this.lags[0];
    if (!(r0 > 1e-14)) return 0;
    let best = 0;
    for (let lag = this.samples(LAG_MS[0]); lag <= this.samples(LAG_MS[1]); lag++) {
      const r = this.lags[2 * lag] / r0 / this.windowCorrelation[lag];
      if (r > best) best = r;
    }
    return Math.min(1, best);
  }
}
