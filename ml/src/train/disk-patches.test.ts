import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LogMelFrontEnd } from '#shared/features/log-mel.js';
import { YAMNET_FRONT_END } from '#shared/features/params.js';
import { createRandom } from '#shared/util/random.js';
import { DiskPatches } from './disk-patches.js';
import { buildPatchSet } from './patch-set.js';
import type { LabelledClip } from './types.js';

const clips: LabelledClip[] = Array.from({ length: 70 }, (_, i) => {
  const rand = createRandom(`clip-${i}`);
  const samples = Float32Array.from({ length: 16000 + rand.int(0, 48000) }, () => 0.1 * (rand.next() * 2 - 1));
  return { id: `c${i}`, samples, labels: [i % 2 ? 'rain' : 'bird'], group: `c${i}` };
});

describe('DiskPatches', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecosight-patches-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the same patches as memory, in a file, with only the batch being written in memory', () => {
    const frontEnd = new LogMelFrontEnd(YAMNET_FRONT_END);
    const patchSize = YAMNET_FRONT_END.patchFrames * YAMNET_FRONT_END.melBands;
    const inMemory = buildPatchSet(clips, ['bird', 'rain'], { frontEnd, random: createRandom('d') });
    const storage = new DiskPatches(join(dir, 'sub', 'train.f32'), patchSize);
    const onDisk = buildPatchSet(clips, ['bird', 'rain'], { frontEnd, random: createRandom('d'), storage });
    expect(inMemory.count).toBeGreaterThan(300); // some flushed to the file, some still pending
    expect(onDisk.count).toBe(inMemory.count);
    expect(statSync(join(dir, 'sub', 'train.f32')).size).toBe(Math.floor(onDisk.count / 256) * 256 * patchSize * 4);
    const bits = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
    for (const i of [0, 1, 255, 256, 300, onDisk.count - 1]) {
      expect(bits(onDisk.patch(i)).equals(bits(inMemory.patch(i)))).toBe(true);
      expect([...onDisk.labels(i)]).toEqual([...inMemory.labels(i)]);
    }
    expect(onDisk.stats()).toEqual(inMemory.stats());
    storage.close();
    expect(() => onDisk.patch(0)).toThrow(/closed/);
  });
});
