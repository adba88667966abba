import { AudioDecodeError } from '../errors.js';
import { decodeInterleavedToMono } from './pcm.js';
import { resample } from './resampler.js';
import { parseWavHeader, type WavFormat } from './wav-format.js';
import { SAMPLE_RATE_HZ } from './sample-rate.js';

/** The sample rate every EcoSight model and front end works at. */

/** Mono audio at a known rate. */
export interface MonoAudio {
  samples: Float32Array;
  sampleRateHz: number;
}

/** Decoded audio plus what the file originally was (for logs and sidecars). */
export interface DecodedWav extends MonoAudio {
  original: Pick<WavFormat, 'sampleRateHz' | 'channels' | 'encoding'>;
  durationSec: number;
}

/**
 * Decodes a complete WAV file held in memory into 16 kHz mono float32.
 * Throws AudioDecodeError (never anything else) for bad input.
 */
export function decodeWav(bytes: Uint8Array, targetRateHz = SAMPLE_RATE_HZ): DecodedWav {
  try {
    const format = parseWavHeader(bytes, bytes.byteLength);
    const data = bytes.subarray(format.dataOffset, format.dataOffset + format.dataBytes);
    const mono = decodeInterleavedToMono(data, format.encoding, format.channels);
    const samples = resample(mono, format.sampleRateHz, targetRateHz);
    return {
      samples,
      sampleRateHz: targetRateHz,
      original: { sampleRateHz: format.sampleRateHz, channels: format.channels, encoding: format.encoding },
      durationSec: mono.length / format.sampleRateHz,
    };
  } catch (err) {
    if (err instanceof AudioDecodeError) throw err;
    throw new AudioDecodeError(`cannot decode WAV: ${(err as Error).message}`, { cause: err });
  }
}
