import { describe, expect, it } from 'vitest';
import { createRandom } from '#shared/util/random.js';
import { speedOfSoundMps } from '../synth/atmosphere.js';
import { simulateField, type FieldStation } from './field-sim.js';

/** First sample whose magnitude reaches `fraction` of the recording's peak. */
function firstAbove(x: Float32Array, fraction: number): number {
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  return x.findIndex((v) => Math.abs(v) >= fraction * peak);
}

function peakOf(x: Float32Array): number {
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  return peak;
}

const quiet = (id: string, eastM: number, northM: number, clockOffsetMs = 0): FieldStation => ({ id, eastM, northM, clockOffsetMs, backgroundPaRms: 0 });

describe('simulateField', () => {
  const c = speedOfSoundMps(20);

  it('delays each station by its slant distance / c (to within a sample)', () => {
    const stations = [quiet('a', 0, 0), quiet('b', 300, 0), quiet('c', 0, 500)];
    const recs = simulateField(stations, [{ eastM: 0, northM: 0, timeSec: 0.2 }], { durationSec: 3, ground: null }, createRandom(1));
    for (const r of recs) {
      const expectedSec = 0.2 + Math.max(1, Math.hypot(r.station.eastM, r.station.northM)) / c;
      expect(r.arrivals[0].trueArrivalSec).toBeCloseTo(expectedSec, 9);
      // The blast's shock is the first thing that rises: a small fraction of the peak marks it.
      const onset = firstAbove(r.samples, 0.05) / r.sampleRateHz;
      expect(Math.abs(onset - expectedSec)).toBeLessThan(1.5 / 16000 + 0.0015);
    }
    // What a TDOA solver uses: differences of arrival between stations.
    const dt = recs[2].arrivals[0].trueArrivalSec - recs[1].arrivals[0].trueArrivalSec;
    expect(dt).toBeCloseTo(200 / c, 6);
  });

  it('attenuates with distance more than spherical spreading alone (absorption and foliage)', () => {
    const stations = [quiet('near', 100, 0), quiet('far', 400, 0)];
    const recs = simulateField(stations, [{ eastM: 0, northM: 0, timeSec: 0.1 }], { durationSec: 2.5, ground: null }, createRandom(2));
    const ratioDb = 20 * Math.log10(peakOf(recs[0].samples) / peakOf(recs[1].samples));
    const spreadingDb = 20 * Math.log10(400 / 100);
    expect(ratioDb).toBeGreaterThan(spreadingDb + 3);
    expect(ratioDb).toBeLessThan(spreadingDb + 40);
    // With no foliage the excess loss is smaller.
    const open = simulateField(stations, [{ eastM: 0, northM: 0, timeSec: 0.1 }], { durationSec: 2.5, ground: null, foliageFraction: 0 }, createRandom(2));
    const openDb = 20 * Math.log10(peakOf(open[0].samples) / peakOf(open[1].samples));
    expect(openDb).toBeLessThan(ratioDb);
  });

  it('stamps arrivals with each station clock: a clock 20 ms ahead hears the shot 20 ms later into its file', () => {
    const stations = [quiet('fast', 200, 0, 20), quiet('slow', 200, 0, -5)];
    const recs = simulateField(stations, [{ eastM: 0, northM: 0, timeSec: 0.3 }], { durationSec: 2.5, ground: null }, createRandom(3));
    expect(recs[0].arrivals[0].stampedArrivalSec - recs[0].arrivals[0].trueArrivalSec).toBeCloseTo(0.02, 9);
    expect(recs[1].arrivals[0].stampedArrivalSec - recs[1].arrivals[0].trueArrivalSec).toBeCloseTo(-0.005, 9);
    expect(firstAbove(recs[0].samples, 0.05) - firstAbove(recs[1].samples, 0.05)).toBe(25 * 16);
  });

  it('renders bursts shot by shot, adds a background at the asked level, and skips stations out of range', () => {
    const stations: FieldStation[] = [{ id: 'a', eastM: 150, northM: 0, clockOffsetMs: 0, backgroundPaRms: 0.002 }, quiet('far', 5000, 0)];
    const recs = simulateField(stations, [{ eastM: 0, northM: 0, timeSec: 0.5, burstOffsetsSec: [0.08, 0.16] }], { durationSec: 2, fullScalePa: 20 }, createRandom(4));
    expect(recs[0].arrivals.map((a) => a.burstIndex)).toEqual([0, 1, 2]);
    expect(recs[0].arrivals[1].trueArrivalSec - recs[0].arrivals[0].trueArrivalSec).toBeCloseTo(0.08, 9);
    expect(recs[1].arrivals).toEqual([]);
    const head = recs[0].samples.subarray(0, 4000);
    const rmsPa = Math.sqrt(head.reduce((s, v) => s + v * v, 0) / head.length) * 20;
    expect(rmsPa).toBeCloseTo(0.002, 3);
  });
});

describe('audioMothName', () => {
  it('names a recording by its UTC start, whole seconds', async () => {
    const { audioMothName } = await import('./field-files.js');
    expect(audioMothName(Date.UTC(2026, 11, 4, 9, 5, 7, 999))).toBe('20261204_090507.WAV');
  });
});
