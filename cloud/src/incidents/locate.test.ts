import { describe, expect, it } from 'vitest';
import { createRandom } from '#shared/util/random.js';
import { convexHull, insideHull, spreadRatio } from './geometry.js';
import { locateSource, type LocateStation } from './locate.js';

const C = 343;
/** Five stations ~450 m apart around a square with one in the middle... and a sixth to the east. */
const LAYOUT = [[0, 0], [450, 0], [450, 450], [0, 450], [225, 225], [700, 200]] as const;

function observe(source: { x: number; y: number }, layout: ReadonlyArray<readonly [number, number]>, noiseMs = 0, seed = 1, clockErrorMs = 1): LocateStation[] {
  const rand = createRandom(seed);
  return layout.map(([x, y], i) => ({
    id: `st-${i}`, eastM: x, northM: y, upM: 0, clockErrorMs,
    onsetSec: 10 + Math.hypot(source.x - x, source.y - y) / C + rand.normal(0, noiseMs / 1000),
  }));
}

describe('locateSource', () => {
  it('recovers an exact source to the millimetre, wherever the solver starts', () => {
    for (const source of [{ x: 120, y: 300 }, { x: 400, y: 60 }, { x: 225, y: 225 }]) {
      const r = locateSource(observe(source, LAYOUT), { speedOfSoundMps: C });
      expect(r?.kind).toBe('point');
      expect(Math.hypot((r?.eastM ?? 0) - source.x, (r?.northM ?? 0) - source.y)).toBeLessThan(0.01);
      expect(r?.rmsResidualMs).toBeLessThan(0.001);
      expect(r?.flags).toEqual([]);
    }
  });

  it('works with three stations', () => {
    const r = locateSource(observe({ x: 200, y: 150 }, LAYOUT.slice(0, 3)), { speedOfSoundMps: C });
    expect(Math.hypot((r?.eastM ?? 0) - 200, (r?.northM ?? 0) - 150)).toBeLessThan(0.05);
  });

  it('with 1 ms clock noise stays within a metre or two, and the ellipse matches the scatter of the errors', () => {
    // Just outside the north edge: the ellipse is long (range poorly known), so its axes matter.
    const source = { x: 300, y: 560 };
    const trials = 300;
    const errors: Array<{ ex: number; ey: number }> = [];
    let ellipse: { semiMajorM: number; semiMinorM: number; orientationDeg: number } | null = null;
    for (let seed = 0; seed < trials; seed++) {
      const r = locateSource(observe(source, LAYOUT, 1, seed), { speedOfSoundMps: C, onsetErrorMs: 0 });
      if (!r?.ellipse) throw new Error('no ellipse');
      ellipse ??= r.ellipse;
      errors.push({ ex: r.eastM - source.x, ey: r.northM - source.y });
    }
    if (!ellipse) throw new Error('no ellipse');
    expect(ellipse.semiMajorM).toBeGreaterThan(2 * ellipse.semiMinorM);
    // RMS error along each predicted axis (orientation is compass: clockwise from north) against its semi-axis.
    const a = (ellipse.orientationDeg * Math.PI) / 180;
    const rms = (f: (e: { ex: number; ey: number }) => number) => Math.sqrt(errors.reduce((s, e) => s + f(e) ** 2, 0) / trials);
    const along = rms((e) => e.ex * Math.sin(a) + e.ey * Math.cos(a));
    const across = rms((e) => e.ex * Math.cos(a) - e.ey * Math.sin(a));
    expect(along / ellipse.semiMajorM).toBeGreaterThan(0.8);
    expect(along / ellipse.semiMajorM).toBeLessThan(1.25);
    expect(across / ellipse.semiMinorM).toBeGreaterThan(0.8);
    expect(across / ellipse.semiMinorM).toBeLessThan(1.25);
    const median = errors.map((e) => Math.hypot(e.ex, e.ey)).sort((x, y) => x - y)[trials / 2];
    expect(median).toBeLessThan(2);
  });

  it('leaves out one station whose clock is 40 ms off, and says so', () => {
    const obs = observe({ x: 300, y: 120 }, LAYOUT, 0.3, 7);
    obs[2] = { ...obs[2], onsetSec: obs[2].onsetSec + 0.04 };
    const r = locateSource(obs, { speedOfSoundMps: C });
    expect(r?.flags).toContain('outlier-removed');
    expect(r?.residualsMs.get('st-2')).toBeNull();
    expect(Math.hypot((r?.eastM ?? 0) - 300, (r?.northM ?? 0) - 120)).toBeLessThan(3);
    // Without the leave-one-out the bad clock would have dragged the fit (and shown as a large residual).
    const four = locateSource(obs.slice(0, 4), { speedOfSoundMps: C });
    expect(four?.flags).toContain('large-residual');
  });

  it('flags a source outside the hull, with a bigger ellipse than one inside', () => {
    const inside = locateSource(observe({ x: 225, y: 225 }, LAYOUT.slice(0, 4), 0.5, 3), { speedOfSoundMps: C });
    const outside = locateSource(observe({ x: 1500, y: 1200 }, LAYOUT.slice(0, 4), 0.5, 3), { speedOfSoundMps: C });
    expect(inside?.flags).not.toContain('outside-hull');
    expect(outside?.flags).toContain('outside-hull');
    expect(outside?.ellipse?.semiMajorM ?? 0).toBeGreaterThan(5 * (inside?.ellipse?.semiMajorM ?? Infinity));
  });

  it('flags nearly collinear stations', () => {
    const line = [[0, 0], [400, 10], [800, -5], [1200, 8]] as const;
    const r = locateSource(observe({ x: 600, y: 300 }, line, 0.2, 4), { speedOfSoundMps: C });
    expect(r?.flags).toContain('collinear');
  });

  it('two stations give two bearings, one of which points at a distant source', () => {
    const pair = [[0, 0], [400, 0]] as const;
    const source = { x: 200 + 3000 * Math.sin((60 * Math.PI) / 180), y: 3000 * Math.cos((60 * Math.PI) / 180) };
    const r = locateSource(observe(source, pair), { speedOfSoundMps: C });
    expect(r?.kind).toBe('bearing');
    expect(r?.flags).toContain('two-stations');
    expect(r?.ellipse).toBeNull();
    const off = Math.min(...(r?.bearingsDeg ?? []).map((b) => Math.abs(b - 60)));
    expect(off).toBeLessThan(2);
    expect(r?.bearingsDeg?.some((b) => Math.abs(b - 120) < 2)).toBe(true); // the mirror across the baseline
  });

  it('needs two stations at least', () => {
    expect(locateSource(observe({ x: 0, y: 0 }, [[0, 0]]), { speedOfSoundMps: C })).toBeUndefined();
  });
});

describe('geometry', () => {
  it('hull, inside test and spread', () => {
    const square = [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 1, y: 1 }, { x: 0, y: 1 }, { x: 0.5, y: 0.5 }];
    expect(convexHull(square)).toHaveLength(4);
    expect(insideHull(square, { x: 0.9, y: 0.1 })).toBe(true);
    expect(insideHull(square, { x: 1.2, y: 0.5 })).toBe(false);
    expect(insideHull(square, { x: 1.2, y: 0.5 }, 0.3)).toBe(true);
    expect(spreadRatio(square)).toBeCloseTo(1, 6);
    expect(spreadRatio([{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 2 }])).toBeLessThan(1e-6);
  });
});
