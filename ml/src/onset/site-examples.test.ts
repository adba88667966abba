import { beforeAll, describe, expect, it } from 'vitest';
import { ONSET_FEATURES } from '#shared/detect/onset-features.js';
import { loadShippedOnsetModel, OnsetModel, type OnsetModelFile } from '#shared/detect/onset-model.js';
import { initBackend } from '#shared/model/backend.js';
import { createLogger } from '#shared/util/logger.js';
import { createRandom } from '#shared/util/random.js';
import { impulseTrain, whiteNoise } from '#testkit/signals.js';
import type { LabelledClip } from '../train/types.js';
import { chunkExamples, fineTuneOnset, HARD_NEGATIVE_GAINS_DB, hardNegativeExamples, stackExamples, type SiteExamples } from './site-examples.js';

const logger = createLogger({ name: 'test', level: 'silent' });

/** Clicks over quiet noise: an impulsive confuser with a trigger per click. */
function clicks(id: string, seed: number): LabelledClip {
  const x = impulseTrain(3, 0.7, 16000, 0.3, seed);
  const floor = whiteNoise(3, 0.001, seed);
  for (let i = 0; i < x.length; i++) x[i] += floor[i];
  return { id, samples: x, labels: ['background'], group: id };
}

/** A sharp loud burst after quiet: what the trigger calls an onset, labelled gunshot. */
function shot(id: string, seed: number): LabelledClip {
  const x = new Float32Array(16000);
  const burst = whiteNoise(0.3, 0.6, seed);
  for (let i = 0; i < burst.length; i++) x[1600 + i] = burst[i] * Math.exp(-i / 800);
  return { id, samples: x, labels: ['gunshot'], group: id };
}

describe('site examples for the cloud retrain of stage 2', () => {
  it('marks every trigger of the hard-negative clips, placed once per gain, as a hard negative', () => {
    const rand = createRandom('site');
    const ordinary = chunkExamples([clicks('a', 1), shot('s1', 2), shot('s2', 3)], rand.fork('chunk'));
    const hard = hardNegativeExamples([{ ...clicks('reviewed', 4), labels: ['gunshot'] }], rand.fork('hard'));
    expect(ordinary.labels.some((l) => l === 1)).toBe(true);
    expect(ordinary.labels.some((l) => l === 0)).toBe(true);
    // Four clicks per clip, each at every gain (the quietest may fall under the trigger's floor).
    expect(hard.count).toBeGreaterThanOrEqual(4 * (HARD_NEGATIVE_GAINS_DB.length - 1));
    // A reviewed clip is a negative whatever the station called it.
    expect([...hard.labels].every((l) => l === 0)).toBe(true);
    expect(new Set(hard.sources)).toEqual(new Set(['reviewed']));
    const stacked = stackExamples([{ examples: ordinary, hard: false }, { examples: hard, hard: true }]);
    expect(stacked.count).toBe(ordinary.count + hard.count);
    expect([...stacked.hard.subarray(0, ordinary.count)].every((h) => h === 0)).toBe(true);
    expect([...stacked.hard.subarray(ordinary.count)].every((h) => h === 1)).toBe(true);
    expect(stacked.features.subarray(ordinary.count * ONSET_FEATURES)).toEqual(hard.features);
  });
});

describe('fineTuneOnset (warm start from the shipped stage 2)', () => {
  let base: OnsetModelFile;
  let examples: SiteExamples;
  beforeAll(async () => {
    await initBackend(logger, 'wasm');
    const shipped = await loadShippedOnsetModel();
    if (!shipped) throw new Error('models/onset/onset-model.json is shipped');
    base = shipped.file;
    const rand = createRandom('tune');
    examples = stackExamples([
      { examples: chunkExamples([clicks('a', 1), shot('s1', 2), shot('s2', 3)], rand.fork('c')), hard: false },
      { examples: hardNegativeExamples([clicks('r', 5)], rand.fork('h')), hard: true },
    ]);
  });

  const rows = (ex: SiteExamples) => Array.from({ length: ex.count }, (_, i) => ex.features.subarray(i * ONSET_FEATURES, (i + 1) * ONSET_FEATURES));

  it('reproduces the base scores at 0 epochs (same weights, same standardisation, same threshold)', async () => {
    const tuned = await fineTuneOnset(base, examples, { version: 'site-onset', epochs: 0, learningRate: 1e-4, batchSize: 64, seed: 1, logger });
    expect(tuned).toMatchObject({ version: 'site-onset', threshold: base.threshold, burstGapSec: base.burstGapSec, mean: base.mean, std: base.std });
    expect(tuned.layers.map((l) => [l.inputs, l.outputs, l.activation])).toEqual(base.layers.map((l) => [l.inputs, l.outputs, l.activation]));
    const a = new OnsetModel(base);
    const b = new OnsetModel(tuned);
    for (const r of rows(examples)) expect(b.score(r)).toBeCloseTo(a.score(r), 5);
    expect(tuned.training).toMatchObject({ baseVersion: base.version, epochs: 0, examples: examples.count, hardNegativeExamples: examples.hard.reduce((s, h) => s + h, 0) });
  });

  it('moves the scores of the hard negatives down after a few epochs', async () => {
    const tuned = await fineTuneOnset(base, examples, { version: 'site-onset', epochs: 20, learningRate: 1e-3, batchSize: 32, seed: 1, logger });
    const a = new OnsetModel(base);
    const b = new OnsetModel(tuned);
    const hardRows = rows(examples).filter((_, i) => examples.hard[i] === 1);
    const mean = (m: OnsetModel) => hardRows.reduce((s, r) => s + m.score(r), 0) / hardRows.length;
    expect(mean(b)).toBeLessThan(mean(a));
    expect(tuned.training.finalLoss).toBeGreaterThan(0);
  });
});
