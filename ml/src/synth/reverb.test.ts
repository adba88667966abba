import { describe, expect, it } from 'vitest';
import { impulseTrain } from '#testkit/signals.js';
import { createRandom } from '#shared/util/random.js';
import { addReverb, bandT60Sec, reverbTail } from './reverb.js';
import { bandPass, schroederT60Sec } from '#testkit/spectral-measures.js';

describe('forest reverberation', () => {
  it.each([1, 2, 3])('decays in the requested T60 = %f s below 1 kHz (Schroeder, within 20 %%)', (t60Sec) => {
    const tail = reverbTail({ t60Sec, drrDb: 0 }, createRandom(t60Sec));
    const measured = schroederT60Sec(bandPass(tail, 250, 1000));
    expect(Math.abs(measured - t60Sec) / t60Sec).toBeLessThan(0.2);
  });

  it('decays faster at high frequencies, as set by hfDamping', () => {
    const params = { t60Sec: 2, drrDb: 0, hfDamping: 0.5 };
    const tail = reverbTail(params, createRandom(8));
    const high = schroederT60Sec(bandPass(tail, 4500, 7000));
    const expected = bandT60Sec(params, Math.sqrt(4000 * 8000));
    expect(Math.abs(high - expected) / expected).toBeLessThan(0.2);
    expect(high).toBeLessThan(0.6 * 2);
  });

  it('decays uniformly without damping (broadband Schroeder T60)', () => {
    const tail = reverbTail({ t60Sec: 1.5, drrDb: 0, hfDamping: 0 }, createRandom(9));
    expect(Math.abs(schroederT60Sec(tail) - 1.5) / 1.5).toBeLessThan(0.2);
  });

  it('scales the tail to the direct-to-reverberant ratio', () => {
    for (const drrDb of [-6, 0, 10]) {
      const tail = reverbTail({ t60Sec: 1, drrDb }, createRandom(1));
      let energy = 0;
      for (const v of tail) energy += v * v;
      expect(10 * Math.log10(1 / energy)).toBeCloseTo(drrDb, 6);
    }
  });

  it('adds the tail to the dry signal, keeping the length unless a tail is asked for', () => {
    const dry = impulseTrain(1, 0.5);
    const wet = addReverb(dry, { t60Sec: 1.5, drrDb: 3 }, createRandom(3));
    expect(wet.length).toBe(dry.length);
    const longer = addReverb(dry, { t60Sec: 1.5, drrDb: 3 }, createRandom(3), { tailSec: 0.5 });
    expect(longer.length).toBe(dry.length + 8000);
    expect(longer.subarray(0, dry.length)).toEqual(wet);
    // Before the first click (at 0.1 s) nothing changes; after it the tail fills the gaps.
    expect(wet[100]).toBeCloseTo(dry[100], 9);
    let afterClicks = 0;
    for (let i = 3000; i < 7000; i++) afterClicks += wet[i] * wet[i];
    expect(afterClicks).toBeGreaterThan(0);
    expect(addReverb(dry, { t60Sec: 1.5, drrDb: 3 }, createRandom(3))).toEqual(wet);
  });

  it('refuses a non-positive T60', () => {
    expect(() => reverbTail({ t60Sec: 0, drrDb: 0 }, createRandom(1))).toThrow(RangeError);
  });
});
