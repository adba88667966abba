import { describe, expect, it } from 'vitest';
import { describeOnsets } from '#shared/detect/gunshot-onsets.js';
import { ONSET_FEATURES } from '#shared/detect/onset-features.js';
import { OnsetModel, type OnsetModelFile } from '#shared/detect/onset-model.js';
import { createRandom } from '#shared/util/random.js';
import { whiteNoise } from '#testkit/signals.js';
import { mergeNets } from '../onset/ensemble.js';
import { FUSION_RULES, fuse, onsetEvidence, windowScoreAt } from './score-fusion.js';

const timing = { hopSec: 0.48, windowSec: 0.975 };

describe('windowScoreAt', () => {
  it('takes the best window that holds the onset and the 120 ms after it', () => {
    const column = Float32Array.from([0.9, 0.2, 0.4, 0.8, 0.1]);
    // Onset at 1.0 s: window 0 (0-0.975) ends too early, windows 1 (0.48-1.455) and 2 (0.96-1.935) hold it, window 3 starts after it.
    expect(windowScoreAt(column, timing, 1.0)).toBeCloseTo(0.4, 6);
    // Onset at 0.5 s: windows 0 and 1.
    expect(windowScoreAt(column, timing, 0.5)).toBeCloseTo(0.9, 6);
    // Past the last window: nothing holds it.
    expect(windowScoreAt(column, timing, 10)).toBe(0);
  });
});

describe('fusion rules', () => {
  it('score the onsets of a real signal, the first exactly as the merged stage 2 does', () => {
    const rand = createRandom('fusion');
    const member = () => [
      { inputs: ONSET_FEATURES, outputs: 6, weights: Array.from({ length: ONSET_FEATURES * 6 }, () => rand.normal() * 0.1), bias: new Array<number>(6).fill(0), activation: 'relu' as const },
      { inputs: 6, outputs: 1, weights: Array.from({ length: 6 }, () => rand.normal()), bias: [rand.normal()], activation: 'sigmoid' as const },
    ];
    const members = [member(), member()];
    const file: OnsetModelFile = {
      format: 'ecosight-onset-mlp/1', version: 't', inputSize: ONSET_FEATURES,
      mean: new Array<number>(ONSET_FEATURES).fill(0), std: new Array<number>(ONSET_FEATURES).fill(1),
      layers: mergeNets(members), threshold: 0.5, burstGapSec: 1,
    };
    const x = whiteNoise(3, 0.001, 3);
    for (const t of [8000, 24000, 40000]) for (let i = 0; i < 200; i++) x[t + i] += 0.6 * Math.exp(-i / 40) * (i % 2 ? 1 : -1);
    const onsets = describeOnsets(x);
    expect(onsets.length).toBeGreaterThanOrEqual(3);
    const column = Float32Array.from({ length: 5 }, (_, i) => i / 4);
    const model = new OnsetModel(file);
    const evidence = onsetEvidence(onsets, model, 2, column, timing);
    const shipped = fuse(evidence, FUSION_RULES['stage 2 (mean logit, shipped)']);
    shipped.forEach((o, i) => {
      expect(o.trigger).toBe(onsets[i].trigger);
      expect(o.score).toBeCloseTo(model.score(onsets[i].features), 10);
    });
    for (const rule of Object.values(FUSION_RULES)) {
      for (const o of fuse(evidence, rule)) {
        expect(o.score).toBeGreaterThanOrEqual(0);
        expect(o.score).toBeLessThanOrEqual(1);
      }
    }
  });
});
