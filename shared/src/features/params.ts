import { SAMPLE_RATE_HZ } from '../audio/sample-rate.js';

/**
 * Front-end parameters. The defaults are YAMNet's published ones
 * (models/research/audioset/yamnet/params.py), so a patch here means the same
 * thing as a YAMNet input patch.
 */
export interface FrontEndParams {
  /** Sample rate of the input audio. YAMNet: 16000. */
  sampleRateHz: number;
  /** STFT window length. YAMNet: 0.025 s (400 samples, periodic Hann). */
  windowSec: number;
  /** STFT hop. YAMNet: 0.010 s (160 samples). */
  hopSec: number;
  /** FFT length: next power of two >= window (512). */
  fftLength: number;
  /** Number of mel bands. YAMNet: 64. */
  melBands: number;
  /** Lowest mel band edge. YAMNet: 125 Hz. */
  melMinHz: number;
  /** Highest mel band edge. YAMNet: 7500 Hz. */
  melMaxHz: number;
  /** Added before the log so silence maps to log(0.001). YAMNet: 0.001. */
  logOffset: number;
  /** Frames per patch. YAMNet: 96 (0.96 s). */
  patchFrames: number;
  /** Patch hop in seconds. YAMNet's default for inference: 0.48 s. */
  patchHopSec: number;
}

export const YAMNET_FRONT_END: Readonly<FrontEndParams> = Object.freeze({
  sampleRateHz: SAMPLE_RATE_HZ,
  windowSec: 0.025,
  hopSec: 0.01,
  fftLength: 512,
  melBands: 64,
  melMinHz: 125,
  melMaxHz: 7500,
  logOffset: 0.001,
  patchFrames: 96,
  patchHopSec: 0.48,
});

/** Derived sizes in samples and frames. */
export interface FrontEndGeometry {
  windowSamples: number;
  hopSamples: number;
  patchHopFrames: number;
  /** Samples covered by one patch: (patchFrames - 1) * hop + window. */
  patchSamples: number;
  /** Samples between the starts of consecutive patches. */
  patchHopSamples: number;
  spectrumBins: number;
}

export function geometryOf(p: FrontEndParams): FrontEndGeometry {
  const windowSamples = Math.round(p.windowSec * p.sampleRateHz);
  const hopSamples = Math.round(p.hopSec * p.sampleRateHz);
  const patchHopFrames = Math.max(1, Math.round(p.patchHopSec / p.hopSec));
  if (p.fftLength < windowSamples) throw new RangeError(`fftLength ${p.fftLength} is shorter than the window (${windowSamples})`);
  return {
    windowSamples,
    hopSamples,
    patchHopFrames,
    patchSamples: (p.patchFrames - 1) * hopSamples + windowSamples,
    patchHopSamples: patchHopFrames * hopSamples,
    spectrumBins: p.fftLength / 2 + 1,
  };
}
