import { describe, expect, it } from 'vitest';
import { classMetrics, confusionMatrix } from './metrics.js';
import { bestF1Threshold, chooseThresholds, falseAlarmFloor } from './thresholds.js';

describe('thresholds', () => {
  it('picks the F1-optimal cut between distinct scores', () => {
    const scored = [
      { s: 0.9, y: 1 }, { s: 0.8, y: 1 }, { s: 0.7, y: 0 }, { s: 0.6, y: 1 }, { s: 0.2, y: 0 }, { s: 0.1, y: 0 },
    ];
    const best = bestF1Threshold(scored);
    // Cutting below 0.6 gives P 3/4, R 1 (F1 0.857), better than above 0.8 (P 1, R 2/3, F1 0.8).
    expect(best?.f1).toBeCloseTo(6 / 7);
    expect(best?.threshold).toBeCloseTo(0.4);
    expect(bestF1Threshold([{ s: 0.5, y: 0 }])).toBeNull();
  });

  it('raises the alarm threshold until false alarms fit the hourly budget', () => {
    // Two hours of alarm-free windows: isolated bumps at 0.9, 0.8, 0.7 and 0.6.
    const scores = new Float32Array(15000).fill(0.01);
    [100, 2000, 4000, 6000].forEach((i, k) => { scores[i] = 0.9 - 0.1 * k; });
    // Budget 1/h over 2 h allows two events: the floor sits just above 0.7.
    const floor = falseAlarmFloor(scores, 2, 1);
    expect(floor).toBeGreaterThan(0.7);
    expect(floor).toBeLessThan(0.8);
    const truth = { values: Int8Array.from([1, 0, 1, 0]), dominant: ['gunshot', 'none', 'gunshot', 'none'] };
    const choice = chooseThresholds(Float32Array.from([0.6, 0.3, 0.5, 0.1]), truth, ['gunshot'], { alarmFreeScores: scores, alarmFreeHours: 2 });
    expect(choice.thresholds.gunshot).toBeCloseTo(floor);
    expect(choice.reasons.gunshot).toMatch(/raised/);
  });

  it('uses the fallback for classes without validation positives', () => {
    const truth = { values: Int8Array.from([0, 0, 0, 0]), dominant: ['none', 'none'] };
    const choice = chooseThresholds(Float32Array.from([0.6, 0.3, 0.5, 0.1]), truth, ['a', 'b'], { fallback: 0.7 });
    expect(choice.thresholds).toEqual({ a: 0.7, b: 0.7 });
  });
});

describe('window metrics', () => {
  it('counts per-class hits, skips unknown windows, and fills the confusion matrix with the top class at threshold', () => {
    const classes = ['gunshot', 'bird'];
    // 4 windows x 2 classes.
    const scores = Float32Array.from([0.9, 0.6, 0.2, 0.8, 0.7, 0.1, 0.1, 0.1]);
    const truth = { values: Int8Array.from([1, 0, 0, 1, -1, 0, 1, 0]), dominant: ['gunshot', 'bird', null, 'gunshot'] };
    const thresholds = { gunshot: 0.5, bird: 0.5 };
    const [g, b] = classMetrics(scores, truth, classes, thresholds);
    expect([g.tp, g.fp, g.fn, g.positives]).toEqual([1, 0, 1, 2]);
    expect(g.recall).toBeCloseTo(0.5);
    expect([b.tp, b.fp, b.fn]).toEqual([1, 1, 0]);
    expect(b.precision).toBeCloseTo(0.5);
    const cm = confusionMatrix(scores, truth, classes, thresholds);
    expect(cm.labels).toEqual(['gunshot', 'bird', 'none']);
    expect(cm.counts).toEqual([[1, 0, 1], [0, 1, 0], [0, 0, 0]]);
  });
});
