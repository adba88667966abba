import { describe, expect, it } from 'vitest';
import { CHUNK_ORIGINALS, CHUNK_SAMPLES, OriginalChunks } from './original-chunks.js';
import type { AudioOriginal } from './ports.js';

/** An original of `lengthSamples` held on disk (its samples are not read for its length). */
const original = (i: number, lengthSamples: number): AudioOriginal => ({
  id: `o${i}`, key: `o${i}.wav`, label: 'background', source: 'upload', labelledAt: '2026-01-01T00:00:00.000Z',
  samples: new Float32Array(0), lengthSamples, sampleRateHz: 16000, durationSec: lengthSamples / 16000,
});

function chunkSizes(lengths: number[]): number[] {
  const grouped = new OriginalChunks();
  const sizes: number[] = [];
  lengths.forEach((n, i) => {
    const chunk = grouped.add(original(i, n));
    if (chunk) sizes.push(chunk.length);
  });
  const rest = grouped.rest();
  if (rest.length > 0) sizes.push(rest.length);
  return sizes;
}

describe('OriginalChunks', () => {
  it('closes a chunk at CHUNK_ORIGINALS short originals, and keeps the rest for last', () => {
    expect(chunkSizes(new Array<number>(2 * CHUNK_ORIGINALS + 10).fill(16000))).toEqual([CHUNK_ORIGINALS, CHUNK_ORIGINALS, 10]);
  });

  it('closes a chunk with the original that reaches CHUNK_SAMPLES, and loses none', () => {
    const lengths = new Array<number>(7).fill(Math.ceil(CHUNK_SAMPLES * 0.4));
    // 0.4 + 0.4 < 1 < 0.4 * 3: every third original ends a chunk.
    expect(chunkSizes(lengths)).toEqual([3, 3, 1]);
    expect(chunkSizes([])).toEqual([]);
  });
});
