import { describe, expect, it } from 'vitest';
import { CONFUSER_KINDS } from '../synth/confuser-source.js';
import type { Detection } from './alarm-curve.js';
import { confuserAlarms, confuserStream } from './confuser-check.js';
import { formatHonest, type HonestReport } from './honest-eval.js';

const alarmAt = (onsetSec: number): Detection => ({ onsetSec, startSec: onsetSec, endSec: onsetSec + 0.6, score: 0.99 });

describe('modelled confuser check', () => {
  const beds = [{ samples: Float32Array.from({ length: 3 * 16000 }, (_, i) => 0.02 * Math.sin(i / 7)), labels: ['wind'] }];
  const stream = confuserStream(beds, 7, 30);

  it('places modelled confuser scenes of every kind over the forest floor, seconds apart', () => {
    expect(stream.placements).toHaveLength(30);
    expect(new Set(stream.placements.map((p) => p.id.split('/')[1].replace(/-\d+$/, '')))).toEqual(new Set(CONFUSER_KINDS));
    expect(stream.placements.every((p) => !p.labels.includes('gunshot'))).toBe(true);
    const sorted = [...stream.placements].sort((a, b) => a.startSec - b.startSec);
    sorted.slice(1).forEach((p, i) => expect(p.startSec - sorted[i].endSec).toBeGreaterThanOrEqual(1.99));
  });

  it('counts per kind the scenes that hold an alarm\'s onset, and none for an alarm on the floor between them', () => {
    const [a, b] = [...stream.placements].sort((x, y) => x.startSec - y.startSec);
    const alarms = [alarmAt(a.onsetSec), alarmAt(a.onsetSec + 0.2), alarmAt(b.onsetSec), alarmAt((a.endSec + 0.5 + b.startSec - 0.1) / 2)];
    const counts = confuserAlarms(stream, alarms, 0.5);
    expect(counts.map((c) => c.kind)).toEqual([...CONFUSER_KINDS]);
    expect(counts.reduce((n, c) => n + c.scenes, 0)).toBe(30);
    expect(counts.reduce((n, c) => n + c.alarmed, 0)).toBe(2);
    const kindOf = (id: string) => id.split('/')[1].replace(/-\d+$/, '');
    for (const c of counts) expect(c.alarmed).toBe([a, b].filter((p) => kindOf(p.id) === c.kind).length);
    expect(confuserAlarms(stream, [], 0.5).every((c) => c.alarmed === 0)).toBe(true);
  });

  it('the honest report prints the count per kind when it was measured', () => {
    const report: HonestReport = {
      detector: 'd', hours: 1, events: 0, onsetCollarSec: 0.5,
      shipped: { threshold: 0.9, falseAlarms: 0, falseAlarmsPerHour: 0, detectedEvents: 0, eventRecall: 0, impulsiveClips: 0, impulsiveAlarmed: 0, impulsiveAlarmShare: 0, perSource: [] },
      curve: [], perSourceAt1PerHour: [], topFalseAlarms: [],
      modelledConfusers: [{ kind: 'impact', scenes: 4, alarmed: 1 }, { kind: 'clicks', scenes: 6, alarmed: 2 }],
    };
    expect(formatHonest([report])).toContain('  modelled confusers alarmed at the shipped threshold: 3/10 (impact 1/4, clicks 2/6)');
    expect(formatHonest([{ ...report, modelledConfusers: undefined }])).not.toContain('modelled confusers');
  });
});
