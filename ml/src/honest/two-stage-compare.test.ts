import { describe, expect, it } from 'vitest';
import { loadShippedOnsetModel, OnsetModel } from '#shared/detect/onset-model.js';
import { impulseTrain, whiteNoise } from '#testkit/signals.js';
import type { LabelledClip } from '../train/types.js';
import { compareTwoStage } from './two-stage-compare.js';

function clip(id: string, samples: Float32Array, label: string): LabelledClip {
  return { id, samples, labels: [label], group: id };
}

/** Clicks over quiet noise (triggers, no gunshot) and short loud bursts labelled gunshot. */
function evalClips(): LabelledClip[] {
  const clicks = (seed: number) => {
    const x = impulseTrain(2, 0.4, 16000, 0.3, seed);
    const floor = whiteNoise(2, 0.001, seed);
    return x.map((v, i) => v + floor[i]);
  };
  const burst = (seed: number) => {
    const x = new Float32Array(16000);
    const b = whiteNoise(0.3, 0.6, seed);
    for (let i = 0; i < b.length; i++) x[1600 + i] = b[i] * Math.exp(-i / 800);
    return x;
  };
  return [clip('c1', clicks(1), 'background'), clip('c2', clicks(2), 'background'), clip('s1', burst(3), 'gunshot'), clip('s2', burst(4), 'gunshot')];
}

describe('compareTwoStage', () => {
  it('gives two copies of one model the same figures on the same streams, in any chunking', async () => {
    const shipped = (await loadShippedOnsetModel())!;
    const clips = evalClips();
    const whole = compareTwoStage({ current: shipped, candidate: shipped }, [clips], { seed: 7, stationaryMinutes: 0.05, confuserScenes: 0 });
    expect(whole.candidate).toEqual(whole.current);
    expect(whole.current.events).toBe(2);
    expect(whole.current.hours).toBeGreaterThan(0);
    const chunked = compareTwoStage({ current: shipped, candidate: shipped }, [clips.slice(0, 2), clips.slice(2)], { seed: 7, stationaryMinutes: 0.05, confuserScenes: 0 });
    expect(chunked.current.events).toBe(2);
    expect(chunked.candidate).toEqual(chunked.current);
  });

  it('counts more false alarms for a candidate that accepts every trigger', async () => {
    const shipped = (await loadShippedOnsetModel())!;
    const everything = new OnsetModel({ ...shipped.file, version: 'everything', threshold: 0 });
    const c = compareTwoStage({ current: shipped, candidate: everything }, [evalClips()], { seed: 7, stationaryMinutes: 0.05, confuserScenes: 0 });
    expect(c.candidate.falseAlarms).toBeGreaterThan(c.current.falseAlarms);
    expect(c.candidate.detectedEvents).toBe(2);
    expect(c.candidate.falseAlarmsPerHour).toBeCloseTo(c.candidate.falseAlarms / c.candidate.hours, 9);
    expect(c.stationaryMinutesEach).toBe(0.05);
  });

  it('runs the modelled confuser check on both models over the same scenes, laid over the gunshot-free originals', async () => {
    const shipped = (await loadShippedOnsetModel())!;
    const everything = new OnsetModel({ ...shipped.file, version: 'everything', threshold: 0 });
    const long = (seed: number) => clip(`bed-${seed}`, whiteNoise(4, 0.003, seed), 'background');
    const clips = [...evalClips(), long(5), long(6)];
    // 60 scenes: two batches (CONFUSER_BATCH is 50).
    const same = compareTwoStage({ current: shipped, candidate: shipped }, [clips], { seed: 7, stationaryMinutes: 0, confuserScenes: 60 });
    expect(same).toMatchObject({ confuserScenes: 60, confuserBeds: 2 });
    expect(same.candidate.confuserAlarms).toBe(same.current.confuserAlarms);
    const c = compareTwoStage({ current: shipped, candidate: everything }, [clips], { seed: 7, stationaryMinutes: 0, confuserScenes: 60 });
    // A stage 2 that passes every trigger alarms on every scene stage 1 triggers on (most of them); the shipped one on few.
    expect(c.candidate.confuserAlarms).toBeGreaterThanOrEqual(45);
    expect(c.current.confuserAlarms).toBeLessThan(c.candidate.confuserAlarms);
    expect(c.current.confuserAlarms).toBe(same.current.confuserAlarms);
  });
});
