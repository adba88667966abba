import FFT from 'fft.js';
import { applyMel, buildMelFilterbank, type MelFilterbank } from './mel-filterbank.js';
import { geometryOf, YAMNET_FRONT_END, type FrontEndGeometry, type FrontEndParams } from './params.js';

/**
 * Log-mel spectrogram front end (YAMNet parameters by default), in plain
 * TypeScript on fft.js so it runs identically on the station and in the cloud.
 * One instance owns its scratch buffers: not safe to share across concurrent users.
 */
export class LogMelFrontEnd {
  readonly params: Readonly<FrontEndParams>;
  readonly geometry: FrontEndGeometry;
  private readonly fft: FFT;
  private readonly window: Float32Array;
  private readonly filterbank: MelFilterbank;
  private readonly frameIn: Float64Array;
  private readonly spectrum: Float64Array;
  private readonly magnitude: Float64Array;

  constructor(params: Readonly<FrontEndParams> = YAMNET_FRONT_END) {
    this.params = params;
    this.geometry = geometryOf(params);
    this.fft = new FFT(params.fftLength);
    this.window = periodicHann(this.geometry.windowSamples);
    this.filterbank = buildMelFilterbank(
      params.melBands, this.geometry.spectrumBins, params.sampleRateHz, params.melMinHz, params.melMaxHz,
    );
    this.frameIn = new Float64Array(params.fftLength);
    this.spectrum = new Float64Array(params.fftLength * 2);
    this.magnitude = new Float64Array(this.geometry.spectrumBins);
  }

  /** Number of complete STFT frames in `sampleCount` samples (no padding, as tf.signal.stft). */
  frameCount(sampleCount: number): number {
    const { windowSamples, hopSamples } = this.geometry;
    return sampleCount < windowSamples ? 0 : 1 + Math.floor((sampleCount - windowSamples) / hopSamples);
  }

  /** Computes the log-mel frame whose window starts at `start`, into out[outOffset .. +melBands). */
  frameAt(signal: Float32Array, start: number, out: Float32Array, outOffset: number): void {
    const n = this.geometry.windowSamples;
    const buf = this.frameIn;
    for (let i = 0; i < n; i++) buf[i] = signal[start + i] * this.window[i];
    // frameIn beyond the window stays zero: the frame is zero-padded to fftLength.
    this.fft.realTransform(this.spectrum, buf);
    const spec = this.spectrum;
    const mag = this.magnitude;
    for (let k = 0; k < mag.length; k++) {
      const re = spec[2 * k];
      const im = spec[2 * k + 1];
      mag[k] = Math.sqrt(re * re + im * im);
    }
    applyMel(this.filterbank, mag, out, outOffset);
    const bands = this.params.melBands;
    const offset = this.params.logOffset;
    for (let b = 0; b < bands; b++) out[outOffset + b] = Math.log(out[outOffset + b] + offset);
  }

  /** Log-mel spectrogram of a whole signal: frames x melBands, row-major. */
  spectrogram(signal: Float32Array): { data: Float32Array; frames: number } {
    const frames = this.frameCount(signal.length);
    const bands = this.params.melBands;
    const data = new Float32Array(frames * bands);
    for (let f = 0; f < frames; f++) this.frameAt(signal, f * this.geometry.hopSamples, data, f * bands);
    return { data, frames };
  }

  /**
   * Patches of patchFrames x melBands from a whole signal, hop patchHopFrames.
   * A signal shorter than one patch is zero-padded to one patch (as YAMNet pads),
   * so every clip yields at least one patch.
   */
  patches(signal: Float32Array): Float32Array[] {
    const { patchSamples } = this.geometry;
    const padded = signal.length < patchSamples ? padTo(signal, patchSamples) : signal;
    const { data, frames } = this.spectrogram(padded);
    const { patchFrames, melBands } = this.params;
    const size = patchFrames * melBands;
    const out: Float32Array[] = [];
    for (let f = 0; f + patchFrames <= frames; f += this.geometry.patchHopFrames) {
      out.push(data.slice(f * melBands, f * melBands + size));
    }
    return out;
  }
}

/** Periodic Hann (as tf.signal.hann_window(periodic=True)). */
export function periodicHann(length: number): Float32Array {
  const w = new Float32Array(length);
  for (let n = 0; n < length; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / length);
  return w;
}

function padTo(signal: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  out.set(signal);
  return out;
}
