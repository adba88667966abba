import { describe, expect, it } from 'vitest';
import { ONSET_FEATURES } from '#shared/detect/onset-features.js';
import { createRandom } from '#shared/util/random.js';
import { QUIET_CONTEXT } from '#shared/detect/trigger-history.js';
import { concatExamples, examplesOf, labelOf, noiseStreams } from './onset-data.js';

describe('stage-2 examples', () => {
  it('stationary-noise streams are minutes of one colour and level each, and every trigger on them is a negative', () => {
    const streams = [...noiseStreams(40, createRandom('noise-test'))];
    expect(streams).toHaveLength(40);
    expect(streams.every((s) => s.recording.samples.length === 60 * 16000 && s.recording.placements.length === 0 && !s.gunshots)).toBe(true);
    const ex = examplesOf(streams);
    // Brown noise near -55..-40 dBFS does trigger stage 1 now and then: those are the examples.
    expect(ex.count).toBeGreaterThan(0);
    expect(Array.from(ex.labels).every((l) => l === 0)).toBe(true);
    expect(new Set(ex.sources)).toEqual(new Set(['noise']));
    expect(ex.features.length).toBe(ex.count * ONSET_FEATURES);
  }, 60_000);

  it('labels the first trigger of a shot a gunshot, leaves its follow-ons out, and calls every trigger elsewhere not a gunshot', () => {
    const shot = { id: 's', group: 's', labels: ['gunshot'], startSec: 10, endSec: 12, onsetSec: 10.2 };
    const door = { ...shot, id: 'd', labels: ['impact'] };
    const quiet = { ...QUIET_CONTEXT };
    const followOn = { ...QUIET_CONTEXT, gapSec: 0.05, recent1s: 1, recent5s: 1, previousExcessDb: 20 };
    expect(labelOf(10.2, quiet, shot, true)).toBe(1);
    expect(labelOf(10.38, { ...followOn, gapSec: 0.12 }, shot, true)).toBe(1); // a later shot of a burst
    expect(labelOf(10.25, followOn, shot, true)).toBeUndefined();
    expect(labelOf(11.5, quiet, shot, true)).toBeUndefined(); // a late echo or the clip's bed
    expect(labelOf(10.25, followOn, door, true)).toBe(0);
    expect(labelOf(10.2, quiet, shot, false)).toBe(0);
    expect(labelOf(3, quiet, undefined, true)).toBe(0);
  });

  it('concatExamples keeps rows, labels and sources in order', () => {
    const one = { features: new Float32Array(ONSET_FEATURES).fill(1), labels: Uint8Array.from([1]), count: 1, sources: ['a'] };
    const two = { features: new Float32Array(2 * ONSET_FEATURES).fill(2), labels: Uint8Array.from([0, 0]), count: 2, sources: ['b', 'c'] };
    const both = concatExamples([one, two]);
    expect(both.count).toBe(3);
    expect(Array.from(both.labels)).toEqual([1, 0, 0]);
    expect(both.sources).toEqual(['a', 'b', 'c']);
    expect([both.features[0], both.features[ONSET_FEATURES], both.features[3 * ONSET_FEATURES - 1]]).toEqual([1, 2, 2]);
  });

  it('jitter adds copies of every example at onsets moved by at most SAMPLES, with the same label and source, the same for the same seed', () => {
    const r = createRandom('jitter-test');
    const samples = Float32Array.from({ length: 8 * 16000 }, () => r.normal(0, 0.003));
    for (const at of [2, 4.5, 6.5]) {
      for (let i = 0; i < 1600; i++) samples[at * 16000 + i] += 0.5 * Math.exp(-i / 200) * Math.sin(i * 0.9);
    }
    const stream = [{ recording: { samples, placements: [] }, gunshots: false }];
    const plain = examplesOf(stream);
    expect(plain.count).toBeGreaterThanOrEqual(3);
    const jitter = () => ({ samples: 16, copies: 2, rand: createRandom('jitter-seed') });
    const jittered = examplesOf(stream, jitter());
    expect(jittered.count).toBe(3 * plain.count);
    expect(jittered.sources).toEqual(plain.sources.flatMap((s) => [s, s, s]));
    expect(Array.from(jittered.labels)).toEqual(Array.from(plain.labels).flatMap((l) => [l, l, l]));
    const row = (e: typeof plain, i: number) => Array.from(e.features.subarray(i * ONSET_FEATURES, (i + 1) * ONSET_FEATURES));
    for (let i = 0; i < plain.count; i++) {
      expect(row(jittered, 3 * i)).toEqual(row(plain, i)); // the trigger's own onset first
      expect(row(jittered, 3 * i + 1)).not.toEqual(row(plain, i));
      expect(row(jittered, 3 * i + 2)).not.toEqual(row(plain, i));
    }
    expect(Array.from(examplesOf(stream, jitter()).features)).toEqual(Array.from(jittered.features));
  });
});
