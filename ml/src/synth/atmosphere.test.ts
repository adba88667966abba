import { describe, expect, it } from 'vitest';
import { airAbsorptionDbPerM, speedOfSoundMps, STANDARD_ATMOSPHERE } from './atmosphere.js';
import { foliageAttenuationDb, foliageDbPer100m } from './foliage.js';

/**
 * ISO 9613-2:1996 Table 2 (computed from ISO 9613-1 at the exact octave
 * midbands 1000 * 10^(0.3 k), printed to 0.1 dB/km): temperature degC, RH %,
 * alpha in dB/km at 63 Hz .. 8 kHz.
 */
const TABLE_2: [number, number, number[]][] = [
  [10, 70, [0.1, 0.4, 1.0, 1.9, 3.7, 9.7, 32.8, 117]],
  [20, 70, [0.1, 0.3, 1.1, 2.8, 5.0, 9.0, 22.9, 76.6]],
  [30, 70, [0.1, 0.3, 1.0, 3.1, 7.4, 12.7, 23.1, 59.3]],
  [15, 20, [0.3, 0.6, 1.2, 2.7, 8.2, 28.2, 88.8, 202]],
  [15, 50, [0.1, 0.5, 1.2, 2.2, 4.2, 10.8, 36.2, 129]],
  [15, 80, [0.1, 0.3, 1.1, 2.4, 4.1, 8.3, 23.7, 82.8]],
];

describe('ISO 9613-1 air absorption', () => {
  it.each(TABLE_2)('matches the published table at %i degC, %i %% RH', (temperatureC, relativeHumidityPct, table) => {
    const atm = { temperatureC, relativeHumidityPct, pressureKpa: 101.325 };
    table.forEach((expected, i) => {
      const f = 1000 * 10 ** (0.3 * (i - 4));
      const got = airAbsorptionDbPerM(f, atm) * 1000;
      // The table is rounded to 0.1 dB/km (3 significant digits above 100).
      expect(Math.abs(got - expected)).toBeLessThanOrEqual(0.05 + 0.005 * expected);
    });
  });

  it('gives about 5 dB/km at 1 kHz and 23 dB/km at 4 kHz in the default atmosphere', () => {
    expect(airAbsorptionDbPerM(1000) * 1000).toBeCloseTo(4.98, 1);
    expect(airAbsorptionDbPerM(4000) * 1000).toBeCloseTo(22.9, 0);
    expect(airAbsorptionDbPerM(4000, STANDARD_ATMOSPHERE)).toBe(airAbsorptionDbPerM(4000));
  });

  it('rises monotonically with frequency and falls with pressure-scaled relaxation', () => {
    let previous = 0;
    for (let f = 50; f <= 8000; f *= 1.1) {
      const a = airAbsorptionDbPerM(f);
      expect(a).toBeGreaterThan(previous);
      previous = a;
    }
  });

  it('knows the speed of sound', () => {
    expect(speedOfSoundMps(0)).toBeCloseTo(331.3, 5);
    expect(speedOfSoundMps(20)).toBeCloseTo(343.2, 0);
  });
});

describe('foliage attenuation', () => {
  it('is 6 dB at 250 Hz and 16 dB at 4 kHz per 100 m, log-linear between', () => {
    expect(foliageDbPer100m(250)).toBeCloseTo(6, 10);
    expect(foliageDbPer100m(4000)).toBeCloseTo(16, 10);
    expect(foliageDbPer100m(1000)).toBeCloseTo(11, 10); // two octaves of four
    expect(foliageDbPer100m(500)).toBeCloseTo(8.5, 10);
  });

  it('scales with the path and is never negative', () => {
    expect(foliageAttenuationDb(4000, 50)).toBeCloseTo(8, 10);
    expect(foliageAttenuationDb(250, 200)).toBeCloseTo(12, 10);
    expect(foliageAttenuationDb(20, 100)).toBe(0);
    expect(foliageAttenuationDb(0, 100)).toBe(0);
    expect(foliageAttenuationDb(1000, -5)).toBe(0);
  });
});
