import { describe, expect, it } from 'vitest';
import { whiteNoise } from '#testkit/signals.js';
import { Biquad } from './biquad.js';

describe('Biquad block paths', () => {
  const x = whiteNoise(0.5, 0.1, 3);

  it('run() gives exactly what step() gives, across calls (state carries over)', () => {
    const ref = Biquad.bandPass(150, 600, 16000);
    const expected = Float64Array.from(x, (v) => ref.step(v));
    const f = Biquad.bandPass(150, 600, 16000);
    const out = new Float64Array(x.length);
    f.run(x.subarray(0, 1000), out);
    const tail = new Float64Array(x.length - 1000);
    f.run(x.subarray(1000), tail);
    out.set(tail, 1000);
    expect(out).toEqual(expected);
  });

  it('runningEnergy() is the running sum of the squared output', () => {
    const ref = Biquad.highPass(300, 16000);
    let acc = 0;
    const expected = new Float64Array(x.length + 1);
    x.forEach((v, i) => {
      const y = ref.step(v);
      acc += y * y;
      expected[i + 1] = acc;
    });
    const cumulative = new Float64Array(x.length + 1);
    Biquad.highPass(300, 16000).runningEnergy(x, cumulative);
    expect(cumulative).toEqual(expected);
    expect(cumulative[x.length]).toBeGreaterThan(0);
  });
});
