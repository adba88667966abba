import { pinkNoise } from '../augment/index.js';
import { backgroundExcerpt, mixAtSnr, randomChainsawParams, synthesizeChainsaw, type ChainsawParamSplit } from '../synth/index.js';
import type { Random } from '#shared/util/random.js';
import { highPass } from './synthetic-set.js';
import type { LabelledClip } from './types.js';

/**
 * In-band SNR of the synthetic saws, dB (synth/mix.ts's definition: loudest
 * 50 ms against the background's mean power, above 125 Hz). Lower than the
 * gunshots': a saw is steady, so its loudest 50 ms is close to its mean, and a
 * distant saw barely above the forest is exactly what a station must hear.
 */
export const CHAINSAW_SNR_DB: readonly [number, number] = [0, 25];
const BAND_LOW_HZ = 125;

export interface ChainsawSetOptions {
  /** Which engines to draw (chainsaw-params.ts): training and validation use disjoint parameter bins. */
  split: ChainsawParamSplit;
  /** Scene length, s. Default [3, 6] (long enough for a rev-up or a cut, short enough to keep patch counts sane). */
  durationSec?: readonly [number, number];
}

/** Distance of each scene, kept for per-distance-band metrics. */
export interface ChainsawClip extends LabelledClip {
  distanceM: number;
}

/**
 * Synthetic chainsaw scenes (ml/src/synth: idle, blips, rev-ups, cuts,
 * felling; 20 m - 1 km) mixed into the given backgrounds at a random in-band
 * SNR, then set to a random overall level. Backgrounds with engines
 * ('vehicle') are not used as beds: engines are the saw's look-alikes and
 * must stay pure negatives. A fifth of the scenes go over pink noise.
 */
export function syntheticChainsaws(
  count: number, backgrounds: readonly { samples: Float32Array; labels: string[] }[], rand: Random, group: string, opts: ChainsawSetOptions,
): ChainsawClip[] {
  const beds = backgrounds.filter((b) => !b.labels.includes('vehicle') && !b.labels.includes('chainsaw'));
  const clips: ChainsawClip[] = [];
  for (let i = 0; i < count; i++) {
    const r = rand.fork(i);
    const params = randomChainsawParams(r.fork('params'), opts.split, { durationSec: opts.durationSec ?? [3, 6] });
    const saw = synthesizeChainsaw(params, r.fork('synth')).samples;
    const useBed = beds.length > 0 && r.chance(0.8);
    const bed = useBed ? r.pick(beds) : { samples: pinkNoise(saw.length, 0.01, r.fork('pink')), labels: [] as string[] };
    const snrDb = r.uniform(CHAINSAW_SNR_DB[0], CHAINSAW_SNR_DB[1]);
    const probe = mixAtSnr(highPass(saw, BAND_LOW_HZ), highPass(bed.samples, BAND_LOW_HZ), snrDb, { rand: r.fork('mix'), peakLimit: Infinity });
    const excerpt = backgroundExcerpt(bed.samples, saw.length, probe.backgroundOffset);
    const mixed = new Float32Array(saw.length);
    let peak = 0;
    for (let k = 0; k < mixed.length; k++) {
      mixed[k] = saw[k] * probe.signalGain + excerpt[k] * probe.backgroundGain;
      peak = Math.max(peak, Math.abs(mixed[k]));
    }
    const level = 10 ** (r.uniform(-35, -3) / 20) / Math.max(1e-9, peak);
    for (let k = 0; k < mixed.length; k++) mixed[k] *= level;
    clips.push({
      id: `${group}/${i}`, samples: mixed, labels: ['chainsaw', ...bed.labels.filter((l) => l !== 'chainsaw')], group,
      distanceM: params.propagation.distanceM,
    });
  }
  return clips;
}
