import { decodeClip, type DecodedClip } from '#shared/audio/decode-clip.js';
import { AudioTooLongError } from '#shared/errors.js';
import { parseWavHeader } from '#shared/audio/wav-format.js';
import { tooLarge } from '../errors.js';

/**
 * The most samples the service decodes from one file: what a file of
 * MAX_UPLOAD_MB holds as 16-bit mono at the model rate. A WAV is small on the
 * wire but not once decoded: 8-bit audio at 1 kHz grows 64-fold as 16 kHz
 * float32 (a 50 MB upload would take 3.2 GB and a minute of CPU to resample).
 */
export function maxDecodedSamples(maxUploadMb: number): number {
  return Math.floor((maxUploadMb * 1024 * 1024) / 2);
}

/**
 * Reads only the header and refuses (413) audio whose decoded length at
 * `targetRateHz` would be over `maxSamples`. A bad header is left for the
 * decoder to report (AUDIO_DECODE).
 */
export function assertDecodedSizeWithin(bytes: Uint8Array, targetRateHz: number, maxSamples: number): void {
  let frames: number;
  let rateHz: number;
  try {
    const format = parseWavHeader(bytes, bytes.byteLength);
    frames = Math.floor(format.dataBytes / format.blockAlign);
    rateHz = format.sampleRateHz;
  } catch {
    return;
  }
  const decoded = Math.ceil((frames * targetRateHz) / rateHz);
  if (decoded > maxSamples) {
    const minutes = (n: number) => (n / targetRateHz / 60).toFixed(1);
    throw tooLarge('PAYLOAD_TOO_LARGE', `the audio is ${minutes(frames * targetRateHz / rateHz)} minutes long; at most ${minutes(maxSamples)} minutes are accepted (MAX_UPLOAD_MB of 16-bit mono at ${targetRateHz} Hz)`);
  }
}

/**
 * Decodes a WAV, FLAC or Ogg Opus file (told apart by its bytes) to mono at
 * `targetRateHz`, refusing with 413 audio longer than `maxSamples`: checked from the
 * WAV header before decoding, and while decoding for the compressed codecs (a small
 * FLAC of silence can hold hours).
 */
export async function decodeAudioWithin(bytes: Uint8Array, targetRateHz: number, maxSamples: number): Promise<DecodedClip> {
  assertDecodedSizeWithin(bytes, targetRateHz, maxSamples);
  try {
    return await decodeClip(bytes, { targetRateHz, maxSamples });
  } catch (err) {
    if (err instanceof AudioTooLongError) {
      throw tooLarge('PAYLOAD_TOO_LARGE', `${err.message}; at most ${(maxSamples / targetRateHz / 60).toFixed(1)} minutes are accepted`);
    }
    throw err;
  }
}
