import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { impulseTrain, whiteNoise } from '#testkit/signals.js';

/** Loud noise (mean log-mel about +1.6): the tiny model calls it gunshot. */
export function loudWav(seconds = 1.5, seed = 7): Uint8Array {
  return encodeWav16(whiteNoise(seconds, 0.3, seed), 16000);
}

/** Quiet noise (mean log-mel about -4.6): the tiny model calls it background. */
export function quietWav(seconds = 1.5, seed = 1): Uint8Array {
  return encodeWav16(whiteNoise(seconds, 0.0005, seed), 16000);
}

/** Clicks over quiet noise (an impulsive confuser: stage 1 triggers on every click; the tiny window model calls it background). */
export function clicksWav(seconds = 1.5, seed = 3): Uint8Array {
  const x = impulseTrain(seconds, 0.3, 16000, 0.3, seed);
  const floor = whiteNoise(seconds, 0.0005, seed);
  for (let i = 0; i < x.length; i++) x[i] += floor[i];
  return encodeWav16(x, 16000);
}
