import { describe, expect, it } from 'vitest';
import { impulseTrain, sine, whiteNoise } from '#testkit/signals.js';
import { backgroundExcerpt, eventSnrDb } from '../synth/mix.js';
import { bandEnergy } from '#testkit/spectral-measures.js';
import { createRandom } from '#shared/util/random.js';
import { augmentOriginal, VARIANT_KINDS, type AugmentedClip, type OriginalClip } from './augment-original.js';
import { circularShift, drawGainDb, peakAbs } from './waveform.js';

const birdish: OriginalClip = { id: 'uploads/bird/a.wav', samples: mixOf(sine(3000, 1.5, 16000, 0.3), impulseTrain(1.5, 0.37, 16000, 0.2)), labels: ['bird'] };
const shot: OriginalClip = { id: 'uploads/gunshot/b.wav', samples: impulseTrain(1.2, 0.6, 16000, 0.8, 3), labels: ['gunshot'] };
const backgrounds = [whiteNoise(3, 0.05, 21), { samples: whiteNoise(0.7, 0.1, 22), labels: ['rain'] }];

function mixOf(a: Float32Array, b: Float32Array): Float32Array {
  return a.map((v, i) => v + b[i]);
}

function byKind(clips: AugmentedClip[]): Record<string, AugmentedClip> {
  return Object.fromEntries(clips.map((c) => [c.kind, c]));
}

describe('augmentOriginal', () => {
  it('turns one original into exactly six clips that all point back to it', () => {
    const clips = augmentOriginal(birdish, { rand: createRandom(1), backgrounds });
    expect(clips.map((c) => c.kind)).toEqual([...VARIANT_KINDS]);
    expect(new Set(clips.map((c) => c.id)).size).toBe(6);
    for (const c of clips) expect(c.sourceId).toBe(birdish.id);
    expect(clips[0].id).toBe(birdish.id);
    expect(clips[1].id).toBe(`${birdish.id}~shift`);
  });

  it('makes six different signals', () => {
    for (const original of [birdish, shot]) {
      const clips = augmentOriginal(original, { rand: createRandom(2), backgrounds });
      for (let i = 0; i < clips.length; i++) {
        for (let j = i + 1; j < clips.length; j++) {
          const a = clips[i].samples;
          const b = clips[j].samples;
          const same = a.length === b.length && a.every((v, k) => Math.abs(v - b[k]) < 1e-6);
          expect(same, `${clips[i].kind} vs ${clips[j].kind}`).toBe(false);
        }
      }
    }
  });

  it('follows the length rules and leaves the input untouched', () => {
    const before = birdish.samples.slice();
    const c = byKind(augmentOriginal(birdish, { rand: createRandom(3), backgrounds }));
    const n = birdish.samples.length;
    expect(birdish.samples).toEqual(before);
    expect(c.original.samples).toEqual(birdish.samples);
    expect(c.original.samples).not.toBe(birdish.samples);
    for (const kind of ['shift', 'gain', 'mix']) expect(c[kind].samples.length).toBe(n);
    const factor = c.stretch.params.factor;
    expect(Math.abs(factor - 1)).toBeGreaterThanOrEqual(0.05 - 1e-4);
    expect(Math.abs(factor - 1)).toBeLessThanOrEqual(0.1 + 1e-4);
    expect(c.stretch.samples.length).toBe(Math.floor(n * factor));
    expect(c.reverb.samples.length).toBe(n + 8000);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = augmentOriginal(shot, { rand: createRandom(4), backgrounds });
    const b = augmentOriginal(shot, { rand: createRandom(4), backgrounds });
    const c = augmentOriginal(shot, { rand: createRandom(5), backgrounds });
    a.forEach((clip, i) => {
      expect(clip.samples).toEqual(b[i].samples);
      expect(clip.params).toEqual(b[i].params);
    });
    expect(a[1].samples).not.toEqual(c[1].samples);
  });

  it('shifts circularly, keeping all the content', () => {
    const c = byKind(augmentOriginal(shot, { rand: createRandom(6), backgrounds }));
    const s = c.shift.params.shiftSamples;
    expect(s / shot.samples.length).toBeGreaterThanOrEqual(0.1);
    expect(s / shot.samples.length).toBeLessThanOrEqual(0.9);
    // Away from the 5 ms seam dip, sample i of the variant is sample i - s of the original.
    for (const i of [s + 200, s + 5000, s - 300]) {
      const j = ((i % shot.samples.length) + shot.samples.length) % shot.samples.length;
      expect(c.shift.samples[j]).toBe(shot.samples[(j - s + shot.samples.length) % shot.samples.length]);
    }
  });

  it('changes the gain by 2-12 dB without clipping', () => {
    for (let seed = 0; seed < 10; seed++) {
      const c = byKind(augmentOriginal(shot, { rand: createRandom(seed), backgrounds }));
      const g = c.gain.params.gainDb;
      expect(Math.abs(g)).toBeGreaterThanOrEqual(2);
      expect(Math.abs(g)).toBeLessThanOrEqual(12);
      expect(peakAbs(c.gain.samples)).toBeLessThanOrEqual(0.99 + 1e-6);
      expect(20 * Math.log10(peakAbs(c.gain.samples) / peakAbs(shot.samples))).toBeCloseTo(g, 4);
    }
  });

  it('mixes a background in at the SNR it reports, adding a labelled background\'s labels', () => {
    let sawRain = false;
    for (let seed = 0; seed < 8; seed++) {
      const c = byKind(augmentOriginal(birdish, { rand: createRandom(seed), backgrounds }));
      const p = c.mix.params;
      expect(p.snrDb).toBeGreaterThanOrEqual(0);
      expect(p.snrDb).toBeLessThanOrEqual(20);
      const bgClip = backgrounds[p.backgroundIndex];
      const bgSamples = bgClip instanceof Float32Array ? bgClip : bgClip.samples;
      const part = backgroundExcerpt(bgSamples, birdish.samples.length, p.backgroundOffset).map((v) => v * p.backgroundGain);
      const signal = birdish.samples.map((v) => v * p.signalGain);
      expect(eventSnrDb(signal, part)).toBeCloseTo(p.snrDb, 5);
      // The mix is exactly the two parts added.
      expect(c.mix.samples[1000]).toBeCloseTo(signal[1000] + part[1000], 6);
      if (p.backgroundIndex === 1) {
        sawRain = true;
        expect(c.mix.labels).toEqual(['bird', 'rain']);
      } else {
        expect(c.mix.labels).toEqual(['bird']);
      }
    }
    expect(sawRain).toBe(true);
  });

  it('falls back to pink noise without backgrounds', () => {
    const c = byKind(augmentOriginal(birdish, { rand: createRandom(1), backgrounds: [] }));
    expect(c.mix.params.backgroundIndex).toBe(-1);
    expect(c.mix.samples).not.toEqual(birdish.samples);
  });

  it('moves gunshots away (duller) before the reverb, and only gunshots', () => {
    const tilt = (x: Float32Array): number => bandEnergy(x, 2000, 8000) / bandEnergy(x, 20, 1000);
    for (let seed = 0; seed < 5; seed++) {
      const c = byKind(augmentOriginal(shot, { rand: createRandom(seed), backgrounds }));
      expect(c.reverb.params.toM).toBeGreaterThanOrEqual(100);
      expect(c.reverb.params.toM).toBeLessThanOrEqual(800);
      expect(tilt(c.reverb.samples)).toBeLessThan(tilt(shot.samples));
      expect(peakAbs(c.reverb.samples)).toBeCloseTo(peakAbs(shot.samples), 5);
    }
    const bird = byKind(augmentOriginal(birdish, { rand: createRandom(1), backgrounds }));
    expect(bird.reverb.params.toM).toBeUndefined();
    expect(bird.reverb.params.t60Sec).toBeGreaterThanOrEqual(1);
    expect(bird.reverb.params.t60Sec).toBeLessThanOrEqual(3);
  });
});

describe('waveform helpers', () => {
  it('shifts by whole samples with a click-free seam', () => {
    const x = sine(200, 0.5, 16000, 0.5);
    const y = circularShift(x, 3000);
    let maxStep = 0;
    for (let i = 1; i < y.length; i++) maxStep = Math.max(maxStep, Math.abs(y[i] - y[i - 1]));
    expect(maxStep).toBeLessThan(0.05); // a 200 Hz sine at 0.5 moves <= 0.04 per sample
    expect(circularShift(x, x.length)).toEqual(x);
  });

  it('draws only cuts when the clip has no headroom', () => {
    const r = createRandom(3);
    for (let i = 0; i < 100; i++) {
      const g = drawGainDb(r, 0.98, 12, 2, 0.99);
      expect(g).toBeLessThanOrEqual(-2);
      expect(g).toBeGreaterThanOrEqual(-12);
    }
    let boosts = 0;
    for (let i = 0; i < 200; i++) if (drawGainDb(r, 0.1, 12, 2, 0.99) > 0) boosts++;
    expect(boosts).toBeGreaterThan(60);
  });
});
