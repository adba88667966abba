import { pinkNoise } from '../augment/index.js';
import { mixAtSnr, randomGunshotParams, synthesizeGunshot } from '../synth/index.js';
import type { Random } from '../util/random.js';
import type { LabelledClip } from './types.js';

/** Range of event SNR (synth/mix.ts definition: loudest 50 ms vs background), dB. */
export const SYNTHETIC_SNR_DB: readonly [number, number] = [5, 30];

/**
 * Physically modelled gunshot scenes (shared/src/synth: 20 m - 1.5 km, single
 * shots and bursts, cracks, ground, forest reverb) mixed into the given
 * backgrounds at a random SNR, then set to a random overall level. Training
 * and validation each get their own set, drawn from their own backgrounds with
 * their own random stream, so no synthetic scene or background crosses the
 * split. A fifth of the scenes go over plain pink noise instead (and all of
 * them when there are no backgrounds).
 */
export function syntheticGunshots(count: number, backgrounds: readonly { samples: Float32Array; labels: string[] }[], rand: Random, group: string): LabelledClip[] {
  const clips: LabelledClip[] = [];
  for (let i = 0; i < count; i++) {
    const r = rand.fork(i);
    const shot = synthesizeGunshot(randomGunshotParams(r.fork('params')), r.fork('synth')).samples;
    const useBed = backgrounds.length > 0 && r.chance(0.8);
    const bed = useBed ? r.pick(backgrounds) : { samples: pinkNoise(shot.length, 0.01, r.fork('pink')), labels: [] as string[] };
    const mixed = mixAtSnr(shot, bed.samples, r.uniform(SYNTHETIC_SNR_DB[0], SYNTHETIC_SNR_DB[1]), { rand: r.fork('mix') }).samples;
    const level = 10 ** (r.uniform(-35, -1) / 20) / Math.max(1e-9, peak(mixed));
    for (let k = 0; k < mixed.length; k++) mixed[k] *= level;
    clips.push({ id: `${group}/${i}`, samples: mixed, labels: ['gunshot', ...bed.labels.filter((l) => l !== 'gunshot')], group });
  }
  return clips;
}

function peak(x: Float32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}
