import { describe, expect, it } from 'vitest';
import { createRandom } from '#shared/util/random.js';
import type { LabelledClip } from '../train/types.js';
import { negativeScenes } from './negative-scenes.js';
import { trainingStreams } from './onset-data.js';

const RATE = 16000;

/** A door-like knock: a decaying 400 Hz burst after 0.2 s of silence. */
function knock(id: string, seconds: number): LabelledClip {
  const samples = new Float32Array(seconds * RATE);
  for (let i = 0.2 * RATE; i < samples.length; i++) {
    const t = (i - 0.2 * RATE) / RATE;
    samples[i] = 0.5 * Math.exp(-t * 30) * Math.sin(2 * Math.PI * 400 * t);
  }
  return { id, samples, labels: ['impact'], group: 'pkg' };
}

function rain(seconds: number, seed: string): { samples: Float32Array; labels: string[] } {
  const r = createRandom(seed);
  return { samples: Float32Array.from({ length: seconds * RATE }, () => r.uniform(-0.1, 0.1)), labels: ['rain'] };
}

const peakDb = (x: Float32Array) => 20 * Math.log10(x.reduce((m, v) => Math.max(m, Math.abs(v)), 0));

describe('negative scenes', () => {
  const clips = Array.from({ length: 40 }, (_, i) => knock(`pkg/knock-${i}.wav`, 1 + (i % 3)));
  const beds = [rain(5, 'bed-a'), rain(4, 'bed-b')];

  it('makes every negative a scene of its own length and labels, over a bed, at a drawn level', () => {
    const scenes = negativeScenes(clips, beds, createRandom('scenes'));
    expect(scenes).toHaveLength(clips.length);
    scenes.forEach((s, i) => {
      expect(s.id).toBe(`${clips[i].id}~scene`);
      expect(s.group).toBe('pkg');
      expect(s.samples.length).toBe(clips[i].samples.length);
      expect(s.labels).toContain('impact');
      expect(s.labels).not.toContain('gunshot');
      expect(peakDb(s.samples)).toBeGreaterThan(-35.01);
      expect(peakDb(s.samples)).toBeLessThan(-0.99);
      // The bed fills the knock's silent lead-in.
      expect(s.samples.subarray(0, 0.2 * RATE).some((v) => v !== 0)).toBe(true);
    });
    // Four in five go over a background, which adds its label; the rest over pink noise.
    const overRain = scenes.filter((s) => s.labels.includes('rain')).length;
    expect(overRain).toBeGreaterThan(20);
    expect(overRain).toBeLessThan(40);
    // The originals are untouched.
    expect(clips[0].samples.subarray(0, 0.2 * RATE).every((v) => v === 0)).toBe(true);
  });

  it('draws the same scenes from the same seed and other scenes from another', () => {
    const a = negativeScenes(clips.slice(0, 5), beds, createRandom('same'));
    const b = negativeScenes(clips.slice(0, 5), beds, createRandom('same'));
    const c = negativeScenes(clips.slice(0, 5), beds, createRandom('other'));
    expect(a.map((s) => Array.from(s.samples))).toEqual(b.map((s) => Array.from(s.samples)));
    expect(a[0].samples).not.toEqual(c[0].samples);
  });

  it('trainingStreams places the plain negatives in the first pass and their scenes in every later one', () => {
    const negatives = clips.slice(0, 6);
    const audio = { negatives, positives: [], negativeScenes: negativeScenes(negatives, beds, createRandom('streams')) };
    const streams = [...trainingStreams(audio, createRandom('placing'), 3)];
    expect(streams).toHaveLength(3);
    expect(streams.every((s) => !s.gunshots)).toBe(true);
    const ids = streams.map((s) => s.recording.placements.map((p) => p.id).sort());
    expect(ids[0]).toEqual(negatives.map((c) => c.id).sort());
    expect(ids[1]).toEqual(negatives.map((c) => `${c.id}~scene`).sort());
    expect(ids[2]).toEqual(ids[1]);
    // Without scenes every pass places the plain clips.
    const plain = [...trainingStreams({ negatives, positives: [] }, createRandom('placing'), 2)];
    expect(plain.map((s) => s.recording.placements.map((p) => p.id).sort())).toEqual([ids[0], ids[0]]);
  });
});
