import { describe, expect, it } from 'vitest';
import { combineGates, gate, onsetGate } from './gate.js';
import type { EvalMetrics, OnsetComparison, OnsetFigures } from './ports.js';

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

describe('onsetGate (stage 2 on the honest measure)', () => {
  const f = (falseAlarms: number, detectedEvents: number, stationaryAlarms: number, events = 10, confuserAlarms = 0): OnsetFigures => ({
    version: 'v', threshold: 0.9, falseAlarms, falseAlarmsPerHour: falseAlarms / 2, hours: 2, events, detectedEvents, eventRecall: events ? detectedEvents / events : null, stationaryAlarms, confuserAlarms,
  });
  const c = (current: OnsetFigures, candidate: OnsetFigures, confuserScenes = 0, confuserBeds = 0): OnsetComparison => ({
    current, candidate, stationaryMinutesEach: 1, onsetCollarSec: 0.5, confuserScenes, confuserBeds,
  });

  it('passes ties and improvements, naming the figures', () => {
    const d = onsetGate(c(f(2, 8, 0), f(1, 9, 0)));
    expect(d.passed).toBe(true);
    expect(d.reasons).toEqual([
      'stage 2 false alarms 0.50/h (current 1.00/h; 1 vs 2 in 2.00 h of gunshot-free forest audio)',
      'stage 2 gunshot events found 9/10 (current 8/10)',
      'stage 2 alarms on stationary noise (1 min per colour and level): 0 (current 0)',
    ]);
  });

  it('fails on more false alarms per hour, fewer events found, or more stationary-noise alarms', () => {
    expect(onsetGate(c(f(2, 8, 0), f(3, 8, 0))).reasons[0]).toContain('stage 2 false alarms rose from 1.00/h to 1.50/h');
    expect(onsetGate(c(f(2, 8, 0), f(2, 7, 0))).reasons[1]).toContain('stage 2 found fewer gunshot events: 7/10 (current 8/10)');
    expect(onsetGate(c(f(2, 8, 0), f(2, 8, 1))).reasons[2]).toContain('rose from 0 to 1');
    for (const worse of [f(3, 8, 0), f(2, 7, 0), f(2, 8, 1)]) expect(onsetGate(c(f(2, 8, 0), worse)).passed).toBe(false);
  });

  it('fails a candidate that alarms on more modelled confuser scenes; ties and fewer pass, and no check names none', () => {
    const worse = onsetGate(c(f(2, 8, 0, 10, 5), f(2, 8, 0, 10, 6), 500, 12));
    expect(worse.passed).toBe(false);
    expect(worse.reasons[3]).toBe('stage 2 alarmed on more of 500 modelled confuser scenes (impacts, notes, clicks, thuds, bursts over 12 of the site\'s gunshot-free clips): 6 (current 5)');
    const tie = onsetGate(c(f(2, 8, 0, 10, 5), f(2, 8, 0, 10, 5), 500, 0));
    expect(tie.passed).toBe(true);
    expect(tie.reasons[3]).toBe('stage 2 alarmed on 5 of 500 modelled confuser scenes (impacts, notes, clicks, thuds, bursts over pink noise) (current 5)');
    expect(onsetGate(c(f(2, 8, 0, 10, 5), f(2, 8, 0, 10, 1), 500, 3)).passed).toBe(true);
    expect(onsetGate(c(f(2, 8, 0, 10, 0), f(2, 8, 0, 10, 9), 0, 0)).reasons).toHaveLength(3);
  });

  it('combines with the window model\'s verdict: both must pass', () => {
    const window = gate(m(0.9, 1), m(0.9, 1));
    expect(combineGates(window, onsetGate(c(f(2, 8, 0), f(2, 8, 0)))).passed).toBe(true);
    const both = combineGates(window, onsetGate(c(f(2, 8, 0), f(4, 8, 0))));
    expect(both.passed).toBe(false);
    expect(both.reasons).toHaveLength(5);
  });
});
