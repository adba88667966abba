import type { Random } from '#shared/util/random.js';
import { chainsawSource, type ChainsawSourceParams } from './chainsaw-source.js';
import type { ThrottleStep } from './chainsaw-throttle.js';
import { SAMPLE_RATE_HZ as OUTPUT_RATE_HZ } from '#shared/audio/sample-rate.js';
import { micHighPassGain } from './gunshot.js';
import { propagationSpectrum, type PropagationParams } from './propagation.js';
import { addReverb, type ReverbParams } from './reverb.js';
import { convolve, spectrumToFir } from './spectral.js';

/**
 * A chainsaw scene at the microphone: the source (chainsaw-source.ts) driven
 * by a throttle program (chainsaw-throttle.ts), propagated with the same
 * physics as the gunshots (spreading, ISO 9613-1 absorption, foliage, ground
 * reflection, microphone low cut) and forest reverberation.
 */
export interface ChainsawParams {
  source: ChainsawSourceParams;
  program: ThrottleStep[];
  propagation: PropagationParams;
  /** Forest reverberation; null for none. */
  reverb: ReverbParams | null;
  /** Low cut of the microphone (second-order high-pass), Hz. Default 20. */
  micHighPassHz?: number;
}

export interface SynthesizedChainsaw {
  /** Mono audio at 16 kHz, as long as the program. */
  samples: Float32Array;
  sampleRateHz: typeof OUTPUT_RATE_HZ;
  /** Engine speed (rpm) and cutting load (0..1) per sample, at the source (no travel delay applied). */
  rpm: Float32Array;
  load: Float32Array;
  /** Pascals per unit of sample value (1 when normalizePeak is null). */
  paPerUnit: number;
}

/** FFT length and taps of the propagation filter (2 Hz resolution; 128 ms impulse response). */
const PATH_FFT = 8192;
const PATH_TAPS = 2048;

/**
 * Renders a chainsaw scene at 16 kHz. The travel delay is left out (the scene
 * is continuous; only the path's filtering matters). `normalizePeak` as for
 * gunshots: default 0.5, null keeps pascals.
 */
export function synthesizeChainsaw(params: Readonly<ChainsawParams>, rand: Random, options: { normalizePeak?: number | null } = {}): SynthesizedChainsaw {
  const src = chainsawSource(params.source, params.program, rand.fork('source'), OUTPUT_RATE_HZ);
  const mic = (f: number): number => micHighPassGain(f, params.micHighPassHz ?? 20);
  const fir = spectrumToFir(propagationSpectrum(params.propagation, PATH_FFT, OUTPUT_RATE_HZ, mic), PATH_FFT, PATH_TAPS);
  let samples = convolve(src.samples, fir, src.samples.length);
  if (params.reverb) samples = addReverb(samples, params.reverb, rand.fork('reverb'), { sampleRateHz: OUTPUT_RATE_HZ });
  const target = options.normalizePeak === undefined ? 0.5 : options.normalizePeak;
  let paPerUnit = 1;
  if (target !== null) {
    let max = 0;
    for (let i = 0; i < samples.length; i++) max = Math.max(max, Math.abs(samples[i]));
    if (max > 0) {
      const g = target / max;
      for (let i = 0; i < samples.length; i++) samples[i] *= g;
      paPerUnit = 1 / g;
    }
  }
  return { samples, sampleRateHz: OUTPUT_RATE_HZ, rpm: src.rpm, load: src.load, paPerUnit };
}
