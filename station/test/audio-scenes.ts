import { impulseTrain, whiteNoise } from '#testkit/signals.js';

export interface SceneEvent {
  kind: 'shots' | 'steady';
  atSec: number;
  durationSec: number;
}

/**
 * Builds a 16 kHz recording: a quiet noise floor with bursts of shots (sharp
 * decaying impulses every 0.3 s) and loud steady noise (an engine-like drone,
 * faded in and out so its edges are not impulsive) at the given times.
 */
export function scene(totalSec: number, events: SceneEvent[]): Float32Array {
  const out = whiteNoise(totalSec, 0.01, 5);
  events.forEach((e, i) => {
    const part = e.kind === 'shots' ? impulseTrain(e.durationSec, 0.3, 16000, 0.9, 11 + i) : fade(whiteNoise(e.durationSec, 0.3, 21 + i), 1);
    const at = Math.round(e.atSec * 16000);
    for (let j = 0; j < part.length && at + j < out.length; j++) out[at + j] += part[j];
  });
  return out;
}

function fade(x: Float32Array, seconds: number): Float32Array {
  const n = Math.min(Math.floor(x.length / 2), Math.round(seconds * 16000));
  for (let i = 0; i < n; i++) {
    const g = (i / n) ** 2;
    x[i] *= g;
    x[x.length - 1 - i] *= g;
  }
  return x;
}
