import { describe, expect, it } from 'vitest';
import { countEvents, detectEvents, matchEvents } from './events.js';

const timing = { hopSec: 0.48, windowSec: 0.975 };

describe('detectEvents', () => {
  it('merges on-windows separated by at most one off-window and estimates onset at the first window centre', () => {
    const scores = [0, 0.9, 0.2, 0.8, 0, 0, 0.7, 0];
    const events = detectEvents(scores, 0.5, timing);
    expect(events).toHaveLength(2);
    expect(events[0].onsetSec).toBeCloseTo(0.48 + 0.975 / 2);
    expect(events[0].offsetSec).toBeCloseTo(3 * 0.48 + 0.975);
    expect(events[0].peak).toBeCloseTo(0.9);
    expect(events[1].onsetSec).toBeCloseTo(6 * 0.48 + 0.975 / 2);
    expect(countEvents(scores, 0.5)).toBe(2);
    expect(countEvents(scores, 0.5, 0)).toBe(3);
    expect(countEvents(scores, 0.95)).toBe(0);
  });
});

describe('matchEvents', () => {
  it('matches onsets within the collar, counts later shots of a burst, and flags detections far from any event', () => {
    const truth = [
      { onsetSec: 10, offsetSec: 10.3 },
      { onsetSec: 10.6, offsetSec: 10.9 }, // second shot of the burst
      { onsetSec: 30, offsetSec: 30.2 }, // missed
    ];
    const detected = [
      { onsetSec: 10.3, offsetSec: 11.5 },
      { onsetSec: 50, offsetSec: 50.9 }, // false alarm
      { onsetSec: 29.0, offsetSec: 30.4 }, // onset 1 s early: outside the collar, but overlaps: not a false alarm
    ];
    const m = matchEvents(truth, detected, timing, 0.5);
    expect(m.truthEvents).toBe(3);
    expect(m.detectedTruth).toBe(2);
    expect(m.overlappedTruth).toBe(3); // the missed one is covered by the early detection
    expect(m.falseAlarms).toBe(1);
  });
});
