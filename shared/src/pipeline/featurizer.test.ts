import { describe, expect, it } from 'vitest';
import { LogMelFrontEnd } from '../features/log-mel.js';
import { whiteNoise } from '#testkit/signals.js';
import { Featurizer } from './featurizer.js';
import { Windower } from './windower.js';

describe('Featurizer', () => {
  it('produces exactly the patches of the whole-signal front end while computing each frame once', () => {
    const frontEnd = new LogMelFrontEnd();
    const signal = whiteNoise(4, 0.3, 5);
    const windower = new Windower({ windowSamples: 15600, hopSamples: 7680 });
    const featurizer = new Featurizer(frontEnd);
    const windows = [];
    for (let i = 0; i < signal.length; i += 3000) windows.push(...windower.push(i, signal.subarray(i, Math.min(signal.length, i + 3000))));
    const patches = featurizer.featurize(windows).map((f) => f.patch);
    const reference = frontEnd.patches(signal);
    expect(patches.length).toBe(reference.length);
    patches.forEach((p, i) => {
      let maxDiff = 0;
      for (let j = 0; j < p.length; j++) maxDiff = Math.max(maxDiff, Math.abs(p[j] - reference[i][j]));
      expect(maxDiff).toBeLessThan(1e-5);
    });
  });
});
