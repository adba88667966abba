import { describe, expect, it } from 'vitest';
import { createRandom } from '#shared/util/random.js';
import type { Detection, ThresholdedDetector } from './alarm-curve.js';
import { recallInterval } from './recall-interval.js';

const placement = (id: string, startSec: number, endSec: number, onsetSec = startSec) => ({ id, group: 'g', labels: [], startSec, endSec, onsetSec });
const det = (onsetSec: number, score: number): Detection => ({ onsetSec, startSec: onsetSec, endSec: onsetSec + 0.5, score });

describe('recallInterval', () => {
  const events = [1, 10, 20, 30].map((t) => placement(`e${t}`, t, t + 1));
  const withEvents = [det(1.1, 0.9), det(10.2, 0.6), det(20.1, 0.7), det(30.1, 0.95)];
  // Three gunshot-free clips in one hour; the first holds an alarm at 0.8, the second one at 0.7.
  const free = [placement('a', 0, 1200), placement('b', 1200, 2400), placement('c', 2400, 3600)];
  const streams = {
    alarmFree: { samples: new Float32Array(0), placements: free },
    withEvents: { samples: new Float32Array(0), placements: events },
    hours: 1,
  };
  const detector = (alarmFree: Detection[]): ThresholdedDetector => ({
    name: 'toy', shippedThreshold: 0.5, thresholds: [0.5, 0.65, 0.75, 0.85],
    alarmFreeAt: (t) => alarmFree.filter((x) => x.score >= t),
    eventsAt: (t) => withEvents.filter((x) => x.score >= t),
  });

  it('is a point when no false alarm ever limits the threshold', () => {
    const r = recallInterval(detector([]), streams, 1, 200, createRandom('a'));
    // With every threshold allowed the lowest finds all four events in every draw of events.
    expect(r).toMatchObject({ budgetPerHour: 1, draws: 200, median: 1, low: 1, high: 1 });
  });

  it('spreads when a gunshot-free clip sets the threshold, and repeats for a seed', () => {
    // Every event is found only at the lowest threshold, which the alarm in clip a (0.7) forbids.
    const d: ThresholdedDetector = {
      ...detector([det(100, 0.7)]),
      eventsAt: (t) => (t <= 0.5 ? events.map((e) => det(e.onsetSec + 0.1, 0.6)) : []),
    };
    const r = recallInterval(d, streams, 0.5, 400, createRandom('b'));
    // Draws holding clip a (about 70 %) find nothing; draws without it find every event drawn.
    expect(r).toMatchObject({ low: 0, median: 0, high: 1 });
    expect(recallInterval(d, streams, 0.5, 400, createRandom('b'))).toEqual(r);
  });
});
