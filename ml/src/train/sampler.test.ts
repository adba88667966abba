import { describe, expect, it } from 'vitest';
import { createRandom } from '#shared/util/random.js';
import { PatchSet } from './patch-set.js';
import { BalancedSampler } from './sampler.js';
import { recallAtFalsePositiveRate } from './trainer.js';

const CLASSES = ['gunshot', 'bird', 'explosion'];

/** A set of 1x1 patches: `counts[k]` patches labelled with class k, then `negatives` unlabelled ones, one group. */
function setOf(counts: number[], negatives: number): PatchSet {
  const set = new PatchSet(CLASSES, 1, 1);
  let clip = 0;
  const add = (labels: number[]) => {
    set.clipIds.push(`c${clip}`);
    set.clipLabels.push([]);
    set.clipGroups.push('pkg');
    set.add(Float32Array.of(0), Uint8Array.from(labels), clip++);
  };
  counts.forEach((n, k) => {
    for (let i = 0; i < n; i++) add(CLASSES.map((_, j) => (j === k ? 1 : 0)));
  });
  for (let i = 0; i < negatives; i++) add([0, 0, 0]);
  return set;
}

/** Share of draws that land on a patch of each class, and on negatives (last). */
function shares(set: PatchSet, sampler: BalancedSampler, draws: number): number[] {
  const hits = new Array<number>(CLASSES.length + 1).fill(0);
  for (let d = 0; d < draws; d++) {
    const labels = set.labels(sampler.draw());
    const k = labels.indexOf(1);
    hits[k < 0 ? CLASSES.length : k]++;
  }
  return hits.map((h) => h / draws);
}

describe('BalancedSampler', () => {
  it('splits the positive share by class size^0.5 and keeps the negative share', () => {
    const set = setOf([400, 100, 100], 1000);
    const s = shares(set, new BalancedSampler(set, createRandom('s1')), 40000);
    // Weights 20 : 10 : 10 of the 45 % positive share.
    expect(s[0]).toBeCloseTo(0.225, 1);
    expect(s[1]).toBeCloseTo(0.1125, 1);
    expect(s[3]).toBeCloseTo(0.55, 1);
  });

  it('a class boost multiplies that class stratum weight', () => {
    const set = setOf([400, 100, 100], 1000);
    const s = shares(set, new BalancedSampler(set, createRandom('s2'), { classBoost: { explosion: 4 } }), 40000);
    // Weights 20 : 10 : 40 of 0.45.
    expect(s[2]).toBeGreaterThan(0.22);
    expect(s[2]).toBeLessThan(0.29);
    expect(s[2] / s[1]).toBeGreaterThan(3);
    expect(s[3]).toBeCloseTo(0.55, 1);
  });

  it('a hard-negative pool takes its share of the draws, uniformly, and can be turned off', () => {
    const set = setOf([100, 100, 100], 1000);
    const sampler = new BalancedSampler(set, createRandom('s3'));
    const pool = Int32Array.of(300, 301); // two unlabelled patches
    sampler.setHardPool(pool, 0.25);
    const hits = new Map<number, number>();
    const draws = 40000;
    for (let d = 0; d < draws; d++) {
      const i = sampler.draw();
      hits.set(i, (hits.get(i) ?? 0) + 1);
    }
    // Each pool member: 12.5 % from the pool plus its ordinary 0.55/1000 share.
    for (const i of pool) expect((hits.get(i) ?? 0) / draws).toBeCloseTo(0.125 + 0.00055, 2);
    sampler.setHardPool(new Int32Array(0), 0.25);
    let fromPool = 0;
    for (let d = 0; d < 10000; d++) if (pool.includes(sampler.draw())) fromPool++;
    expect(fromPool).toBeLessThan(40);
    expect(() => sampler.setHardPool(pool, 1)).toThrow(/share/);
  });

  it('refuses a boost for an unknown class or a non-positive boost', () => {
    const set = setOf([10, 10, 10], 10);
    expect(() => new BalancedSampler(set, createRandom('x'), { classBoost: { chainsaw: 2 } })).toThrow(/unknown class: chainsaw/);
    expect(() => new BalancedSampler(set, createRandom('x'), { classBoost: { bird: 0 } })).toThrow(/positive number/);
  });
});

describe('recallAtFalsePositiveRate', () => {
  it('counts positives above the score the allowed share of negatives reaches', () => {
    // 2 gunshot patches, 200 negatives; scores are given for the gunshot column (index 0).
    const set = setOf([2, 0, 0], 200);
    const scores = new Float32Array(set.count * CLASSES.length);
    const setGunshot = (i: number, s: number) => { scores[i * CLASSES.length] = s; };
    setGunshot(0, 0.95);
    setGunshot(1, 0.6);
    for (let i = 2; i < set.count; i++) setGunshot(i, i === 2 ? 0.9 : 0.1);
    // 0.5 % of 200 = 1 negative allowed above threshold: the threshold is the 2nd highest negative (0.1).
    expect(recallAtFalsePositiveRate(scores, set, 0, 0.005)).toBe(1);
    // No negative allowed: threshold 0.9, only the 0.95 patch passes.
    expect(recallAtFalsePositiveRate(scores, set, 0, 0)).toBe(0.5);
    // A class with no positives.
    expect(recallAtFalsePositiveRate(scores, set, 1, 0.005)).toBe(0);
  });
});
