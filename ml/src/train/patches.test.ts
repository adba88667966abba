import { describe, expect, it } from 'vitest';
import { LogMelFrontEnd } from '#shared/features/log-mel.js';
import { impulseTrain } from '#testkit/signals.js';
import { createRandom } from '#shared/util/random.js';
import { clipPatches, placeOnWindows, withDither } from './patches.js';

const PATCH = 15600;
const HOP = 7680;

describe('placeOnWindows', () => {
  it('puts a short clip at varying offsets inside two overlapping windows', () => {
    const clip = new Float32Array(4000).fill(1);
    const starts = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const out = placeOnWindows(clip, PATCH, HOP, createRandom(i));
      expect(out.length).toBe(PATCH + HOP);
      const start = out.indexOf(1);
      expect(out.subarray(start, start + 4000).every((v) => v === 1)).toBe(true);
      starts.add(start);
    }
    expect(starts.size).toBeGreaterThan(10);
    expect(Math.max(...starts)).toBeGreaterThan(PATCH - 4000);
  });

  it('keeps every sample of a long clip inside whole windows', () => {
    for (const n of [PATCH, PATCH + 1, 40_000, 100_000]) {
      const out = placeOnWindows(new Float32Array(n).fill(1), PATCH, HOP, createRandom(n));
      expect((out.length - PATCH) % HOP).toBe(0);
      expect(out.reduce((a, b) => a + b, 0)).toBe(n);
    }
  });
});

describe('clipPatches', () => {
  it('marks only the patches near the clip peak as active', () => {
    const frontEnd = new LogMelFrontEnd();
    // One burst at 0.1 s, then 3 s of near silence.
    const x = withDither(new Float32Array(16000 * 4), createRandom(1), -80, -80);
    x.set(impulseTrain(0.2, 1), 1600);
    const { patches, active } = clipPatches(frontEnd, x);
    expect(patches.length).toBe(7);
    expect(active.slice(0, 1)).toEqual([true]);
    expect(active.slice(3)).toEqual([false, false, false, false]);
  });
});
