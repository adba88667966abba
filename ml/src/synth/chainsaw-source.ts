import type { Random } from '#shared/util/random.js';
import { bandPassBiquad, filterBiquads, highPassBiquad, lowPassBiquad } from './biquad.js';
import { engineTrack, type EngineParams, type EngineTrack, type ThrottleStep } from './chainsaw-throttle.js';

/**
 * The sound a chainsaw makes at 1 m, at 16 kHz, from three parts:
 * - the two-stroke exhaust: one pressure pulse per revolution (so the
 *   fundamental is rpm / 60 and the pulse train carries a full harmonic
 *   series), with cycle-to-cycle jitter of period and strength, through the
 *   muffler's resonances, which shape the harmonic envelope;
 * - chain and bar: broadband noise 1-8 kHz whose level follows chain speed
 *   (engine speed once the centrifugal clutch engages), modulated at the
 *   firing rate, plus the sprocket's tooth-passing whine;
 * - the cut: wood-chip noise (300 Hz - 4.5 kHz) whose level follows load.
 */
export interface MufflerResonance {
  /** Resonance frequency, Hz (expansion chamber ~150-600 Hz, pipe modes up to ~3.5 kHz). */
  freqHz: number;
  q: number;
  /** Linear gain of this resonant path relative to the pulse. */
  gain: number;
}

export interface ChainsawSourceParams {
  engine: EngineParams;
  /** Time constant of one exhaust pulse p(t) = (t/tau) e^(1 - t/tau), s (0.08-0.25 ms). */
  pulseTauSec: number;
  /** Standard deviation of each cycle's period, as a fraction of it (0.005-0.02). */
  cycleJitter: number;
  /** Standard deviation of each pulse's strength, as a fraction (0.05-0.3). */
  amplitudeJitter: number;
  /** Chance that a firing is skipped with the throttle closed (a two-stroke "four-strokes" at idle). */
  misfireAtIdle: number;
  /** Combustion noise after each firing, relative to the pulse (0..0.3). */
  combustionNoise: number;
  muffler: { directGain: number; resonances: MufflerResonance[] };
  /** Chain/bar noise at full chain speed relative to the exhaust at full throttle, dB. */
  chainLevelDb: number;
  /** Depth of the chain noise's modulation at the firing rate, 0..1. */
  chainModulation: number;
  /** Drive sprocket teeth (6-8): the chain whine is at teeth * rpm / 60. */
  sprocketTeeth: number;
  /** Wood noise at full load relative to the exhaust at full throttle, dB. */
  cutLevelDb: number;
  /** RMS sound pressure of the exhaust at full throttle, 1 m, Pa (~2-6: 100-110 dB SPL). */
  levelPaAt1m: number;
}

export interface ChainsawSource extends EngineTrack {
  /** Pa at 1 m, 16 kHz. */
  samples: Float32Array;
}

/** Renders the source for a throttle program. */
export function chainsawSource(p: Readonly<ChainsawSourceParams>, program: readonly ThrottleStep[], rand: Random, sampleRateHz = 16000): ChainsawSource {
  const track = engineTrack(program, p.engine, rand.fork('load'), sampleRateHz);
  const exhaust = exhaustSound(p, track, rand.fork('engine'), sampleRateHz);
  // Scale: the exhaust of the same engine held wide open, unloaded, has RMS 1.
  const reference = exhaustSound(p, engineTrack([{ kind: 'rev', durationSec: 0.5 }], p.engine, rand.fork('ref-load'), sampleRateHz), rand.fork('ref'), sampleRateHz);
  const unit = 1 / Math.max(1e-12, rms(reference));
  const chain = chainSound(p, track, rand.fork('chain'), sampleRateHz);
  const cut = cutSound(p, track, rand.fork('cut'), sampleRateHz);
  const chainGain = 10 ** (p.chainLevelDb / 20);
  const cutGain = 10 ** (p.cutLevelDb / 20);
  const samples = new Float32Array(track.rpm.length);
  for (let i = 0; i < samples.length; i++) {
    samples[i] = p.levelPaAt1m * (exhaust[i] * unit + chain[i] * chainGain + cut[i] * cutGain);
  }
  return { ...track, samples };
}

/** The exhaust: a jittered pulse per revolution, through the muffler. */
export function exhaustSound(p: Readonly<ChainsawSourceParams>, track: EngineTrack, rand: Random, sampleRateHz: number): Float64Array {
  const n = track.rpm.length;
  const pulses = new Float64Array(n);
  const pulseLen = Math.ceil(12 * p.pulseTauSec * sampleRateHz);
  let phase = rand.next();
  let stretch = 1;
  let burn = 0;
  let burnDecay = 0;
  for (let i = 0; i < n; i++) {
    const inc = (track.rpm[i] / 60 / sampleRateHz) * stretch;
    phase += inc;
    if (phase >= 1) {
      phase -= 1;
      // The firing happened `phase / inc` samples before sample i.
      const onset = i - phase / inc;
      stretch = 1 / Math.max(0.5, 1 + p.cycleJitter * rand.normal());
      const open = track.throttle[i];
      if (rand.chance(p.misfireAtIdle * (1 - open))) continue;
      const amp = (0.3 + 0.7 * open) * (1 + 0.4 * track.load[i]) * Math.max(0, 1 + p.amplitudeJitter * rand.normal());
      addPulse(pulses, onset, amp, p.pulseTauSec * sampleRateHz, pulseLen);
      burn = amp * p.combustionNoise;
      burnDecay = Math.exp(-1 / (0.15 * (60 / Math.max(1, track.rpm[i])) * sampleRateHz));
    }
    pulses[i] += burn * rand.normal() * 0.1;
    burn *= burnDecay;
  }
  const { directGain, resonances } = p.muffler;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = directGain * pulses[i];
  for (const r of resonances) {
    const y = filterBiquads(pulses, [bandPassBiquad(r.freqHz, r.q, sampleRateHz)]);
    for (let i = 0; i < n; i++) out[i] += r.gain * y[i];
  }
  return out;
}

/** Adds p(t) = (t/tau) e^(1 - t/tau), t from `onset` (fractional sample), peak `amp`. */
function addPulse(x: Float64Array, onset: number, amp: number, tauSamples: number, length: number): void {
  const first = Math.ceil(onset);
  for (let j = first; j < first + length && j < x.length; j++) {
    const t = (j - onset) / tauSamples;
    x[j] += amp * t * Math.exp(1 - t);
  }
}

/** Smooth 0 -> 1 as rpm passes the clutch speed (+/- 300 rpm). */
function clutchEngagement(rpm: number, clutchRpm: number): number {
  const x = Math.min(1, Math.max(0, (rpm - clutchRpm + 300) / 600));
  return x * x * (3 - 2 * x);
}

/** Chain and bar: 1-8 kHz noise following chain speed, modulated at the firing rate, plus sprocket whine. */
function chainSound(p: Readonly<ChainsawSourceParams>, track: EngineTrack, rand: Random, sampleRateHz: number): Float64Array {
  const n = track.rpm.length;
  const white = new Float64Array(n);
  for (let i = 0; i < n; i++) white[i] = rand.normal();
  const nyquistEdge = Math.min(7000, 0.44 * sampleRateHz);
  const band = filterBiquads(white, [highPassBiquad(1000, sampleRateHz), highPassBiquad(1000, sampleRateHz), lowPassBiquad(nyquistEdge, sampleRateHz)]);
  const unit = 1 / Math.max(1e-12, rms(band));
  const out = new Float64Array(n);
  let enginePhase = 0;
  let toothPhase = rand.next();
  const maxRpm = p.engine.maxRpm;
  for (let i = 0; i < n; i++) {
    const rpm = track.rpm[i];
    enginePhase = (enginePhase + rpm / 60 / sampleRateHz) % 1;
    toothPhase = (toothPhase + (p.sprocketTeeth * rpm) / 60 / sampleRateHz) % 1;
    const speed = clutchEngagement(rpm, p.engine.clutchRpm) * Math.min(1.2, rpm / maxRpm);
    const env = speed ** 1.5 * (1 + p.chainModulation * Math.cos(2 * Math.PI * enginePhase));
    out[i] = env * (band[i] * unit + 0.3 * Math.sin(2 * Math.PI * toothPhase));
  }
  return out;
}

/** Wood noise: band noise whose level follows load (and chain speed), with a ragged chip-by-chip texture. */
function cutSound(p: Readonly<ChainsawSourceParams>, track: EngineTrack, rand: Random, sampleRateHz: number): Float64Array {
  const n = track.rpm.length;
  const white = new Float64Array(n);
  for (let i = 0; i < n; i++) white[i] = rand.normal();
  const band = filterBiquads(white, [highPassBiquad(300, sampleRateHz), lowPassBiquad(4500, sampleRateHz), lowPassBiquad(4500, sampleRateHz)]);
  const unit = 1 / Math.max(1e-12, rms(band));
  const out = new Float64Array(n);
  // Texture: a 30 Hz-wide random level wander (chips, fibres, knots).
  const a = Math.exp((-2 * Math.PI * 30) / sampleRateHz);
  let texture = 0;
  for (let i = 0; i < n; i++) {
    texture = a * texture + (1 - a) * rand.normal() * 4;
    const speed = clutchEngagement(track.rpm[i], p.engine.clutchRpm) * Math.min(1.2, track.rpm[i] / p.engine.maxRpm);
    out[i] = track.load[i] * speed * Math.max(0, 0.7 + 0.3 * texture) * band[i] * unit;
  }
  return out;
}

function rms(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, x.length));
}
