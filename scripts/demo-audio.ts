import { pinkNoise, simulateField, type FieldShot, type FieldStation } from '#ml/field/index.js';
import { createRandom } from '#shared/util/random.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';

/**
 * The demo's sound, made deterministically at start-up (nothing is downloaded):
 * the shots of a one-minute loop as each demo station hears them (the field
 * simulator: spreading, absorption, foliage, ground, forest reverb, the delay of
 * distance / c and each station's clock offset), and for every recorder file a
 * fresh bed of pink noise with bird-like chirps (and a passing engine at one
 * station), so no two files are alike.
 */

/** Length of the shot loop, s: the demo's shots repeat every minute. */
export const DEMO_LOOP_SEC = 60;
/** Microphone full scale, Pa (as in the field simulator). */
const FULL_SCALE_PA = 20;
/** Quiet forest floor, Pa RMS (40 dB SPL). */
const BACKGROUND_PA_RMS = 0.002;
/** A rifle: 4000 Pa at 1 m, 4 ms positive phase. */
const RIFLE = { peakPaAt1m: 4000, positivePhaseSec: 4e-3, decayB: 1.5 };

/**
 * Three incidents a minute, each shot inside the stations' triangle (100-250 m
 * from every station) and 4-5 s into its 10 s recorder file, so no file boundary
 * cuts one. Single shots: in a burst the stations' shot counters still take
 * reverb flutter for shots, and the burst alignment can then pair different shots.
 */
export const DEMO_SHOTS: readonly FieldShot[] = [
  { eastM: 60, northM: 40, timeSec: 4, blast: RIFLE },
  { eastM: -50, northM: -30, timeSec: 24, blast: RIFLE },
  { eastM: 20, northM: -70, timeSec: 44, blast: RIFLE },
];

/** Each station's shots over the loop, full scale = 20 Pa, without background. */
export function demoShotLoops(stations: readonly FieldStation[], seed = 2026): Map<string, Float32Array> {
  const quiet = stations.map((s) => ({ ...s, backgroundPaRms: 0 }));
  const recordings = simulateField(quiet, DEMO_SHOTS, { durationSec: DEMO_LOOP_SEC }, createRandom(seed));
  return new Map(recordings.map((r) => [r.station.id, r.samples]));
}

/**
 * One recorder file's audio: the loop's shots from `startSec` (modulo the loop)
 * over a background drawn from `seed` (the file's own start time and station).
 */
export function demoFileAudio(shots: Float32Array, startSec: number, lengthSec: number, seed: string, engine: boolean): Float32Array {
  const n = Math.round(lengthSec * SAMPLE_RATE_HZ);
  const rand = createRandom(seed);
  const bed = pinkNoise(n, BACKGROUND_PA_RMS, rand);
  const out = new Float32Array(n);
  const loopStart = loopSampleAt(startSec);
  for (let i = 0; i < n; i++) out[i] = bed[i] / FULL_SCALE_PA + shots[(loopStart + i) % shots.length];
  addChirps(out, () => rand.next());
  if (engine) addEngine(out, 1, lengthSec - 2);
  return out;
}

/** Where in the shot loop a file starting at `startSec` begins, sample index. */
function loopSampleAt(startSec: number): number {
  return Math.round((((startSec % DEMO_LOOP_SEC) + DEMO_LOOP_SEC) % DEMO_LOOP_SEC) * SAMPLE_RATE_HZ);
}

/**
 * The arrival of the shot a recorder file holds, sample index in the file (-1
 * when it holds none): the first sample of the noiseless loop in the file
 * above 1 % of its peak there, where the shot leaves the forest's floor.
 */
export function shotArrivalIn(shots: Float32Array, startSec: number, lengthSec: number): number {
  const n = Math.round(lengthSec * SAMPLE_RATE_HZ);
  const loopStart = loopSampleAt(startSec);
  const at = (i: number) => Math.abs(shots[(loopStart + i) % shots.length]);
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, at(i));
  for (let i = 0; i < n; i++) if (peak > 0 && at(i) > 0.01 * peak) return i;
  return -1;
}

function addChirps(out: Float32Array, next: () => number): void {
  for (let t = 0.5 + next() * 2; t < out.length / SAMPLE_RATE_HZ - 0.5; t += 2 + next() * 4) {
    const f0 = 2500 + next() * 2000;
    const n = Math.round((0.08 + next() * 0.1) * SAMPLE_RATE_HZ);
    const start = Math.round(t * SAMPLE_RATE_HZ);
    let phase = 0;
    for (let i = 0; i < n && start + i < out.length; i++) {
      const f = f0 + 1500 * Math.sin((Math.PI * i) / n);
      phase += (2 * Math.PI * f) / SAMPLE_RATE_HZ;
      out[start + i] += 0.02 * Math.sin(phase) * Math.sin((Math.PI * i) / n);
    }
  }
}

function addEngine(out: Float32Array, atSec: number, durationSec: number): void {
  const start = Math.round(atSec * SAMPLE_RATE_HZ);
  const n = Math.round(durationSec * SAMPLE_RATE_HZ);
  for (let i = 0; i < n && start + i < out.length; i++) {
    const t = i / SAMPLE_RATE_HZ;
    const env = Math.sin((Math.PI * i) / n) ** 2;
    const f = 45 + 10 * Math.sin(t * 0.8);
    let s = 0;
    for (let h = 1; h <= 12; h++) s += Math.sin(2 * Math.PI * f * h * t) / h;
    out[start + i] += 0.03 * env * s;
  }
}
