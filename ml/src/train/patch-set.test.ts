import { describe, expect, it } from 'vitest';
import { LogMelFrontEnd } from '#shared/features/log-mel.js';
import { createRandom } from '#shared/util/random.js';
import { whiteNoise } from '#testkit/signals.js';
import { buildPatchSet, type PatchSet } from './patch-set.js';
import type { LabelledClip } from './types.js';

const frontEnd = new LogMelFrontEnd();
const clip = (id: string, seedName?: string): LabelledClip => ({ id, samples: whiteNoise(1.5, 0.2, 4), labels: ['gunshot'], group: id, ...(seedName ? { seedName } : {}) });
const patchesOf = (c: LabelledClip) => buildPatchSet([c], ['gunshot'], { frontEnd, random: createRandom('dither-1') });
const values = (set: PatchSet) => Array.from({ length: set.count }, (_, i) => Array.from(set.patch(i))).flat();

describe('buildPatchSet placement and dither', () => {
  it('draws a clip\'s placement and dither from its seedName, so a clip whose id carries its upload time repeats', () => {
    const first = patchesOf(clip('extracted_audio/gunshot/20261204_101500_shot.wav', 'upload:gunshot/shot.wav'));
    const again = patchesOf(clip('extracted_audio/gunshot/20261205_093012_shot.wav', 'upload:gunshot/shot.wav'));
    expect(first.count).toBeGreaterThan(0);
    expect(values(again)).toEqual(values(first));
    expect(again.clipIds).toEqual(['extracted_audio/gunshot/20261205_093012_shot.wav']);
  });

  it('draws them from the id when there is no seedName, and differently for another name', () => {
    const byId = values(patchesOf(clip('a.wav')));
    expect(values(patchesOf(clip('b.wav', 'a.wav')))).toEqual(byId);
    expect(values(patchesOf(clip('a.wav', 'other')))).not.toEqual(byId);
  });
});
