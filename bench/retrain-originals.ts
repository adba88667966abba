import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';
import { createRandom, type Random } from '#shared/util/random.js';

/** The four classes of the seed-scale retrain benchmark (all among the shipped model's classes). */
export const BENCH_CLASSES = ['gunshot', 'vehicle', 'bird', 'rain'] as const;
export type BenchClass = (typeof BENCH_CLASSES)[number];

/** Length of every generated original (the seed's recordings were 4 s). */
export const ORIGINAL_SEC = 4;

/**
 * One generated 4 s original of `cls`, as 16-bit WAV bytes: a quiet noise floor
 * plus a crude source of the class (a decaying impulse, an engine's harmonic
 * hum, chirps, broadband patter). Not realistic audio - the benchmark measures
 * time and memory, which depend on the amount of audio, not on what it is.
 */
export function benchOriginal(cls: BenchClass, index: number): Uint8Array {
  const rand = createRandom(`retrain-bench-${cls}-${index}`);
  const n = ORIGINAL_SEC * SAMPLE_RATE_HZ;
  const x = new Float32Array(n);
  const floor = 0.002 + 0.01 * rand.next();
  for (let i = 0; i < n; i++) x[i] = floor * (rand.next() * 2 - 1);
  SOURCES[cls](x, rand);
  return encodeWav16(x, SAMPLE_RATE_HZ);
}

const SOURCES: Record<BenchClass, (x: Float32Array, rand: Random) => void> = {
  gunshot(x, rand) {
    const at = Math.floor((0.2 + 2.5 * rand.next()) * SAMPLE_RATE_HZ);
    const amp = 0.3 + 0.6 * rand.next();
    const decaySamples = (0.01 + 0.05 * rand.next()) * SAMPLE_RATE_HZ;
    for (let i = at; i < x.length && i < at + 8 * decaySamples; i++) x[i] += amp * Math.exp(-(i - at) / decaySamples) * (rand.next() * 2 - 1);
  },
  vehicle(x, rand) {
    const f0 = 40 + 100 * rand.next();
    const amp = 0.05 + 0.2 * rand.next();
    for (let i = 0; i < x.length; i++) {
      const t = i / SAMPLE_RATE_HZ;
      let s = 0;
      for (let h = 1; h <= 8; h++) s += Math.sin(2 * Math.PI * f0 * h * t) / h;
      x[i] += amp * s * (0.8 + 0.2 * Math.sin(2 * Math.PI * 0.5 * t));
    }
  },
  bird(x, rand) {
    const chirps = 2 + Math.floor(6 * rand.next());
    for (let c = 0; c < chirps; c++) {
      const start = Math.floor(rand.next() * (x.length - 4000));
      const f1 = 2000 + 3000 * rand.next();
      const f2 = f1 + (rand.next() - 0.5) * 2000;
      const len = 1000 + Math.floor(2000 * rand.next());
      let phase = 0;
      for (let i = 0; i < len; i++) {
        phase += (2 * Math.PI * (f1 + ((f2 - f1) * i) / len)) / SAMPLE_RATE_HZ;
        x[start + i] += 0.2 * Math.sin((Math.PI * i) / len) * Math.sin(phase);
      }
    }
  },
  rain(x, rand) {
    const amp = 0.02 + 0.08 * rand.next();
    for (let i = 0; i < x.length; i++) x[i] += amp * (rand.next() * 2 - 1) * (rand.next() < 0.002 ? 4 : 1);
  },
};
