import { beforeAll, describe, expect, it } from 'vitest';
import { LogMelFrontEnd } from '#shared/features/log-mel.js';
import { initBackend } from '#shared/model/backend.js';
import { loadModelPackage, shippedModelDir, type ModelPackage } from '#shared/model/model-package.js';
import { DEFAULT_PRESENCE, SustainedPresence } from '#shared/pipeline/sustained-presence.js';
import { createLogger } from '#shared/util/logger.js';
import { createRandom } from '#shared/util/random.js';
import { pinkNoise } from '../augment/index.js';
import { randomChainsawParams, randomProgram, synthesizeChainsaw } from '../synth/index.js';
import { scoreSignal } from './score-signal.js';

/**
 * The shipped model on synthesized saws it was not trained on (validation
 * engine parameters, a felling sequence): what the model card claims, checked.
 * Real saws are another matter (docs/model.md, "Chainsaw").
 */
describe('the shipped model and a synthesized felling (held-out engine parameters)', () => {
  let pkg: ModelPackage;
  beforeAll(async () => {
    await initBackend(createLogger({ name: 'test', level: 'silent' }), 'wasm');
    pkg = await loadModelPackage(shippedModelDir());
  });

  it.each([80, 300])('raises a logging alert for a saw felling %i m away, and none for the same pink-noise forest without it', (distanceM) => {
    const rand = createRandom(`shipped-felling-${distanceM}`);
    const params = randomChainsawParams(rand.fork('params'), 'validation', { distanceM, durationSec: 75 });
    params.program = randomProgram(rand.fork('program'), 'felling', 75);
    const saw = synthesizeChainsaw(params, rand.fork('synth'), { normalizePeak: 0.3 }).samples;
    const forest = pinkNoise(saw.length, 0.01, rand.fork('bed'));
    const withSaw = saw.map((x, i) => x + forest[i]);
    const alerts = (samples: Float32Array): number => {
      const frontEnd = new LogMelFrontEnd(pkg.metadata.frontEnd);
      const k = pkg.classNames.indexOf('chainsaw');
      const { scores, windows, classes } = scoreSignal(pkg.model, frontEnd, samples);
      const hop = frontEnd.geometry.patchHopSamples;
      const presence = new SustainedPresence({ ...DEFAULT_PRESENCE, sampleRateHz: 16000, hopSec: hop / 16000, threshold: pkg.metadata.thresholds.chainsaw });
      let starts = 0;
      for (let w = 0; w < windows; w++) starts += presence.push(w * hop, w * hop + frontEnd.geometry.patchSamples, scores[w * classes + k]).filter((t) => t.type === 'start').length;
      return starts;
    };
    expect(alerts(withSaw)).toBeGreaterThanOrEqual(1);
    expect(alerts(forest)).toBe(0);
  }, 60_000);

  it('says chainsaw is synthetic-only in its metadata', () => {
    expect(pkg.metadata.weakClasses?.chainsaw).toMatch(/synthetic-only/);
  });
});
