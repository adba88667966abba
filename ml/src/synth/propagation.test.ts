import { describe, expect, it } from 'vitest';
import { whiteNoise } from '#testkit/signals.js';
import { createRandom } from '#shared/util/random.js';
import { STANDARD_ATMOSPHERE } from './atmosphere.js';
import { synthesizeGunshot, type GunshotParams } from './gunshot.js';
import { excessAttenuationGain, propagationGain, simulateDistance, type PropagationParams } from './propagation.js';
import { bandEnergy } from '#testkit/spectral-measures.js';

const db = (x: number): number => 10 * Math.log10(x);

function freeField(distanceM: number, foliagePathM = 0): PropagationParams {
  return { distanceM, foliagePathM, atmosphere: STANDARD_ATMOSPHERE, ground: null };
}

function scene(distanceM: number, foliagePathM: number, ground: PropagationParams['ground'] = null): GunshotParams {
  return {
    shots: [{ fireTimeSec: 0, blast: { peakPaAt1m: 2000, positivePhaseSec: 4e-3, decayB: 1.5 } }],
    bullet: null,
    propagation: { distanceM, foliagePathM, atmosphere: STANDARD_ATMOSPHERE, ground },
    reverb: null,
    leadInSec: 0.05,
    tailSec: 0.4,
  };
}

describe('spherical spreading', () => {
  it('loses 6 dB per doubling of distance where absorption is negligible (63 Hz)', () => {
    for (const d of [25, 100, 400]) {
      const lossDb = 20 * Math.log10(propagationGain(63, freeField(d)) / propagationGain(63, freeField(2 * d)));
      expect(lossDb).toBeCloseTo(6.02, 1);
    }
  });

  it('makes a synthesized shot 6 dB quieter per doubling (free field, no foliage)', () => {
    const energy = (d: number): number => {
      const g = synthesizeGunshot(scene(d, 0), createRandom(1), { normalizePeak: null });
      return bandEnergy(g.samples, 0, 8000);
    };
    const e100 = energy(100);
    const e200 = energy(200);
    const e400 = energy(400);
    // The blast's energy sits below 500 Hz, where 100 m of air costs < 0.3 dB.
    expect(db(e100 / e200)).toBeGreaterThan(6.0);
    expect(db(e100 / e200)).toBeLessThan(6.8);
    expect(db(e200 / e400)).toBeGreaterThan(6.0);
    expect(db(e200 / e400)).toBeLessThan(7.0);
  });
});

describe('spectral tilt with distance', () => {
  const tilt = (x: Float32Array): number => db(bandEnergy(x, 2000, 8000) / bandEnergy(x, 20, 500));

  it('falls monotonically from 50 m to 1000 m (air + foliage, free field)', () => {
    const distances = [50, 100, 200, 400, 700, 1000];
    const tilts = distances.map((d) => tilt(synthesizeGunshot(scene(d, Math.min(d, 200)), createRandom(2)).samples));
    for (let i = 1; i < tilts.length; i++) expect(tilts[i]).toBeLessThan(tilts[i - 1]);
    expect(tilts[0] - tilts[tilts.length - 1]).toBeGreaterThan(30);
  });

  it('still falls overall with a ground reflection and turbulence', () => {
    const ground = { sourceHeightM: 1.5, receiverHeightM: 3, flowResistivityKpaSPerM2: 50, turbulenceMu2: 3e-6 };
    const near = tilt(synthesizeGunshot(scene(50, 50, ground), createRandom(3)).samples);
    const far = tilt(synthesizeGunshot(scene(1000, 200, ground), createRandom(3)).samples);
    expect(near - far).toBeGreaterThan(20);
  });
});

describe('simulateDistance', () => {
  const noise = whiteNoise(2, 0.3, 5);

  it('keeps the length and applies spreading plus the extra absorption and foliage', () => {
    const out = simulateDistance(noise, { fromM: 50, toM: 400, foliagePathM: 100 }, createRandom(1));
    expect(out.length).toBe(noise.length);
    for (const [lo, hi] of [[200, 300], [900, 1100], [3800, 4200]]) {
      const f = Math.sqrt(lo * hi);
      const expectedDb = 20 * Math.log10((50 / 400) * excessAttenuationGain(f, 350, 100, STANDARD_ATMOSPHERE));
      const gotDb = db(bandEnergy(out, lo, hi) / bandEnergy(noise, lo, hi));
      expect(Math.abs(gotDb - expectedDb)).toBeLessThan(1);
    }
  });

  it('can keep the level and change only the spectrum', () => {
    const out = simulateDistance(noise, { fromM: 20, toM: 40, foliagePathM: 0, spreading: false }, createRandom(1));
    expect(Math.abs(db(bandEnergy(out, 100, 400) / bandEnergy(noise, 100, 400)))).toBeLessThan(0.2);
  });

  it('tilts a recorded gunshot further the further it is moved', () => {
    const shot = synthesizeGunshot(scene(30, 0), createRandom(4)).samples;
    const tilt = (x: Float32Array): number => db(bandEnergy(x, 2000, 8000) / bandEnergy(x, 20, 500));
    const t200 = tilt(simulateDistance(shot, { fromM: 30, toM: 200 }, createRandom(9)));
    const t800 = tilt(simulateDistance(shot, { fromM: 30, toM: 800 }, createRandom(9)));
    expect(t200).toBeLessThan(tilt(shot));
    expect(t800).toBeLessThan(t200);
  });

  it('draws the foliage path from rand when not given, deterministically', () => {
    const a = simulateDistance(noise, { fromM: 20, toM: 300 }, createRandom(7));
    const b = simulateDistance(noise, { fromM: 20, toM: 300 }, createRandom(7));
    expect(a).toEqual(b);
    expect(() => simulateDistance(noise, { fromM: 300, toM: 20 }, createRandom(7))).toThrow(RangeError);
  });
});
