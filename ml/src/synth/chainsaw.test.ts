import { describe, expect, it } from 'vitest';
import { createRandom } from '#shared/util/random.js';
import { bandEnergy } from '#testkit/spectral-measures.js';
import { STANDARD_ATMOSPHERE } from './atmosphere.js';
import { synthesizeChainsaw, type ChainsawParams } from './chainsaw.js';
import { drawInSplit, randomChainsawParams, randomChainsawSource } from './chainsaw-params.js';
import { chainsawSource, type ChainsawSourceParams } from './chainsaw-source.js';
import type { ThrottleStep } from './chainsaw-throttle.js';
import { propagationGain } from './propagation.js';
import { realSpectrum } from './spectral.js';

const RATE = 16000;

/** A saw with a quiet chain and cut, so the exhaust's harmonics stand clear of the noise. */
function saw(overrides: Partial<ChainsawSourceParams['engine']> = {}): ChainsawSourceParams {
  const base = randomChainsawSource(createRandom('test-saw'), 'any');
  return {
    ...base,
    engine: { ...base.engine, idleRpm: 3000, maxRpm: 12_000, cutLoad: 0.8, cutLoadSd: 0, sagAtFullLoad: 0.3, ...overrides },
    cycleJitter: 0.01,
    misfireAtIdle: 0,
    chainLevelDb: -60,
    cutLevelDb: -60,
  };
}

/** Power spectrum of `x` (zero-padded to 65536: 0.24 Hz bins). */
function powerSpectrum(x: Float32Array): { power: Float64Array; binHz: number } {
  const n = 65536;
  const spec = realSpectrum(x, n);
  const power = new Float64Array(n / 2);
  for (let k = 0; k < n / 2; k++) power[k] = spec[2 * k] ** 2 + spec[2 * k + 1] ** 2;
  return { power, binHz: RATE / n };
}

/** Frequency of the strongest bin in [loHz, hiHz], refined by a parabola through its neighbours. */
function peakHz(s: { power: Float64Array; binHz: number }, loHz: number, hiHz: number): number {
  let best = Math.ceil(loHz / s.binHz);
  for (let k = best; k <= Math.floor(hiHz / s.binHz); k++) if (s.power[k] > s.power[best]) best = k;
  const [a, b, c] = [s.power[best - 1], s.power[best], s.power[best + 1]].map((v) => Math.log(v + 1e-30));
  const shift = (0.5 * (a - c)) / (a - 2 * b + c);
  return (best + shift) * s.binHz;
}

function segment(x: Float32Array, fromSec: number, toSec: number): Float32Array {
  return x.slice(Math.round(fromSec * RATE), Math.round(toSec * RATE));
}

describe('chainsaw source', () => {
  it.each([
    ['idle', 3000],
    ['wide open', 12_000],
    ['wide open, fast saw', 13_500],
  ])('%s: fundamental = rpm / 60 within 1 %, harmonics spaced by it', (_name, rpm) => {
    const kind = rpm > 5000 ? 'rev' : 'idle';
    const program: ThrottleStep[] = [{ kind, durationSec: 3 }];
    const src = chainsawSource(saw({ maxRpm: rpm, idleRpm: rpm }), program, createRandom(rpm));
    const f0 = rpm / 60;
    const s = powerSpectrum(segment(src.samples, 0.5, 3));
    expect(Math.abs(peakHz(s, 0.8 * f0, 1.2 * f0) - f0) / f0).toBeLessThan(0.01);
    // Harmonics 2..8 sit at k * f0 (within 1 %), so their mean spacing is f0 too.
    const harmonics = [1, 2, 3, 4, 5, 6, 7, 8].map((k) => peakHz(s, (k - 0.3) * f0, (k + 0.3) * f0));
    harmonics.forEach((h, i) => expect(Math.abs(h - (i + 1) * f0) / ((i + 1) * f0)).toBeLessThan(0.01));
    const spacing = (harmonics[7] - harmonics[0]) / 7;
    expect(Math.abs(spacing - f0) / f0).toBeLessThan(0.01);
  });

  it('sags under cutting load: 12,000 rpm in the air, 12,000 * (1 - 0.3 * 0.8) = 9,120 rpm in wood', () => {
    const program: ThrottleStep[] = [{ kind: 'rev', durationSec: 2.5 }, { kind: 'cut', durationSec: 3 }];
    const src = chainsawSource(saw(), program, createRandom('sag'));
    const free = peakHz(powerSpectrum(segment(src.samples, 0.5, 2.5)), 150, 250);
    const loaded = peakHz(powerSpectrum(segment(src.samples, 3.5, 5.5)), 120, 190);
    expect(Math.abs(free - 200) / 200).toBeLessThan(0.01);
    expect(Math.abs(loaded - 9120 / 60) / (9120 / 60)).toBeLessThan(0.01);
    // The engine track says the same, and the load it reports is the one asked for.
    expect(Math.abs(src.rpm[Math.round(5.4 * RATE)] - 9120) / 9120).toBeLessThan(0.01);
    expect(src.load[Math.round(5 * RATE)]).toBeCloseTo(0.8, 2);
  });

  it('revs up fast: from idle to within 10 % of top speed in under 0.6 s (rise tau 0.1 s)', () => {
    const program: ThrottleStep[] = [{ kind: 'idle', durationSec: 1 }, { kind: 'rev', durationSec: 1 }];
    const src = chainsawSource(saw({ riseTauSec: 0.1 }), program, createRandom('rev'));
    expect(src.rpm[Math.round(0.9 * RATE)]).toBeCloseTo(3000, -1);
    expect(src.rpm[Math.round(1.6 * RATE)]).toBeGreaterThan(10_800);
  });

  it('chain noise (1-8 kHz) follows engine speed: loud wide open, absent at idle (clutch out)', () => {
    const loud = { ...saw(), chainLevelDb: -6 };
    const program: ThrottleStep[] = [{ kind: 'idle', durationSec: 2 }, { kind: 'rev', durationSec: 2 }];
    const src = chainsawSource(loud, program, createRandom('chain'));
    const idle = bandEnergy(segment(src.samples, 0.5, 1.9), 3000, 7000);
    const open = bandEnergy(segment(src.samples, 2.5, 3.9), 3000, 7000);
    expect(10 * Math.log10(open / idle)).toBeGreaterThan(20);
  });

  it('is reproducible from its seed', () => {
    const p = randomChainsawParams(createRandom(7), 'train', { durationSec: 2 });
    expect(synthesizeChainsaw(p, createRandom(8)).samples).toEqual(synthesizeChainsaw(p, createRandom(8)).samples);
  });
});

describe('chainsaw propagation', () => {
  it('loses high frequencies with distance as air absorption and foliage predict (50 m vs 800 m, +/- 4 dB)', () => {
    const source = { ...saw(), chainLevelDb: -6 };
    const scene = (distanceM: number): ChainsawParams => ({
      source,
      program: [{ kind: 'rev', durationSec: 3 }],
      propagation: { distanceM, foliagePathM: Math.min(distanceM, 100), atmosphere: STANDARD_ATMOSPHERE, ground: null },
      reverb: null,
    });
    const tilt = (x: Float32Array): number => 10 * Math.log10(bandEnergy(x, 5500, 6500) / bandEnergy(x, 450, 550));
    const near = synthesizeChainsaw(scene(50), createRandom(1), { normalizePeak: null }).samples;
    const far = synthesizeChainsaw(scene(800), createRandom(1), { normalizePeak: null }).samples;
    const measured = tilt(segment(far, 0.5, 3)) - tilt(segment(near, 0.5, 3));
    const predictedTilt = (p: ChainsawParams['propagation']): number => 20 * Math.log10(propagationGain(6000, p) / propagationGain(500, p));
    const predicted = predictedTilt(scene(800).propagation) - predictedTilt(scene(50).propagation);
    expect(predicted).toBeLessThan(-20);
    expect(Math.abs(measured - predicted)).toBeLessThan(4);
  });
});

describe('chainsaw parameter split', () => {
  it('draws training and validation engines from disjoint bins', () => {
    const rand = createRandom('bins');
    for (let i = 0; i < 500; i++) {
      const t = drawInSplit(rand, 11_000, 14_000, 'train');
      const v = drawInSplit(rand, 11_000, 14_000, 'validation');
      const bin = (x: number): number => Math.floor((x - 11_000) / 600);
      expect([0, 2, 4]).toContain(bin(t));
      expect([1, 3]).toContain(bin(v));
    }
  });
});
