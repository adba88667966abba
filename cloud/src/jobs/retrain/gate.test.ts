import { describe, expect, it } from 'vitest';
import { gate } from './gate.js';
import type { EvalMetrics } from './ports.js';

const m = (gunshotRecall: number | null, falseAlarmsPerHour: number): EvalMetrics => ({
  gunshotRecall, falseAlarmsPerHour, negativeHours: 1, clips: 10, perClass: {}, confusionMatrix: { labels: [], counts: [] }, accuracy: null,
});

describe('gate', () => {
  it('passes a candidate that is at least as good on both', () => {
    expect(gate(m(0.9, 1), m(0.9, 1)).passed).toBe(true);
    expect(gate(m(0.95, 0.5), m(0.9, 1)).passed).toBe(true);
  });

  it('fails on lower gunshot recall or more false alarms, and says which', () => {
    const recall = gate(m(0.85, 0), m(0.9, 1));
    expect(recall.passed).toBe(false);
    expect(recall.reasons.join()).toContain('gunshot recall fell from 90.0% to 85.0%');
    const alarms = gate(m(1, 2), m(0.9, 1));
    expect(alarms.passed).toBe(false);
    expect(alarms.reasons.join()).toContain('false alarms rose from 1.00/h to 2.00/h');
  });

  it('compares false alarms alone when the split has no gunshot clips', () => {
    const d = gate(m(null, 0), m(null, 0));
    expect(d.passed).toBe(true);
    expect(d.reasons[0]).toContain('no gunshot clips');
    expect(gate(m(null, 3), m(null, 0)).passed).toBe(false);
  });
});
