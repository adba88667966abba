import { describe, expect, it } from 'vitest';
import { faddeeva } from './faddeeva.js';
import {
  groundGain, groundGeometry, reflectionDelaySec, sphericalReflectionCoefficient, turbulenceCoherence, type GroundParams,
} from './ground.js';
import { propagationSpectrum } from './propagation.js';
import { inverseToReal } from './spectral.js';
import { STANDARD_ATMOSPHERE } from './atmosphere.js';

describe('Faddeeva function', () => {
  // Reference values: W(i) = e erfc(1); W(1) = e^-1 + 2i/sqrt(pi) Dawson(1); the rest as published for scipy.special.wofz.
  const cases: [number, number, number, number][] = [
    [0, 0, 1, 0],
    [0, 1, 0.427583576155807, 0],
    [1, 0, 0.3678794411714423, 0.6071577058413937],
    [1, 1, 0.3047442052569126, 0.2082189382028316],
    [0, 10, 0.05614099274382259, 0],
    [0, -1, 5.008980080762283, 0], // 2e - e erfc(1): the lower half plane
  ];
  it.each(cases)('W(%f + %fi)', (re, im, wre, wim) => {
    const w = faddeeva({ re, im });
    expect(w.re).toBeCloseTo(wre, 10);
    expect(w.im).toBeCloseTo(wim, 10);
  });

  it('approaches i / (sqrt(pi) z) far from the origin', () => {
    const z = { re: 40, im: 25 };
    const w = faddeeva(z);
    const d = z.re * z.re + z.im * z.im;
    // i / z = (z.im + i z.re) / |z|^2
    expect(w.re).toBeCloseTo(z.im / d / Math.sqrt(Math.PI), 5);
    expect(w.im).toBeCloseTo(z.re / d / Math.sqrt(Math.PI), 5);
  });
});

const forestFloor: GroundParams = { sourceHeightM: 1.5, receiverHeightM: 3, flowResistivityKpaSPerM2: 30, turbulenceMu2: 0 };
const hardGround: GroundParams = { ...forestFloor, flowResistivityKpaSPerM2: 2e5 };

describe('ground reflection', () => {
  it('reflects like a hard surface at low frequency (Q -> 1) and inverts at grazing incidence (Q -> -1)', () => {
    const g = groundGeometry(1000, forestFloor);
    const low = sphericalReflectionCoefficient(5, g, 30, 343);
    expect(low.re).toBeGreaterThan(0.8);
    const high = sphericalReflectionCoefficient(2000, g, 30, 343);
    expect(high.re).toBeLessThan(-0.95);
  });

  it('doubles the pressure (+6 dB) over hard ground at low frequency', () => {
    const gain = groundGain(50, 100, hardGround, 343);
    const g = groundGeometry(100, hardGround);
    expect(gain).toBeCloseTo(1 + g.directM / g.reflectedM, 2);
  });

  it('digs the soft-ground dip at long range and lets turbulence fill it', () => {
    const coherent = groundGain(500, 1000, forestFloor, 343);
    expect(20 * Math.log10(coherent)).toBeLessThan(-15);
    const turbulent = groundGain(500, 1000, { ...forestFloor, turbulenceMu2: 1e-5 }, 343);
    expect(turbulent).toBeGreaterThan(coherent * 3);
    expect(turbulenceCoherence(4000, groundGeometry(1000, forestFloor), { ...forestFloor, turbulenceMu2: 1e-5 }, 343)).toBeLessThan(0.1);
  });

  it('delays the image by the path difference', () => {
    const g = groundGeometry(20, { ...hardGround, receiverHeightM: 10 });
    expect(reflectionDelaySec(20, { ...hardGround, receiverHeightM: 10 }, 343)).toBeCloseTo((g.reflectedM - g.directM) / 343, 12);
  });

  it('shows the delayed image in the minimum-phase impulse response', () => {
    // Hard ground, high microphone: a distinct echo 1.34 m (62.6 samples at 16 kHz) behind the direct sound.
    const ground = { ...hardGround, receiverHeightM: 10 };
    const fftSize = 8192;
    const ir = inverseToReal(
      propagationSpectrum({ distanceM: 20, foliagePathM: 0, atmosphere: STANDARD_ATMOSPHERE, ground }, fftSize, 16000),
      fftSize,
    );
    const delaySamples = reflectionDelaySec(20, ground, 343.2) * 16000;
    let direct = 0;
    for (let i = 0; i < 8; i++) direct = Math.max(direct, Math.abs(ir[i]));
    let echo = 0;
    let echoAt = 0;
    for (let i = 20; i < 200; i++) {
      if (Math.abs(ir[i]) > echo) {
        echo = Math.abs(ir[i]);
        echoAt = i;
      }
    }
    expect(Math.abs(echoAt - delaySamples)).toBeLessThan(1.5);
    expect(ir[echoAt]).toBeGreaterThan(0);
    const g = groundGeometry(20, ground);
    // Same sign as the direct sound (hard ground), weighted by R1/R2 (band-limiting spreads both a little).
    expect(echo / direct).toBeGreaterThan(0.6 * (g.directM / g.reflectedM));
  });
});
