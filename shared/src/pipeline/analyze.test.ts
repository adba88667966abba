import { beforeAll, describe, expect, it } from 'vitest';
import { loadModelPackage, type ModelPackage } from '../model/model-package.js';
import { impulseTrain, whiteNoise } from '#testkit/signals.js';
import { saveTestModel } from '#testkit/test-model.js';
import { analyzeSignal } from './analyze.js';

let pkg: ModelPackage;
beforeAll(async () => {
  pkg = await loadModelPackage(await saveTestModel());
});

describe('analyzeSignal (the station pipeline over a signal in memory)', () => {
  it('finds one gunshot event around a burst of impulses and nothing in quiet noise', () => {
    const signal = whiteNoise(10, 0.01, 2);
    signal.set(impulseTrain(1, 0.3), 16000 * 4);
    const { windows, events } = analyzeSignal(pkg, signal);
    expect(windows.length).toBe(Math.floor((160000 - 15600) / 7680) + 2);
    expect(events).toHaveLength(1);
    expect(events[0].label).toBe('gunshot');
    expect(events[0].startSample).toBeLessThanOrEqual(16000 * 4.1);
    expect(events[0].endSample).toBeGreaterThan(16000 * 5);
    expect(analyzeSignal(pkg, whiteNoise(10, 0.01, 3)).events).toEqual([]);
  });

  it('hears a sound shorter than one window (the tail window is padded)', () => {
    const { events } = analyzeSignal(pkg, impulseTrain(0.4, 0.1));
    expect(events.map((e) => e.label)).toEqual(['gunshot']);
  });
});
