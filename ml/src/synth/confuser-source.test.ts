import { describe, expect, it } from 'vitest';
import { createRandom } from '#shared/util/random.js';
import { bandEnergy, countOnsets, peakAbs } from '#testkit/spectral-measures.js';
import { modelledConfusers, syntheticGunshots } from '../train/synthetic-set.js';
import { CONFUSER_KINDS, confuserSource } from './confuser-source.js';
import { synthesizeGunshot } from './gunshot.js';
import { randomGunshotParams } from './random-params.js';
import { SOURCE_RATE_HZ } from './source.js';

const TONE_HZ = 1000;
/** A 1 kHz tone under a 40 ms decay, 96 kHz. */
function tone(): Float32Array {
  return Float32Array.from({ length: 0.2 * SOURCE_RATE_HZ }, (_, i) => Math.sin((2 * Math.PI * TONE_HZ * i) / SOURCE_RATE_HZ) * Math.exp(-i / SOURCE_RATE_HZ / 0.04));
}

describe('modelled confusers', () => {
  it.each(CONFUSER_KINDS)('a %s source is 0.3 s at 96 kHz, peak 1, sounding from its start, and repeatable', (kind) => {
    const x = confuserSource(kind, createRandom(`source-${kind}`));
    expect(x.length).toBe(0.3 * SOURCE_RATE_HZ);
    expect(peakAbs(x)).toBeCloseTo(1, 6);
    expect(x.every(Number.isFinite)).toBe(true);
    // The sound is there within its first 30 ms (the longest attack is 20 ms).
    expect(peakAbs(x.subarray(0, 0.03 * SOURCE_RATE_HZ))).toBeGreaterThan(0.05);
    expect(confuserSource(kind, createRandom(`source-${kind}`))).toEqual(x);
    expect(confuserSource(kind, createRandom(`other-${kind}`))).not.toEqual(x);
  });

  it('the synthesizer renders a given source in place of the blast, through the same scene and without a crack', () => {
    const params = randomGunshotParams(createRandom('scene'), { crackProbability: 1, distanceM: 100, pattern: 'semi', shotCount: 3, reverbProbability: 0 });
    expect(params.bullet).not.toBeNull();
    const shot = synthesizeGunshot(params, createRandom('r'));
    const knocks = synthesizeGunshot(params, createRandom('r'), { sourceOf: () => tone() });
    expect(knocks.crackArrivalsSec).toEqual([]);
    expect(knocks.blastArrivalsSec).toEqual(shot.blastArrivalsSec.map((t) => t - (shot.blastArrivalsSec[0] - knocks.blastArrivalsSec[0])));
    // Three tone bursts where the three blasts were, and the tone's band holds most of the energy.
    expect(countOnsets(knocks.samples)).toHaveLength(3);
    const near = bandEnergy(knocks.samples, 900, 1100);
    expect(near / bandEnergy(knocks.samples, 50, 7900)).toBeGreaterThan(0.8);
    expect(bandEnergy(shot.samples, 900, 1100) / bandEnergy(shot.samples, 50, 7900)).toBeLessThan(0.3);
  });

  it('modelledConfusers makes scenes of every kind, never labelled gunshot, at the modelled shots\' levels, from a seed', () => {
    const beds = [{ samples: Float32Array.from({ length: 48000 }, (_, i) => 0.05 * Math.sin(i)), labels: ['wind'] }];
    const clips = modelledConfusers(60, beds, createRandom('confusers'), 'c');
    expect(new Set(clips.map((c) => c.id.split('/')[1].split('-')[0]))).toEqual(new Set(CONFUSER_KINDS));
    for (const c of clips) {
      expect(c.group).toBe('c');
      expect(c.labels).not.toContain('gunshot');
      const peakDb = 20 * Math.log10(peakAbs(c.samples));
      expect(peakDb).toBeGreaterThan(-35.01);
      expect(peakDb).toBeLessThan(-0.99);
    }
    expect(modelledConfusers(3, beds, createRandom('confusers'), 'c').map((c) => c.samples)).toEqual(clips.slice(0, 3).map((c) => c.samples));
    // The modelled shots are drawn as before: their scenes do not share the confusers' stream.
    expect(syntheticGunshots(2, beds, createRandom('confusers'), 'c')[0].samples).not.toEqual(clips[0].samples);
  });
});
