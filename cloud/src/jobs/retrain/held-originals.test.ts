import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HeldAudioError, HeldOriginals } from './held-originals.js';
import type { AudioOriginal } from './ports.js';

const original = (i: number, n: number): AudioOriginal => ({
  id: `o${i}`, key: `uploads/o${i}.wav`, label: i % 2 ? 'gunshot' : 'rain', source: 'upload', labelledAt: '2026-01-01T00:00:00.000Z',
  samples: Float32Array.from({ length: n }, (_, k) => Math.sin(k * (i + 1)) * 0.5 + 1e-7 * k), sampleRateHz: 16000, durationSec: n / 16000,
});

describe('HeldOriginals', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecosight-held-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the audio in its scratch file and gives back exactly the samples written, on every read', () => {
    const path = join(dir, 'work', 'held.f32');
    const held = new HeldOriginals(path);
    const originals = [original(0, 64000), original(1, 3), original(2, 40000)];
    const kept = originals.map((o) => held.add(o));
    expect(statSync(path).size).toBe((64000 + 3 + 40000) * 4);
    expect(held.bytes).toBe((64000 + 3 + 40000) * 4);
    for (const [i, o] of kept.entries()) {
      expect({ ...o, samples: undefined }).toEqual({ ...originals[i], samples: undefined, lengthSamples: originals[i].samples.length });
      const bits = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
      expect(bits(o.samples).equals(bits(originals[i].samples))).toBe(true);
      expect(bits(o.samples).equals(bits(originals[i].samples))).toBe(true);
    }
    held.close();
    expect(() => kept[0].samples).toThrow(HeldAudioError);
  });
});
