import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#shared/model/backend.js';
import { loadModelPackage, type ModelPackage } from '#shared/model/model-package.js';
import { impulseTrain, whiteNoise } from '#testkit/signals.js';
import { saveTestModel } from '#testkit/test-model.js';
import { createLogger } from '#shared/util/logger.js';
import { formatHardExamples, hardExamples } from './hard-examples.js';
import type { LabelledClip } from './types.js';

describe('hard examples: where the gunshot errors come from, clip by clip', () => {
  let pkg: ModelPackage;
  beforeAll(async () => {
    await initBackend(createLogger({ name: 'test', level: 'silent' }), 'wasm');
    // The test model calls any impulsive patch a gunshot.
    pkg = await loadModelPackage(await saveTestModel());
  });

  const clicks = (seconds: number) => {
    const x = whiteNoise(seconds, 0.001, 5);
    x.set(impulseTrain(0.5, 0.5), 8000);
    return x;
  };
  const clips: LabelledClip[] = [
    { id: 'door-slam', samples: clicks(2), labels: [], group: 'pkg-a' },
    { id: 'hum', samples: whiteNoise(2, 0.001, 7), labels: [], group: 'pkg-a' },
    { id: 'real-shot', samples: clicks(2), labels: ['gunshot'], group: 'pkg-b' },
    { id: 'real-quiet', samples: whiteNoise(1, 0.001, 8), labels: ['gunshot'], group: 'pkg-b' },
    { id: 'synthetic-validation/0', samples: clicks(2), labels: ['gunshot'], group: 'synthetic-validation' },
    { id: 'synthetic-validation/1', samples: whiteNoise(2, 0.001, 9), labels: ['gunshot'], group: 'synthetic-validation' },
  ];

  it('ranks impulsive negatives first, real positives from the weakest, and counts synthetic scenes reaching each threshold', () => {
    const h = hardExamples(pkg, clips, 'gunshot', 5);
    expect(h.worstNegatives.map((s) => s.id)).toEqual(['door-slam', 'hum']);
    expect(h.worstNegatives[0].maxScore).toBeGreaterThan(0.9);
    expect(h.worstNegatives[1].maxScore).toBeLessThan(0.1);
    expect(h.realPositives.map((s) => s.id)).toEqual(['real-quiet', 'real-shot']);
    expect(h.syntheticPositives).toBe(2);
    expect(h.syntheticReach.find((r) => r.threshold === 0.9)?.share).toBe(0.5);
    const text = formatHardExamples(h);
    expect(text).toContain('door-slam');
    expect(text).toContain('2 synthetic scenes');
  });

  it('refuses a class the model does not have', () => {
    expect(() => hardExamples(pkg, clips, 'dragon')).toThrow(/no class "dragon"/);
  });
});
