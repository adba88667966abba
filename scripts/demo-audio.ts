import { createRandom } from '#shared/util/random.js';
import { mixAtSnr, randomGunshotParams, synthesizeGunshot } from '#ml/synth/index.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';


/**
 * The demo station's "bundled" recording, made deterministically at start-up
 * (nothing is downloaded): a forest-like bed of pink noise with bird-like
 * chirps, a passing engine, and physically modelled gunshots at 60-250 m,
 * about every 15 s. One minute long; the demo loops it.
 */
export function demoRecording(seconds = 60, seed = 2026): Float32Array {
  const rand = createRandom(seed);
  const out = pinkNoise(seconds * SAMPLE_RATE_HZ, 0.01, rand.next.bind(rand));
  addChirps(out, rand.next.bind(rand));
  addEngine(out, 24, 8);
  for (const [at, distanceM] of [[4, 60], [18, 150], [33, 80], [47, 250]] as const) {
    const shot = synthesizeGunshot(randomGunshotParams(rand, { distanceM, pattern: at === 4 || at === 33 ? 'automatic' : 'single', shotCount: at === 4 || at === 33 ? 5 : 1 }), rand).samples;
    const start = Math.round(at * SAMPLE_RATE_HZ);
    const bed = out.subarray(start, Math.min(out.length, start + shot.length));
    const mixed = mixAtSnr(shot.subarray(0, bed.length), bed, 24, { sampleRateHz: SAMPLE_RATE_HZ, adjust: 'signal' }).samples;
    bed.set(mixed);
  }
  return out;
}

function pinkNoise(n: number, amplitude: number, next: () => number): Float32Array {
  // Paul Kellet's economy pink filter over white noise.
  const out = new Float32Array(n);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  for (let i = 0; i < n; i++) {
    const white = next() * 2 - 1;
    b0 = 0.99765 * b0 + white * 0.099046;
    b1 = 0.963 * b1 + white * 0.2965164;
    b2 = 0.57 * b2 + white * 1.0526913;
    out[i] = (b0 + b1 + b2 + white * 0.1848) * amplitude;
  }
  return out;
}

function addChirps(out: Float32Array, next: () => number): void {
  for (let t = 1; t < out.length / SAMPLE_RATE_HZ - 1; t += 2 + next() * 4) {
    const f0 = 2500 + next() * 2000;
    const n = Math.round((0.08 + next() * 0.1) * SAMPLE_RATE_HZ);
    const start = Math.round(t * SAMPLE_RATE_HZ);
    let phase = 0;
    for (let i = 0; i < n && start + i < out.length; i++) {
      const f = f0 + 1500 * Math.sin((Math.PI * i) / n);
      phase += (2 * Math.PI * f) / SAMPLE_RATE_HZ;
      out[start + i] += 0.05 * Math.sin(phase) * Math.sin((Math.PI * i) / n);
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
    out[start + i] += 0.08 * env * s;
  }
}
