import { createRandom } from '#shared/util/random.js';
import { colouredNoise, NOISE_COLOURS, scaleToRms, type NoiseColour } from './coloured-noise.js';

const RATE = 16000;
/** Levels the check covers, dBFS RMS (issue 12: -70 to -20). */
export const STATIONARY_LEVELS_DBFS: readonly number[] = [-70, -55, -40, -20];

export interface StationaryResult {
  noise: string;
  levelDbfs: number;
  minutes: number;
  alarms: number;
}

/** Counts a detector's gunshot alarms over a signal. */
export type AlarmCounter = (samples: Float32Array) => number;

/**
 * Stationary noise of every colour (white, pink, brown, plus any recordings
 * given, e.g. real wind, rain and stream from the training packages, looped)
 * at each level, `minutes` long: the alarms a detector raises on each. A
 * gunshot detector should raise none.
 */
export function stationaryNoiseCheck(count: AlarmCounter, o: { minutes?: number; levels?: readonly number[]; colours?: readonly NoiseColour[]; recordings?: { name: string; samples: Float32Array }[] } = {}): StationaryResult[] {
  const minutes = o.minutes ?? 10;
  const length = Math.round(minutes * 60 * RATE);
  const out: StationaryResult[] = [];
  for (const levelDbfs of o.levels ?? STATIONARY_LEVELS_DBFS) {
    for (const colour of o.colours ?? NOISE_COLOURS) {
      const x = colouredNoise(colour, length, levelDbfs, createRandom(`stationary/${colour}/${levelDbfs}`));
      out.push({ noise: colour, levelDbfs, minutes, alarms: count(x) });
    }
    for (const r of o.recordings ?? []) {
      out.push({ noise: r.name, levelDbfs, minutes, alarms: count(scaleToRms(looped(r.samples, length), 10 ** (levelDbfs / 20))) });
    }
  }
  return out;
}

/** The recording repeated to `length` samples, with 0.5 s cross-fades so the joins are not onsets. */
export function looped(x: Float32Array, length: number): Float32Array {
  const fade = Math.min(8000, Math.floor(x.length / 4));
  const out = new Float32Array(length);
  let at = 0;
  while (at < length && x.length > 0) {
    for (let i = 0; i < x.length && at + i < length; i++) {
      const edge = Math.min(i, x.length - 1 - i);
      const g = at > 0 && edge < fade ? 0.5 - 0.5 * Math.cos((Math.PI * edge) / fade) : 1;
      out[at + i] += x[i] * g;
    }
    at += x.length - fade;
  }
  return out;
}
