import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';
import type { Random } from '#shared/util/random.js';
import { peakAbs } from '../augment/waveform.js';
import { addReverb } from '../synth/reverb.js';
import { intoScene, type SceneBed } from '../train/synthetic-set.js';
import type { LabelledClip } from '../train/types.js';

/** Share of negative scenes that first get a forest reverb (the modelled shots all carry one, the real ones' reverb variant). */
const REVERB_SHARE = 0.5;

/**
 * Every negative made a scene the way a modelled gunshot scene is made
 * (`intoScene`: a training background bed at 5-30 dB in-band SNR, soft
 * clipping one time in four, a random peak level), half of them after a
 * forest reverb (T60 1-3 s, DRR 0-12 dB, as the augmentation's reverb
 * variant for a non-gunshot). Stage 2's positives all pass through such
 * processing and the plain negatives through none, so a bed, a reverb tail or
 * a flattened peak could mark a shot by itself; with these in the negatives
 * it cannot. Labels are the clip's plus its bed's; ids end in `~scene`.
 */
export function negativeScenes(negatives: readonly LabelledClip[], backgrounds: readonly SceneBed[], rand: Random): LabelledClip[] {
  return negatives.map((clip) => {
    const r = rand.fork(clip.id);
    const sound = r.chance(REVERB_SHARE) ? reverberant(clip.samples, r.fork('reverb')) : clip.samples;
    const scene = intoScene(sound, backgrounds, r.fork('scene'));
    const labels = [...new Set([...clip.labels, ...scene.bedLabels.filter((l) => l !== 'gunshot')])];
    return { ...clip, id: `${clip.id}~scene`, samples: scene.samples, lengthSamples: scene.samples.length, labels };
  });
}

/** The clip in a forest: T60 1-3 s, DRR 0-12 dB, high-frequency damping 0.3-0.8, the clip's length kept and its peak restored. */
function reverberant(x: Float32Array, r: Random): Float32Array {
  const wet = addReverb(x, { t60Sec: r.uniform(1, 3), drrDb: r.uniform(0, 12), hfDamping: r.uniform(0.3, 0.8) }, r, { sampleRateHz: SAMPLE_RATE_HZ });
  const inPeak = peakAbs(x);
  const outPeak = peakAbs(wet);
  if (outPeak > 0) for (let i = 0; i < wet.length; i++) wet[i] *= inPeak / outPeak;
  return wet;
}
