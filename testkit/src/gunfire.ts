import { randomGunshotParams, synthesizeGunshot, type GunshotOverrides, type SynthesizedGunshot } from '#ml/synth/index.js';
import { createRandom } from '#shared/util/random.js';

/**
 * Adds a physically modelled gunshot scene (ml/src/synth, drawn from `seed`
 * with `overrides`) onto `audio` at `atSample`, cut where `audio` ends.
 * Returns the scene, whose arrival times are relative to `atSample`.
 */
export function addModelledGunfire(
  audio: Float32Array, atSample: number, seed: string, overrides: GunshotOverrides, durationSec?: number,
): SynthesizedGunshot {
  const rand = createRandom(seed);
  const params = { ...randomGunshotParams(rand, overrides), ...(durationSec === undefined ? {} : { durationSec }) };
  const scene = synthesizeGunshot(params, rand);
  const n = Math.min(scene.samples.length, audio.length - atSample);
  for (let k = 0; k < n; k++) audio[atSample + k] += scene.samples[k];
  return scene;
}
