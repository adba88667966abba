import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { whiteNoise } from '#testkit/signals.js';

/** Loud noise (mean log-mel about +1.6): the tiny model calls it gunshot. */
export function loudWav(seconds = 1.5, seed = 7): Uint8Array {
  return encodeWav16(whiteNoise(seconds, 0.3, seed), 16000);
}

/** Quiet noise (mean log-mel about -4.6): the tiny model calls it background. */
export function quietWav(seconds = 1.5, seed = 1): Uint8Array {
  return encodeWav16(whiteNoise(seconds, 0.0005, seed), 16000);
}
