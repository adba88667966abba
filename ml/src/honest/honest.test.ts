import { describe, expect, it } from 'vitest';
import { createRandom } from '#shared/util/random.js';
import { alarmCurve, foundEvents, type Detection, type ThresholdedDetector } from './alarm-curve.js';
import { forestStream } from './forest-audio.js';
import { formatHonest, honestReport, isImpulsive } from './honest-eval.js';
import { topFalseAlarms } from './top-alarms.js';

const RATE = 16000;

function click(len = 8000): Float32Array {
  const x = new Float32Array(len);
  for (let i = 0; i < 400; i++) x[1600 + i] = 0.5 * Math.exp(-i / 80) * (i % 2 ? 1 : -1);
  return x;
}

describe('forestStream', () => {
  it('places every clip once over a quiet floor with its onset intact', () => {
    const clips = [0, 1, 2].map((i) => ({ id: `pkg/door${i}.wav`, samples: click(), labels: [], group: 'pkg' }));
    const s = forestStream(clips, { rand: createRandom(1), gainDb: [0, 0] });
    expect(s.placements).toHaveLength(3);
    for (const p of s.placements) {
      const onset = Math.round(p.onsetSec * RATE);
      // The clip's first loud sample arrives at full level: no fade over the sound itself.
      expect(Math.abs(s.samples[onset])).toBeGreaterThan(0.4);
      // Before it: only the floor (-50..-40 dBFS RMS, peaks well under -20 dBFS).
      let peak = 0;
      for (let i = onset - 1500; i < onset - 10; i++) peak = Math.max(peak, Math.abs(s.samples[i]));
      expect(peak).toBeGreaterThan(0);
      expect(peak).toBeLessThan(0.1);
      expect(p.startSec).toBeGreaterThanOrEqual(2);
    }
    expect(isImpulsive(s.placements[0])).toBe(true);
  });
});

describe('alarm curve', () => {
  const events = [1, 10, 20, 30].map((t) => ({ id: `e${t}`, group: 'g', labels: ['gunshot'], startSec: t, endSec: t + 1, onsetSec: t }));
  const det = (onsetSec: number, score: number): Detection => ({ onsetSec, startSec: onsetSec, endSec: onsetSec + 0.5, score });
  const withEvents = [det(1.1, 0.9), det(10.2, 0.6), det(20.9, 0.95)];
  const alarmFree = [det(5, 0.7), det(50, 0.8)];
  const d: ThresholdedDetector = {
    name: 'toy', shippedThreshold: 0.5, thresholds: [0.5, 0.65, 0.75, 0.85],
    alarmFreeAt: (t) => alarmFree.filter((x) => x.score >= t),
    eventsAt: (t) => withEvents.filter((x) => x.score >= t),
  };
  it('matches events within the onset collar only', () => {
    expect(foundEvents(events, withEvents, 0.5)).toEqual([true, true, false, false]);
  });
  it('reads the best recall within each false-alarm budget', () => {
    const { atBudget } = alarmCurve(d, events, 1, 0.5);
    const at = (b: number) => atBudget.find((p) => p.budgetPerHour === b);
    expect(at(0.5)?.eventRecall).toBe(0.25);
    expect(at(1)?.eventRecall).toBe(0.25);
    expect(at(2)?.eventRecall).toBe(0.5);
  });
  it('reports each source\'s events found at every budget, and the real recordings together', () => {
    const sourced = events.map((e, i) => ({ ...e, group: i < 2 ? 'pkg-a' : 'synthetic' }));
    const streams = {
      alarmFree: { samples: new Float32Array(0), placements: [] },
      withEvents: { samples: new Float32Array(0), placements: sourced },
      hours: 1,
    };
    const r = honestReport(d, streams, 0.5);
    const at = (b: number) => r.curve.find((p) => p.budgetPerHour === b)?.perSource;
    // 0.5/h: no false alarm allowed -> threshold 0.85 finds only the event at 1 s (pkg-a).
    expect(at(0.5)).toEqual([{ source: 'pkg-a', events: 2, found: 1 }, { source: 'synthetic', events: 2, found: 0 }]);
    // 2/h: threshold 0.5 also finds the event at 10 s.
    expect(at(2)).toEqual([{ source: 'pkg-a', events: 2, found: 2 }, { source: 'synthetic', events: 2, found: 0 }]);
    expect(r.perSourceAt1PerHour).toEqual(at(1));
    const text = formatHonest([r]);
    expect(text).toContain('  pkg-a | 1/2 | 1/2 | 1/2 | 1/2 | 2/2 |');
    expect(text).toContain('  all real recordings | 1/2 |');
  });
  it('names the highest-scoring gunshot-free alarms and the clip each fell in (floor between clips)', () => {
    const door = { id: 'pkg/usr/share/game/doors/slam.wav', group: 'pkg', labels: [], startSec: 4.5, endSec: 5.5, onsetSec: 4.6 };
    const late = { ...door, id: 'pkg/b.wav', startSec: 49, endSec: 49.4, onsetSec: 49 };
    // 50 s is 0.6 s past the end of late: the floor, not the clip.
    expect(topFalseAlarms(d, [late, door], 5, 0.5)).toEqual([
      { score: 0.8, onsetSec: 50, clip: 'floor' },
      { score: 0.7, onsetSec: 5, clip: door.id },
    ]);
    expect(topFalseAlarms(d, [door], 1, 0.5)).toHaveLength(1);
    const streams = {
      alarmFree: { samples: new Float32Array(0), placements: [door] },
      withEvents: { samples: new Float32Array(0), placements: events },
      hours: 1,
    };
    expect(formatHonest([honestReport(d, streams, 0.5)])).toContain('  top gunshot-free alarms: 0.80000 floor; 0.70000 pkg .../doors/slam.wav');
  });
});
