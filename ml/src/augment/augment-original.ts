import { mixAtSnr } from '../synth/mix.js';
import { simulateDistance } from '../synth/propagation.js';
import { addReverb } from '../synth/reverb.js';
import type { Random } from '#shared/util/random.js';
import { circularShift, drawGainDb, peakAbs, pinkNoise, scaled, speedChange } from './waveform.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';

/**
 * The seed's "1 -> 6" augmentation: each labelled original yields itself plus
 * five variants. All six carry the original's id as `sourceId`, so a
 * train/validation split can keep every copy of an original on the same side.
 *
 * | kind     | what                                                                 | length            |
 * |----------|----------------------------------------------------------------------|-------------------|
 * | original | the input, copied                                                    | n                 |
 * | shift    | circular shift by 10-90 % of the clip, 5 ms dip at the seam          | n                 |
 * | gain     | -12..-2 dB or +2..+12 dB, boosts limited to the clip's headroom      | n                 |
 * | mix      | a random background at a random SNR (0-20 dB, see synth/mix.ts)      | n                 |
 * | stretch  | speed change by resampling, factor 0.90-0.95 or 1.05-1.10 (pitch moves by 1/factor) | floor(n * factor) |
 * | reverb   | forest reverb (T60 1-3 s); for gunshots first moved to 100-800 m by simulateDistance | n + 0.5 s  |
 *
 * The gunshot's distance simulation lives in the reverb variant because a
 * distant shot in a forest is both duller and more reverberant; it keeps the
 * count at six. The reverb variant is rescaled to the original's peak (level
 * changes are the gain variant's job). A pitch-preserving time stretch
 * (overlap-add) is deliberately not used: on impulsive sounds it repeats or
 * smears the onset, which can fake a second shot.
 */
export type VariantKind = 'original' | 'shift' | 'gain' | 'mix' | 'stretch' | 'reverb';

export const VARIANT_KINDS: readonly VariantKind[] = ['original', 'shift', 'gain', 'mix', 'stretch', 'reverb'];

export interface OriginalClip {
  /** Stable id of the original (e.g. its storage key); becomes every variant's sourceId. */
  id: string;
  /** Mono audio at 16 kHz. */
  samples: Float32Array;
  labels: readonly string[];
}

/** A background recording; labelled ones (rain, wind...) add their labels to the mix. */
export type BackgroundClip = Float32Array | { samples: Float32Array; labels: readonly string[] };

export interface AugmentOptions {
  /** Label that gets distance simulation. Default 'gunshot'. */
  gunshotLabel: string;
  /** Shift as a fraction of the clip length. Default [0.1, 0.9]. */
  shiftFraction: readonly [number, number];
  /** Largest |gain|, dB. Default 12. */
  maxGainDb: number;
  /** Smallest |gain|, dB (so the variant differs audibly). Default 2. */
  minGainDb: number;
  /** SNR range for the mix variant, dB. Default [0, 20]. */
  snrDb: readonly [number, number];
  /** Range of |factor - 1| for the stretch variant. Default [0.05, 0.10]. */
  stretchDeviation: readonly [number, number];
  /** Reverb decay time, s. Default [1, 3] (forests). */
  t60Sec: readonly [number, number];
  /** Direct-to-reverberant ratio for non-gunshots, dB. Default [0, 12]. */
  drrDb: readonly [number, number];
  /** Audio added after the clip for the reverb tail, s. Default 0.5. */
  reverbTailSec: number;
  /** Distance at which gunshot originals are assumed recorded, m. Default [10, 30]. */
  gunshotFromM: readonly [number, number];
  /** Distance they are moved to, m (drawn log-uniformly). Default [100, 800]. */
  gunshotToM: readonly [number, number];
  /** Largest |sample| any variant may reach. Default 0.99. */
  peakLimit: number;
}

export const DEFAULT_AUGMENT_OPTIONS: Readonly<AugmentOptions> = Object.freeze<AugmentOptions>({
  gunshotLabel: 'gunshot',
  shiftFraction: [0.1, 0.9],
  maxGainDb: 12,
  minGainDb: 2,
  snrDb: [0, 20],
  stretchDeviation: [0.05, 0.1],
  t60Sec: [1, 3],
  drrDb: [0, 12],
  reverbTailSec: 0.5,
  gunshotFromM: [10, 30],
  gunshotToM: [100, 800],
  peakLimit: 0.99,
});

export interface AugmentContext {
  /** Source of every random choice. augmentOriginal forks one stream per variant from it. */
  rand: Random;
  /** Background recordings for the mix variant (16 kHz). If empty, pink noise is used. */
  backgrounds: readonly BackgroundClip[];
  options?: Partial<AugmentOptions>;
}

export interface AugmentedClip {
  /** `sourceId` for the original, `${sourceId}~${kind}` for a variant. */
  id: string;
  /** The original's id: group by this when splitting train/validation. */
  sourceId: string;
  kind: VariantKind;
  /** Mono audio at 16 kHz. */
  samples: Float32Array;
  /** The original's labels, plus a labelled background's in the mix variant. */
  labels: string[];
  /** What was drawn, with units in the names (gainDb, snrDb, factor, t60Sec...), for logs. */
  params: Record<string, number>;
}


/** Returns exactly six clips: the original and its shift, gain, mix, stretch and reverb variants, in that order. */
export function augmentOriginal(original: Readonly<OriginalClip>, ctx: Readonly<AugmentContext>): AugmentedClip[] {
  const o: AugmentOptions = { ...DEFAULT_AUGMENT_OPTIONS, ...ctx.options };
  const x = original.samples;
  const isGunshot = original.labels.includes(o.gunshotLabel);
  // One stream per variant: changing how one variant draws never changes another.
  const r = Object.fromEntries(VARIANT_KINDS.map((k) => [k, ctx.rand.fork(k)])) as Record<VariantKind, Random>;
  const clip = (kind: VariantKind, samples: Float32Array, params: Record<string, number>, labels = [...original.labels]): AugmentedClip => ({
    id: kind === 'original' ? original.id : `${original.id}~${kind}`, sourceId: original.id, kind, samples, labels, params,
  });

  const shiftSamples = Math.round(r.shift.uniform(o.shiftFraction[0], o.shiftFraction[1]) * x.length);
  const gainDb = drawGainDb(r.gain, peakAbs(x), o.maxGainDb, o.minGainDb, o.peakLimit);
  const stretchSign = r.stretch.chance(0.5) ? 1 : -1;
  const stretch = speedChange(x, 1 + stretchSign * r.stretch.uniform(o.stretchDeviation[0], o.stretchDeviation[1]), SAMPLE_RATE_HZ);

  return [
    clip('original', x.slice(), {}),
    clip('shift', circularShift(x, shiftSamples, SAMPLE_RATE_HZ), { shiftSamples }),
    clip('gain', scaled(x, 10 ** (gainDb / 20)), { gainDb }),
    mixVariant(original, ctx.backgrounds, r.mix, o, clip),
    clip('stretch', limitPeak(stretch.samples, o.peakLimit), { factor: stretch.factor }),
    reverbVariant(x, isGunshot, r.reverb, o, clip),
  ];
}

type ClipFactory = (kind: VariantKind, samples: Float32Array, params: Record<string, number>, labels?: string[]) => AugmentedClip;

function mixVariant(
  original: Readonly<OriginalClip>, backgrounds: readonly BackgroundClip[], rand: Random, o: AugmentOptions, clip: ClipFactory,
): AugmentedClip {
  const x = original.samples;
  const snrDb = rand.uniform(o.snrDb[0], o.snrDb[1]);
  let backgroundIndex = -1;
  let background: Float32Array;
  const labels = [...original.labels];
  if (backgrounds.length > 0) {
    backgroundIndex = rand.int(0, backgrounds.length);
    const chosen = backgrounds[backgroundIndex];
    background = chosen instanceof Float32Array ? chosen : chosen.samples;
    if (!(chosen instanceof Float32Array)) for (const l of chosen.labels) if (!labels.includes(l)) labels.push(l);
  } else {
    background = pinkNoise(x.length, 0.05, rand);
  }
  const mixed = mixAtSnr(x, background, snrDb, { rand, adjust: 'background', peakLimit: o.peakLimit, sampleRateHz: SAMPLE_RATE_HZ });
  return clip('mix', mixed.samples, {
    snrDb, backgroundIndex, backgroundOffset: mixed.backgroundOffset, signalGain: mixed.signalGain, backgroundGain: mixed.backgroundGain,
  }, labels);
}

function reverbVariant(x: Float32Array, isGunshot: boolean, rand: Random, o: AugmentOptions, clip: ClipFactory): AugmentedClip {
  const params: Record<string, number> = {};
  let dry = x;
  let drrDb: number;
  if (isGunshot) {
    const fromM = rand.uniform(o.gunshotFromM[0], o.gunshotFromM[1]);
    const toM = Math.max(fromM, rand.logUniform(o.gunshotToM[0], o.gunshotToM[1]));
    const foliagePathM = rand.uniform(0, Math.min(toM - fromM, 200));
    dry = simulateDistance(x, { fromM, toM, foliagePathM, spreading: false, sampleRateHz: SAMPLE_RATE_HZ }, rand);
    // The direct sound loses 6 dB per doubling of distance, the diffuse tail hardly any.
    drrDb = Math.min(20, Math.max(-6, rand.uniform(3, 12) - 20 * Math.log10(toM / 100)));
    Object.assign(params, { fromM, toM, foliagePathM });
  } else {
    drrDb = rand.uniform(o.drrDb[0], o.drrDb[1]);
  }
  const t60Sec = rand.uniform(o.t60Sec[0], o.t60Sec[1]);
  const hfDamping = rand.uniform(0.3, 0.8);
  const wet = addReverb(dry, { t60Sec, drrDb, hfDamping }, rand, { sampleRateHz: SAMPLE_RATE_HZ, tailSec: o.reverbTailSec });
  const peak = peakAbs(wet);
  const target = Math.min(peakAbs(x), o.peakLimit);
  if (peak > 0) for (let i = 0; i < wet.length; i++) wet[i] *= target / peak;
  return clip('reverb', wet, { ...params, t60Sec, drrDb, hfDamping });
}

/** Scales down in place if the peak exceeds the limit (resampling can overshoot a full-scale clip). */
function limitPeak(x: Float32Array, limit: number): Float32Array {
  const peak = peakAbs(x);
  if (peak > limit) for (let i = 0; i < x.length; i++) x[i] *= limit / peak;
  return x;
}
