import { describe, expect, it } from 'vitest';
import { Windower } from './windower.js';

const W = 15600;
const HOP = 7680;

function ramp(start: number, length: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => start + i);
}

describe('Windower', () => {
  it('emits overlapping windows at the hop, across arbitrary chunk sizes', () => {
    const w = new Windower({ windowSamples: W, hopSamples: HOP });
    const out = [];
    let pos = 0;
    for (const size of [1000, 5000, 16000, 3, 20000, 7997]) {
      out.push(...w.push(pos, ramp(pos, size)));
      pos += size;
    }
    // 50000 samples: windows start at 0, 7680, ... while start + 15600 <= 50000
    const expected = Math.floor((50000 - W) / HOP) + 1;
    expect(out.map((x) => x.startSample)).toEqual(Array.from({ length: expected }, (_, i) => i * HOP));
    for (const win of out) {
      expect(win.samples.length).toBe(W);
      expect(win.endSample).toBe(win.startSample + W);
      expect(win.samples[0]).toBe(win.startSample);
      expect(win.samples[W - 1]).toBe(win.startSample + W - 1);
    }
  });

  it('pads a short segment to one window on flush so a 0.4 s sound is still analysed', () => {
    const w = new Windower({ windowSamples: W, hopSamples: HOP });
    expect(w.push(0, ramp(0, 6400))).toHaveLength(0);
    const [tail] = w.flush();
    expect(tail.startSample).toBe(0);
    expect(tail.endSample).toBe(6400);
    expect(tail.samples.length).toBe(W);
    expect(tail.samples[6399]).toBeGreaterThan(0);
    expect(tail.samples[6400]).toBe(0);
  });

  it('adds a padded window only when the tail was not covered by a full one', () => {
    const covered = new Windower({ windowSamples: W, hopSamples: HOP });
    covered.push(0, ramp(0, W));
    expect(covered.flush()).toHaveLength(0);
    const uncovered = new Windower({ windowSamples: W, hopSamples: HOP });
    uncovered.push(0, ramp(0, W + 4000));
    const tail = uncovered.flush();
    expect(tail).toHaveLength(1);
    expect(tail[0].startSample).toBe(HOP);
    expect(tail[0].endSample).toBe(W + 4000);
  });

  it('never lets a window span a hole in the audio', () => {
    const w = new Windower({ windowSamples: W, hopSamples: HOP });
    w.push(0, ramp(0, 10000));
    const after = w.push(50000, ramp(50000, W));
    expect(after.map((x) => x.startSample)).toEqual([50000]);
    expect(after[0].samples[0]).toBe(50000);
  });
});
