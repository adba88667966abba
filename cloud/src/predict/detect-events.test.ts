import { describe, expect, it } from 'vitest';
import { detectEvents } from './detect-events.js';
import type { WindowScores } from './window-scores.js';

const classes = ['background', 'gunshot', 'chainsaw'];
const w = (i: number, scores: number[]): WindowScores => ({ startSec: i * 0.48, endSec: i * 0.48 + 0.96, scores: Float32Array.from(scores) });

describe('detectEvents', () => {
  it('merges consecutive windows over threshold into one event with its peak', () => {
    const windows = [w(0, [0.9, 0.1, 0]), w(1, [0.1, 0.7, 0]), w(2, [0, 0.95, 0]), w(3, [0.2, 0.6, 0]), w(4, [0.9, 0.1, 0]), w(5, [0.1, 0.8, 0])];
    const events = detectEvents(windows, classes, { gunshot: 0.5 });
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ label: 'gunshot', windowCount: 3, startSec: 0.48, endSec: 1.44 + 0.96, peakSec: 0.96 + 0.48 });
    expect(events[0].confidence).toBeCloseTo(0.95);
    expect(events[1]).toMatchObject({ label: 'gunshot', windowCount: 1, startSec: 2.4 });
  });

  it('uses per-class thresholds and never reports the background class', () => {
    const windows = [w(0, [0.99, 0.55, 0.55])];
    expect(detectEvents(windows, classes, { gunshot: 0.6, chainsaw: 0.5 }).map((e) => e.label)).toEqual(['chainsaw']);
    expect(detectEvents(windows, classes, {}, 0.5).map((e) => e.label).sort()).toEqual(['chainsaw', 'gunshot']);
  });
});
