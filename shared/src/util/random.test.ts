import { describe, expect, it } from 'vitest';
import { createRandom, shuffled, shuffledIndices } from './random.js';

function draws(seed: number | string, n: number): number[] {
  const r = createRandom(seed);
  return Array.from({ length: n }, () => r.next());
}

describe('createRandom', () => {
  it('repeats its stream for the same seed and differs between seeds', () => {
    expect(draws(42, 20)).toEqual(draws(42, 20));
    expect(draws('clip-7', 20)).toEqual(draws('clip-7', 20));
    expect(draws(42, 20)).not.toEqual(draws(43, 20));
    expect(draws(0, 20)).not.toEqual(draws(1, 20));
    expect(draws(1, 20)).not.toEqual(draws(1.5, 20));
    expect(draws('a', 20)).not.toEqual(draws('b', 20));
  });

  it('gives uniform draws in [0, 1) with the right moments', () => {
    const xs = draws(7, 100_000);
    let sum = 0;
    let sumSq = 0;
    const histogram = new Array<number>(10).fill(0);
    let min = Infinity;
    let max = -Infinity;
    for (const x of xs) {
      min = Math.min(min, x);
      max = Math.max(max, x);
      sum += x;
      sumSq += x * x;
      histogram[Math.floor(x * 10)]++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / xs.length).toBeCloseTo(0.5, 2);
    expect(sumSq / xs.length - (sum / xs.length) ** 2).toBeCloseTo(1 / 12, 2);
    for (const count of histogram) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it('has no visible correlation between consecutive draws', () => {
    const xs = draws(3, 50_000);
    let acc = 0;
    for (let i = 1; i < xs.length; i++) acc += (xs[i] - 0.5) * (xs[i - 1] - 0.5);
    expect(Math.abs(acc / xs.length / (1 / 12))).toBeLessThan(0.03);
  });

  it('draws normals with the requested mean and standard deviation', () => {
    const r = createRandom(11);
    const n = 50_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal(3, 2);
      sum += z;
      sumSq += z * z;
    }
    const mean = sum / n;
    expect(mean).toBeCloseTo(3, 1);
    expect(Math.sqrt(sumSq / n - mean * mean)).toBeCloseTo(2, 1);
  });

  it('keeps uniform, logUniform and int inside their bounds and reaches both ends', () => {
    const r = createRandom(5);
    const ints = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const u = r.uniform(-3, 5);
      expect(u).toBeGreaterThanOrEqual(-3);
      expect(u).toBeLessThan(5);
      const l = r.logUniform(1e-6, 1e-5);
      expect(l).toBeGreaterThanOrEqual(1e-6);
      expect(l).toBeLessThan(1e-5);
      ints.add(r.int(2, 6));
    }
    expect([...ints].sort()).toEqual([2, 3, 4, 5]);
    expect(() => r.int(3, 3)).toThrow(RangeError);
    expect(() => r.logUniform(0, 1)).toThrow(RangeError);
  });

  it('picks every element of an array and refuses an empty one', () => {
    const r = createRandom(9);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(r.pick(['a', 'b', 'c']));
    expect(seen.size).toBe(3);
    expect(() => r.pick([])).toThrow(RangeError);
  });

  it('forks reproducible, key-dependent streams', () => {
    const a = createRandom(1);
    const b = createRandom(1);
    const fa = a.fork('gain');
    const fb = b.fork('gain');
    expect([fa.next(), fa.next()]).toEqual([fb.next(), fb.next()]);
    // The parents stay in step after forking the same amount.
    expect(a.next()).toBe(b.next());
    const c = createRandom(1);
    expect(c.fork('shift').next()).not.toBe(createRandom(1).fork('gain').next());
  });

  it('shuffles into a reproducible permutation and leaves the input alone', () => {
    const items = Array.from({ length: 50 }, (_, i) => `x${i}`);
    const a = shuffled(items, createRandom(7));
    expect(a).toEqual(shuffled(items, createRandom(7)));
    expect(a).not.toEqual(items);
    expect([...a].sort()).toEqual([...items].sort());
    expect(items[0]).toBe('x0');
    expect(shuffledIndices(50, createRandom(7))).toEqual(a.map((x) => Number(x.slice(1))));
    expect(shuffled([], createRandom(1))).toEqual([]);
  });
});
