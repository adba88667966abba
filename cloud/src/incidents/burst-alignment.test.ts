import { describe, expect, it } from 'vitest';
import { alignBurstOnsets } from './burst-alignment.js';

describe('alignBurstOnsets', () => {
  // Semi-automatic fire: irregular intervals, as real bursts have.
  const fired = [0, 350, 800, 1100, 1600];

  it('recovers each station\'s onset of the first shot even when it missed the first shots', () => {
    const delays = { a: 100, b: 730.4, c: 1210.7 };
    const lists = [
      { id: 'a', onsetsMs: fired.map((t) => t + delays.a), maxShiftMs: 2000 },
      { id: 'b', onsetsMs: fired.slice(2).map((t) => t + delays.b + 0.3), maxShiftMs: 2000 },
      { id: 'c', onsetsMs: fired.slice(1, 4).map((t) => t + delays.c - 0.2), maxShiftMs: 2000 },
    ];
    const onsets = alignBurstOnsets(lists);
    expect(onsets.get('a')).toBe(100);
    expect(onsets.get('b')).toBeCloseTo(730.7, 6);
    expect(onsets.get('c')).toBeCloseTo(1210.5, 6);
  });

  it('keeps a station\'s own first onset when the lists do not line up, or it heard one shot', () => {
    const onsets = alignBurstOnsets([
      { id: 'a', onsetsMs: [0, 350, 800], maxShiftMs: 1000 },
      { id: 'b', onsetsMs: [500, 1700], maxShiftMs: 1000 },
      { id: 'c', onsetsMs: [420], maxShiftMs: 1000 },
    ]);
    expect(onsets.get('b')).toBe(500);
    expect(onsets.get('c')).toBe(420);
  });

  it('does not shift beyond the travel time between the stations', () => {
    // A match 1.1 s away is refused when the stations are 300 m (0.9 s) apart.
    const onsets = alignBurstOnsets([
      { id: 'a', onsetsMs: [0, 350, 800], maxShiftMs: 900 },
      { id: 'b', onsetsMs: [1100, 1450, 1900], maxShiftMs: 900 },
    ]);
    expect(onsets.get('b')).toBe(1100);
  });
});
