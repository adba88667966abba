import { describe, expect, it } from 'vitest';
import { createRandom } from '../util/random.js';
import { findImpulses, ImpulseDetector } from './impulse-trigger.js';

describe('findImpulses', () => {
  it('finds the same triggers, to the sample, as one push of the whole signal', () => {
    const rate = 16000;
    const rand = createRandom('impulses');
    const x = new Float32Array(20 * rate + 777);
    for (let i = 0; i < x.length; i++) x[i] = (rand.next() * 2 - 1) * 0.003;
    // Clicks of varied level every ~0.9 s, some straddling the 65,536-sample pieces.
    for (let s = 3000, k = 0; s < x.length - 2000; s += 14_321, k++) {
      for (let i = 0; i < 1200; i++) x[s + i] += (0.05 + 0.1 * (k % 5)) * Math.exp(-i / 90) * (rand.next() * 2 - 1);
    }
    for (const s of [65_536 - 3, 131_072 + 1]) for (let i = 0; i < 800; i++) x[s + i] += 0.4 * Math.exp(-i / 60) * (i % 2 ? 1 : -1);
    const whole = new ImpulseDetector({ sampleRateHz: rate }).push(x);
    expect(whole.length).toBeGreaterThan(15);
    expect(findImpulses(x, { sampleRateHz: rate })).toEqual(whole);
  });
});
