import type { Random } from '#shared/util/random.js';
import { SOURCE_RATE_HZ } from './source.js';

/**
 * Impulsive sources that are not gunshots, at 96 kHz, peak 1: what a forest
 * (and a game's sound library) serves with a sharp onset. Rendered through
 * the gunshot synthesizer's propagation, ground and reverb (`sourceOf` in
 * gunshot.ts), they differ from a modelled shot only in the source: no
 * Friedlander blast (a 3-5 ms positive phase behind a shock), but
 * - `impact`: a contact pulse (0.2-3 ms) exciting a few resonant modes (a lid,
 *   a door, a branch, a hammer on metal);
 * - `tonal`: a harmonic note with a quick attack (a call, a plucked or struck
 *   note, a frog);
 * - `clicks`: a run of short resonant clicks (bubbles, crackle, a ratchet, a
 *   turning wheel);
 * - `thud`: a low-passed noise burst (a footstep, a soft fall);
 * - `burst`: a broadband noise burst with a sharp attack (a splash, a crash,
 *   breaking glass).
 */
export type ConfuserKind = 'impact' | 'tonal' | 'clicks' | 'thud' | 'burst';

export const CONFUSER_KINDS: readonly ConfuserKind[] = ['impact', 'tonal', 'clicks', 'thud', 'burst'];

/** Longest source, s: the synthesizer's per-shot filter is 0.51 s long. */
const MAX_SOURCE_SEC = 0.3;

/** One source of the given kind (parameters drawn from `rand`). */
export function confuserSource(kind: ConfuserKind, rand: Random): Float32Array {
  const x = new Float32Array(Math.round(MAX_SOURCE_SEC * SOURCE_RATE_HZ));
  RENDER[kind](x, rand);
  return normalised(x);
}

const RENDER: Record<ConfuserKind, (x: Float32Array, r: Random) => void> = {
  impact(x, r) {
    const contactSec = r.logUniform(0.2e-3, 3e-3);
    const modes = r.int(2, 11);
    for (let m = 0; m < modes; m++) {
      addMode(x, r.logUniform(80, 6000), r.logUniform(3e-3, 0.2), r.logUniform(0.1, 1), r.uniform(0, 2 * Math.PI), contactSec);
    }
    // The contact itself: a half-sine pulse.
    const n = Math.max(1, Math.round(contactSec * SOURCE_RATE_HZ));
    const level = r.uniform(0, 2);
    for (let i = 0; i < n && i < x.length; i++) x[i] += level * Math.sin((Math.PI * i) / n);
  },
  tonal(x, r) {
    const f0 = r.logUniform(80, 1500);
    const harmonics = r.int(1, 11);
    const tilt = r.uniform(0.5, 2);
    const attackSec = r.logUniform(0.3e-3, 20e-3);
    const decaySec = r.logUniform(0.02, 0.4);
    const glide = r.uniform(-0.2, 0.2);
    for (let h = 1; h <= harmonics && h * f0 < 20_000; h++) {
      const amp = h ** -tilt;
      let phase = r.uniform(0, 2 * Math.PI);
      for (let i = 0; i < x.length; i++) {
        const t = i / SOURCE_RATE_HZ;
        phase += (2 * Math.PI * h * f0 * (1 + (glide * t) / MAX_SOURCE_SEC)) / SOURCE_RATE_HZ;
        x[i] += amp * Math.sin(phase) * envelope(t, attackSec, decaySec);
      }
    }
  },
  clicks(x, r) {
    const clicks = r.int(2, 11);
    const meanGapSec = r.uniform(0.01, 0.06);
    let t = 0;
    for (let c = 0; c < clicks && t < MAX_SOURCE_SEC - 0.01; c++) {
      const start = Math.round(t * SOURCE_RATE_HZ);
      addMode(x.subarray(start), r.logUniform(300, 5000), r.logUniform(0.5e-3, 5e-3), r.logUniform(0.2, 1) * (r.chance(0.5) ? 1 : -1), 0, 0.1e-3);
      t += -meanGapSec * Math.log(1 - r.next() * 0.999);
    }
  },
  thud(x, r) {
    noiseBurst(x, r, r.logUniform(0.5e-3, 5e-3), r.logUniform(5e-3, 0.06), r.logUniform(200, 3000));
  },
  burst(x, r) {
    noiseBurst(x, r, r.logUniform(0.1e-3, 2e-3), r.logUniform(0.02, 0.3), r.logUniform(3000, 20_000));
  },
};

/** Adds a decaying sinusoid, its rise spread over `riseSec` (a longer contact excites it more softly). */
function addMode(x: Float32Array, freqHz: number, decaySec: number, amp: number, phase: number, riseSec: number): void {
  const w = (2 * Math.PI * freqHz) / SOURCE_RATE_HZ;
  const end = Math.min(x.length, Math.ceil(decaySec * 10 * SOURCE_RATE_HZ));
  for (let i = 0; i < end; i++) {
    const t = i / SOURCE_RATE_HZ;
    x[i] += amp * Math.sin(w * i + phase) * envelope(t, riseSec, decaySec);
  }
}

/** White noise under an attack/decay envelope, through a one-pole low-pass at `cutoffHz`. */
function noiseBurst(x: Float32Array, r: Random, attackSec: number, decaySec: number, cutoffHz: number): void {
  const a = Math.exp((-2 * Math.PI * cutoffHz) / SOURCE_RATE_HZ);
  let y = 0;
  for (let i = 0; i < x.length; i++) {
    y = (1 - a) * r.uniform(-1, 1) + a * y;
    x[i] += y * envelope(i / SOURCE_RATE_HZ, attackSec, decaySec);
  }
}

/** A raised-cosine rise over `attackSec`, then an exponential decay with time constant `decaySec`. */
function envelope(t: number, attackSec: number, decaySec: number): number {
  const rise = t < attackSec ? 0.5 - 0.5 * Math.cos((Math.PI * t) / attackSec) : 1;
  return rise * Math.exp(-t / decaySec);
}

function normalised(x: Float32Array): Float32Array {
  let peak = 0;
  for (let i = 0; i < x.length; i++) peak = Math.max(peak, Math.abs(x[i]));
  if (peak > 0) for (let i = 0; i < x.length; i++) x[i] /= peak;
  // Fade the cut end: the source stops at MAX_SOURCE_SEC, the sound need not have.
  const fade = Math.round(0.01 * SOURCE_RATE_HZ);
  for (let i = 0; i < fade; i++) x[x.length - 1 - i] *= i / fade;
  return x;
}
