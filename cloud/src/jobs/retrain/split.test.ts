import { describe, expect, it } from 'vitest';
import type { LabelledOriginal } from './ports.js';
import { splitByOriginal } from './split.js';

const originals = (label: string, n: number): LabelledOriginal[] =>
  Array.from({ length: n }, (_, i) => ({ id: `extracted_audio/${label}/${i}.wav`, key: `extracted_audio/${label}/${i}.wav`, label, source: 'upload', labelledAt: '2026-01-01T00:00:00.000Z' }));

describe('splitByOriginal', () => {
  const all = [...originals('gunshot', 10), ...originals('background', 7), ...originals('chainsaw', 2), ...originals('rain', 1)];
  const split = splitByOriginal(all, { evalFraction: 0.2, validFraction: 0.15, seed: 'job-1' });

  it('puts every original in exactly one part', () => {
    const ids = [...split.train, ...split.valid, ...split.eval].map((o) => o.id);
    expect(new Set(ids).size).toBe(all.length);
    expect(ids.length).toBe(all.length);
  });

  it('holds out at least one original of every class that has two', () => {
    for (const label of ['gunshot', 'background', 'chainsaw']) expect(split.eval.some((o) => o.label === label), label).toBe(true);
    expect(split.eval.some((o) => o.label === 'rain')).toBe(false);
    expect(split.train.some((o) => o.label === 'rain')).toBe(true);
    expect(split.eval.filter((o) => o.label === 'gunshot')).toHaveLength(2);
    expect(split.valid.filter((o) => o.label === 'gunshot')).toHaveLength(1);
    expect(split.valid.some((o) => o.label === 'chainsaw')).toBe(false);
  });

  it('is deterministic for a seed and different for another', () => {
    const again = splitByOriginal([...all].reverse(), { evalFraction: 0.2, validFraction: 0.15, seed: 'job-1' });
    expect(again.eval.map((o) => o.id).sort()).toEqual(split.eval.map((o) => o.id).sort());
    const other = splitByOriginal(all, { evalFraction: 0.2, validFraction: 0.15, seed: 'job-2' });
    expect(other.eval.map((o) => o.id).sort()).not.toEqual(split.eval.map((o) => o.id).sort());
  });

  it('splits uploads by class and file name, not by when they were uploaded', () => {
    const at = (stamp: string) => ['a', 'b', 'c', 'd', 'e', 'f'].map((n): LabelledOriginal => {
      const key = `extracted_audio/gunshot/${stamp}_${n}.wav`;
      return { id: key, key, label: 'gunshot', source: 'upload', labelledAt: '2026-01-01T00:00:00.000Z' };
    });
    const names = (os: LabelledOriginal[]) => os.map((o) => o.key.slice(-5)).sort();
    const first = splitByOriginal(at('20261204_101500'), { evalFraction: 0.2, validFraction: 0.15, seed: 'seed-1' });
    const again = splitByOriginal(at('20261205_093012'), { evalFraction: 0.2, validFraction: 0.15, seed: 'seed-1' });
    expect(names(again.eval)).toEqual(names(first.eval));
    expect(names(again.valid)).toEqual(names(first.valid));
  });
});

