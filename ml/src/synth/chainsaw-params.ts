import type { Random } from '#shared/util/random.js';
import type { ChainsawParams } from './chainsaw.js';
import type { ChainsawSourceParams, MufflerResonance } from './chainsaw-source.js';
import { randomProgram, type ChainsawScene } from './chainsaw-throttle.js';
import type { GroundParams } from './ground.js';
import type { ReverbParams } from './reverb.js';

/**
 * Which part of the engine-parameter space to draw from. The ranges of the
 * parameters that make one saw sound unlike another (idle and top speed, the
 * muffler's main resonance, the exhaust pulse's width) are cut into five equal
 * bins: 'train' draws from bins 1, 3 and 5, 'validation' from bins 2 and 4, so
 * validation saws are engines the model has not heard. 'any' uses the whole range.
 */
export type ChainsawParamSplit = 'train' | 'validation' | 'any';

export interface ChainsawOverrides {
  /** Source-to-microphone distance, m. Default [20, 1000], log-uniform. */
  distanceM?: number | readonly [number, number];
  /** Default: idle 10 %, blips 10 %, rev-up 20 %, cutting 50 %, felling 10 %. */
  scene?: ChainsawScene;
  /** Scene length, s. Default [4, 10]. */
  durationSec?: number | readonly [number, number];
  /** Chance of modelling the ground reflection. Default 0.9. */
  groundProbability?: number;
  /** Chance of forest reverberation. Default 0.9. */
  reverbProbability?: number;
}

const BINS = 5;
const MAX_FOLIAGE_M = 200;

/** Draws from [lo, hi] restricted to the split's bins (log-spaced when `log`). */
export function drawInSplit(rand: Random, lo: number, hi: number, split: ChainsawParamSplit, log = false): number {
  const to = (x: number): number => (log ? Math.log(x) : x);
  const from = (y: number): number => (log ? Math.exp(y) : y);
  if (split === 'any') return from(rand.uniform(to(lo), to(hi)));
  const bins = split === 'train' ? [0, 2, 4] : [1, 3];
  const bin = rand.pick(bins);
  const width = (to(hi) - to(lo)) / BINS;
  return from(to(lo) + width * (bin + rand.next()));
}

function draw(rand: Random, value: number | readonly [number, number] | undefined, fallback: readonly [number, number], log = false): number {
  const v = value ?? fallback;
  if (typeof v === 'number') return v;
  return log ? rand.logUniform(v[0], v[1]) : rand.uniform(v[0], v[1]);
}

/** A plausible saw (engine, muffler, chain) from the split's part of the parameter space. */
export function randomChainsawSource(rand: Random, split: ChainsawParamSplit): ChainsawSourceParams {
  const maxRpm = drawInSplit(rand, 11_000, 14_000, split);
  const idleRpm = drawInSplit(rand, 2_500, 3_500, split);
  const resonances: MufflerResonance[] = [
    { freqHz: drawInSplit(rand, 150, 600, split, true), q: rand.uniform(1.5, 6), gain: rand.uniform(1, 3) },
    { freqHz: rand.logUniform(700, 1600), q: rand.uniform(2, 8), gain: rand.uniform(0.3, 1.5) },
    { freqHz: rand.logUniform(1700, 3500), q: rand.uniform(2, 8), gain: rand.uniform(0.1, 0.8) },
  ];
  return {
    engine: {
      idleRpm,
      maxRpm,
      blipRpm: rand.uniform(0.5, 0.85) * maxRpm,
      sagAtFullLoad: rand.uniform(0.2, 0.35),
      cutLoad: rand.uniform(0.5, 0.9),
      cutLoadSd: rand.uniform(0.05, 0.2),
      riseTauSec: rand.uniform(0.08, 0.2),
      fallTauSec: rand.uniform(0.2, 0.5),
      clutchRpm: rand.uniform(3_800, 4_500),
    },
    pulseTauSec: drawInSplit(rand, 0.08e-3, 0.25e-3, split, true),
    cycleJitter: rand.uniform(0.005, 0.02),
    amplitudeJitter: rand.uniform(0.05, 0.3),
    misfireAtIdle: rand.uniform(0, 0.15),
    combustionNoise: rand.uniform(0, 0.3),
    muffler: { directGain: rand.uniform(0.1, 0.6), resonances },
    chainLevelDb: rand.uniform(-14, -4),
    chainModulation: rand.uniform(0.2, 0.6),
    sprocketTeeth: rand.int(6, 9),
    cutLevelDb: rand.uniform(-10, 0),
    levelPaAt1m: rand.uniform(2, 6),
  };
}

/** A whole scene: saw, throttle program, path (20 m - 1 km), reverb. */
export function randomChainsawParams(rand: Random, split: ChainsawParamSplit, overrides: ChainsawOverrides = {}): ChainsawParams {
  const source = randomChainsawSource(rand.fork('source'), split);
  const distanceM = draw(rand, overrides.distanceM, [20, 1000], true);
  const atmosphere = { temperatureC: rand.uniform(5, 35), relativeHumidityPct: rand.uniform(30, 100), pressureKpa: rand.uniform(95, 103) };
  const ground: GroundParams | null = rand.chance(overrides.groundProbability ?? 0.9)
    ? {
      // A saw is held low to fell (0.3-1 m) or at chest height to limb.
      sourceHeightM: rand.uniform(0.3, 1.5),
      receiverHeightM: rand.uniform(1, 6),
      flowResistivityKpaSPerM2: rand.logUniform(10, 300),
      turbulenceMu2: rand.logUniform(1e-7, 1e-5),
    }
    : null;
  const reverb: ReverbParams | null = rand.chance(overrides.reverbProbability ?? 0.9)
    ? {
      t60Sec: rand.uniform(1, 3),
      drrDb: Math.min(20, Math.max(-6, rand.uniform(3, 12) - 20 * Math.log10(distanceM / 100))),
      hfDamping: rand.uniform(0.3, 0.8),
    }
    : null;
  const scene = overrides.scene ?? pickScene(rand);
  const durationSec = draw(rand, overrides.durationSec, [4, 10]);
  return {
    source,
    program: randomProgram(rand.fork('program'), scene, durationSec),
    propagation: { distanceM, foliagePathM: rand.uniform(0, Math.min(distanceM, MAX_FOLIAGE_M)), atmosphere, ground },
    reverb,
  };
}

function pickScene(rand: Random): ChainsawScene {
  const u = rand.next();
  return u < 0.1 ? 'idle' : u < 0.2 ? 'blips' : u < 0.4 ? 'rev-up' : u < 0.9 ? 'cutting' : 'felling';
}
