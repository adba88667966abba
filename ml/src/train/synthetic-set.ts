import { pinkNoise } from '../augment/index.js';
import { backgroundExcerpt, mixAtSnr, randomGunshotParams, synthesizeGunshot } from '../synth/index.js';
import { CONFUSER_KINDS, confuserSource, type ConfuserKind } from '../synth/confuser-source.js';
import type { Random } from '#shared/util/random.js';
import type { LabelledClip } from './types.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';

/** Range of in-band event SNR (see syntheticGunshots), dB. */
export const SYNTHETIC_SNR_DB: readonly [number, number] = [5, 30];
/**
 * Share of scenes that are soft-clipped: recorders overload on a close shot,
 * and game and film sound effects are compressed and limited; the model should
 * know a gunshot with a flattened peak and a sustained roar too.
 */
const SATURATION_PROBABILITY = 0.25;
/** Lower edge of the front end's mel range: energy below it is invisible to the model. */
const BAND_LOW_HZ = 125;

/**
 * Physically modelled gunshot scenes (ml/src/synth: 20 m - 1.5 km, single
 * shots and bursts, cracks, ground, forest reverb) mixed into the given
 * backgrounds at a random SNR, then set to a random overall level. Training
 * and validation each get their own set, drawn from their own backgrounds with
 * their own random stream, so no synthetic scene or background crosses the
 * split. A fifth of the scenes go over plain pink noise instead (and all of
 * them when there are no backgrounds).
 *
 * The SNR is synth/mix.ts's (loudest 50 ms of the shot vs the background's mean
 * power) measured above 125 Hz, the front end's lowest mel band: a distant shot
 * keeps mostly its sub-125 Hz thump, and a full-band SNR would let that thump
 * "count" while the model sees nothing of it. Labels then mean "audible to
 * the model".
 */
export function syntheticGunshots(count: number, backgrounds: readonly SceneBed[], rand: Random, group: string): LabelledClip[] {
  const clips: LabelledClip[] = [];
  for (let i = 0; i < count; i++) {
    const r = rand.fork(i);
    const shot = synthesizeGunshot(randomGunshotParams(r.fork('params')), r.fork('synth')).samples;
    const scene = intoScene(shot, backgrounds, r);
    clips.push({ id: `${group}/${i}`, samples: scene.samples, labels: ['gunshot', ...scene.bedLabels.filter((l) => l !== 'gunshot')], group });
  }
  return clips;
}

/**
 * Modelled confusers: the same scenes as syntheticGunshots (distance, ground,
 * reverb, firing pattern, bed, clipping, level), each with an impulsive
 * source that is not a gunshot (confuser-source.ts: impacts, notes, clicks,
 * thuds, noise bursts; one kind per scene, one source per "shot", so a burst
 * becomes knocking or clatter) and no bullet crack. Stage 2's positives are
 * mostly modelled scenes and its negatives recordings; with these among the
 * negatives, the modelling itself (its propagation, reverb and beds) no longer
 * tells a shot, the source has to. `kinds`: which sources (default all).
 * Labels: the bed's (never gunshot).
 */
export function modelledConfusers(count: number, backgrounds: readonly SceneBed[], rand: Random, group: string, kinds: readonly ConfuserKind[] = CONFUSER_KINDS): LabelledClip[] {
  const clips: LabelledClip[] = [];
  for (let i = 0; i < count; i++) {
    const r = rand.fork(i);
    const kind = r.pick(kinds);
    const sources = r.fork('sources');
    const params = randomGunshotParams(r.fork('params'), { crackProbability: 0 });
    const sound = synthesizeGunshot(params, r.fork('synth'), { sourceOf: () => confuserSource(kind, sources) }).samples;
    const scene = intoScene(sound, backgrounds, r);
    clips.push({ id: `${group}/${kind}-${i}`, samples: scene.samples, labels: scene.bedLabels.filter((l) => l !== 'gunshot'), group });
  }
  return clips;
}

/** A background recording a scene can be laid over (labelled: rain, wind...). */
export interface SceneBed {
  samples: Float32Array;
  labels: string[];
}

/**
 * What gunshots and mix variants of a split go into: its recordings of 3 s or
 * more (ambient beds, engines, music, speech) without gunshots or explosions.
 */
export function backgroundsOf(clips: readonly LabelledClip[]): SceneBed[] {
  return clips
    .filter((c) => c.samples.length >= 3 * SAMPLE_RATE_HZ && !c.labels.includes('gunshot') && !c.labels.includes('explosion'))
    .map((c) => ({ samples: c.samples, labels: c.labels }));
}

/**
 * How a modelled scene is made of a sound: over a background bed (four times
 * in five; else plain pink noise) at an in-band SNR of SYNTHETIC_SNR_DB,
 * soft-clipped with SATURATION_PROBABILITY, then set to a peak of -35..-1
 * dBFS. The sound keeps its length. `bedLabels` are the bed's labels.
 */
export function intoScene(sound: Float32Array, backgrounds: readonly SceneBed[], r: Random): { samples: Float32Array; bedLabels: string[] } {
  const useBed = backgrounds.length > 0 && r.chance(0.8);
  const bed = useBed ? r.pick(backgrounds) : { samples: pinkNoise(sound.length, 0.01, r.fork('pink')), labels: [] as string[] };
  const snrDb = r.uniform(SYNTHETIC_SNR_DB[0], SYNTHETIC_SNR_DB[1]);
  // Gains from the in-band parts, applied to the full-band signals.
  const probe = mixAtSnr(highPass(sound, BAND_LOW_HZ), highPass(bed.samples, BAND_LOW_HZ), snrDb, { rand: r.fork('mix'), peakLimit: Infinity });
  const excerpt = backgroundExcerpt(bed.samples, sound.length, probe.backgroundOffset);
  const mixed = new Float32Array(sound.length);
  for (let k = 0; k < mixed.length; k++) mixed[k] = sound[k] * probe.signalGain + excerpt[k] * probe.backgroundGain;
  if (r.chance(SATURATION_PROBABILITY)) saturate(mixed, r.uniform(2, 8));
  const level = 10 ** (r.uniform(-35, -1) / 20) / Math.max(1e-9, peak(mixed));
  for (let k = 0; k < mixed.length; k++) mixed[k] *= level;
  return { samples: mixed, bedLabels: bed.labels };
}

/** Second-order Butterworth high-pass (RBJ biquad), 16 kHz. */
export function highPass(x: Float32Array, cutoffHz: number, sampleRateHz = SAMPLE_RATE_HZ): Float32Array {
  const w = (2 * Math.PI * cutoffHz) / sampleRateHz;
  const alpha = Math.sin(w) / Math.SQRT2;
  const cos = Math.cos(w);
  const a0 = 1 + alpha;
  const b0 = (1 + cos) / 2 / a0;
  const b1 = -(1 + cos) / a0;
  const b2 = b0;
  const a1 = (-2 * cos) / a0;
  const a2 = (1 - alpha) / a0;
  const y = new Float32Array(x.length);
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = b0 * x[i] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
    x2 = x1;
    x1 = x[i];
    y2 = y1;
    y1 = v;
    y[i] = v;
  }
  return y;
}

/** tanh soft clipping with the given drive (peak normalised first), in place. */
function saturate(x: Float32Array, drive: number): void {
  const p = Math.max(1e-9, peak(x));
  const norm = Math.tanh(drive);
  for (let i = 0; i < x.length; i++) x[i] = (Math.tanh((drive * x[i]) / p) / norm) * p;
}

function peak(x: Float32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}
