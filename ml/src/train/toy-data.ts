import { createRandom, type Random } from '#shared/util/random.js';
import type { LabelledClip } from './types.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';


/**
 * A small generated data set that needs no downloads: impulsive "shots"
 * (sharp broadband onsets decaying in 2-40 ms, singly or in bursts, sometimes
 * with a reverberant tail) labelled `gunshot`, against silence, steady and
 * modulated noise, tones, chirps and slow-onset noise bursts with no label.
 *
 * It is what the CI quick mode and the tests train on, and what the interim
 * model was trained on before the real data landed. It teaches "sharp
 * broadband impulse" vs "anything else", nothing about the other classes.
 */
export function toyDataset(opts: { clipsPerKind: number; seed: number; group: string; clipSec?: number }): LabelledClip[] {
  const rand = createRandom(`toy-${opts.seed}`);
  const seconds = opts.clipSec ?? 2;
  const kinds: [string, string[], (r: Random, n: number) => Float32Array][] = [
    ['shot', ['gunshot'], shots],
    ['shot-noisy', ['gunshot'], (r, n) => add(shots(r, n), steadyNoise(r, n, -50, -30))],
    ['silence', [], (r, n) => steadyNoise(r, n, -90, -70)],
    ['noise', [], (r, n) => steadyNoise(r, n, -45, -15)],
    ['wind', [], modulatedNoise],
    ['tone', [], tones],
    ['chirp', [], chirps],
    ['swell', [], slowBursts],
  ];
  const clips: LabelledClip[] = [];
  for (const [kind, labels, make] of kinds) {
    for (let i = 0; i < opts.clipsPerKind; i++) {
      const r = rand.fork(`${kind}-${i}`);
      clips.push({ id: `${opts.group}/${kind}-${i}`, samples: make(r, Math.round(seconds * SAMPLE_RATE_HZ)), labels, group: opts.group });
    }
  }
  return clips;
}

/** One or more impulsive shots: noise burst with a ~0.1 ms attack and exponential decay. */
export function shots(r: Random, n: number): Float32Array {
  const out = new Float32Array(n);
  const count = r.chance(0.4) ? r.int(2, 6) : 1;
  const gap = r.uniform(0.08, 0.6);
  let t = r.uniform(0.05, Math.max(0.06, n / SAMPLE_RATE_HZ - count * gap - 0.2));
  const amplitude = 10 ** (r.uniform(-30, -1) / 20);
  const decaySec = r.logUniform(0.002, 0.04);
  const tailSec = r.chance(0.5) ? r.uniform(0.2, 1.2) : 0;
  for (let s = 0; s < count && t < n / SAMPLE_RATE_HZ; s++, t += gap * r.uniform(0.9, 1.1)) {
    const start = Math.round(t * SAMPLE_RATE_HZ);
    const a = amplitude * r.uniform(0.7, 1);
    for (let i = start, k = 0; i < n; i++, k++) {
      const sec = k / SAMPLE_RATE_HZ;
      const env = Math.exp(-sec / decaySec) + (tailSec > 0 ? 0.05 * Math.exp(-sec / (tailSec / 6.9)) : 0);
      if (env < 1e-4) break;
      out[i] += a * env * (r.next() * 2 - 1);
    }
  }
  return out;
}

function steadyNoise(r: Random, n: number, minDb: number, maxDb: number): Float32Array {
  const a = 10 ** (r.uniform(minDb, maxDb) / 20) * Math.sqrt(3);
  const out = new Float32Array(n);
  // Mix of white and low-passed (brownish) noise so the spectra differ.
  const lowpass = r.uniform(0, 0.98);
  let y = 0;
  for (let i = 0; i < n; i++) {
    const w = r.next() * 2 - 1;
    y = lowpass * y + (1 - lowpass) * w;
    out[i] = a * (lowpass > 0.5 ? y * 3 : w);
  }
  return out;
}

function modulatedNoise(r: Random, n: number): Float32Array {
  const base = steadyNoise(r, n, -40, -15);
  const rate = r.uniform(0.2, 2);
  const phase = r.uniform(0, 2 * Math.PI);
  for (let i = 0; i < n; i++) base[i] *= 0.6 + 0.4 * Math.sin((2 * Math.PI * rate * i) / SAMPLE_RATE_HZ + phase);
  return base;
}

function tones(r: Random, n: number): Float32Array {
  const out = new Float32Array(n);
  const partials = r.int(1, 4);
  const f0 = r.logUniform(80, 3000);
  const a = 10 ** (r.uniform(-40, -6) / 20);
  for (let p = 1; p <= partials; p++) {
    for (let i = 0; i < n; i++) out[i] += (a / p) * Math.sin((2 * Math.PI * f0 * p * i) / SAMPLE_RATE_HZ);
  }
  return add(out, steadyNoise(r, n, -90, -60));
}

function chirps(r: Random, n: number): Float32Array {
  const out = new Float32Array(n);
  const a = 10 ** (r.uniform(-35, -6) / 20);
  let t = r.uniform(0, 0.3);
  while (t < n / SAMPLE_RATE_HZ - 0.2) {
    const dur = r.uniform(0.05, 0.3);
    const f1 = r.uniform(1500, 6000);
    const f2 = f1 * r.uniform(0.6, 1.6);
    const start = Math.round(t * SAMPLE_RATE_HZ);
    let phase = 0;
    for (let k = 0; k < dur * SAMPLE_RATE_HZ && start + k < n; k++) {
      const u = k / (dur * SAMPLE_RATE_HZ);
      phase += (2 * Math.PI * (f1 + (f2 - f1) * u)) / SAMPLE_RATE_HZ;
      out[start + k] += a * Math.sin(Math.PI * u) * Math.sin(phase);
    }
    t += dur + r.uniform(0.05, 0.5);
  }
  return add(out, steadyNoise(r, n, -90, -55));
}

/** Noise bursts with slow (30-300 ms) attacks: loud and broadband, but not impulsive. */
function slowBursts(r: Random, n: number): Float32Array {
  const out = steadyNoise(r, n, -90, -60);
  const a = 10 ** (r.uniform(-30, -3) / 20);
  const attack = r.uniform(0.03, 0.3);
  const hold = r.uniform(0.1, 0.8);
  const start = Math.round(r.uniform(0, 0.5) * SAMPLE_RATE_HZ);
  for (let k = 0; start + k < n; k++) {
    const sec = k / SAMPLE_RATE_HZ;
    const env = sec < attack ? sec / attack : sec < attack + hold ? 1 : Math.exp(-(sec - attack - hold) / 0.2);
    if (env < 1e-4 && sec > attack) break;
    out[start + k] += a * env * (r.next() * 2 - 1);
  }
  return out;
}

function add(a: Float32Array, b: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
  return a;
}
