import { parseOnsetModel } from '#shared/detect/onset-model.js';
import type { Logger } from '#shared/util/logger.js';
import { createRandom } from '#shared/util/random.js';
import { compareTwoStage } from '#ml/honest/two-stage-compare.js';
import { chunkExamples, fineTuneOnset, hardNegativeExamples, stackExamples } from '#ml/onset/site-examples.js';
import type { OnsetExamples } from '#ml/onset/onset-examples.js';
import type { LabelledClip } from '#ml/train/index.js';
import { OriginalChunks } from './original-chunks.js';
import type { AudioOriginal, OnsetEvaluator, OnsetTrainer } from './ports.js';

/** Stage-2 settings of a retrain job. */
export interface OnsetRetrainSettings {
  /** Fine-tuning passes over the site's examples. */
  epochs: number;
  learningRate: number;
  batchSize: number;
  /**
   * Minutes of each noise colour (white, pink, brown) and level (-70..-20 dBFS)
   * in the gate's stationary-noise check: 1 keeps the job short (12 minutes of
   * noise per model); the offline test of the shipped model uses 10.
   */
  stationaryMinutes: number;
  /** Modelled confuser scenes in the gate's confuser check (npm run eval's count; 0 skips it). */
  confuserScenes: number;
}

export const DEFAULT_ONSET_RETRAIN: Readonly<OnsetRetrainSettings> = Object.freeze({
  epochs: 5,
  learningRate: 1e-4,
  batchSize: 128,
  stationaryMinutes: 1,
  confuserScenes: 500,
});


function asClip(o: AudioOriginal): LabelledClip {
  return { id: o.id, samples: o.samples, labels: [o.label], group: o.id };
}

/** The OnsetTrainer port over ml/src/onset's site examples and warm-started fine-tuning. */
export function sharedOnsetTrainer(logger: Logger, settings: OnsetRetrainSettings = DEFAULT_ONSET_RETRAIN): OnsetTrainer {
  return {
    async train(input, o) {
      const rand = createRandom(`onset-retrain-${o.seed}`);
      const parts: { examples: OnsetExamples; hard: boolean }[] = [];
      let originals = 0;
      let hardNegativeClips = 0;
      let n = 0;
      for await (const chunk of input.chunks) {
        if (o.signal.aborted) throw new Error('job cancelled: the service is shutting down');
        // Each original's samples are read once here (held ones come from the scratch file).
        const clips = chunk.map(asClip);
        parts.push({ examples: chunkExamples(clips, rand.fork(`chunk-${n}`)), hard: false });
        const hard = clips.filter((_, i) => input.isHardNegative(chunk[i]));
        if (hard.length > 0) parts.push({ examples: hardNegativeExamples(hard, rand.fork(`hard-${n}`)), hard: true });
        originals += chunk.length;
        hardNegativeClips += hard.length;
        n++;
      }
      const examples = stackExamples(parts);
      parts.length = 0;
      const tuned = await fineTuneOnset(o.base, examples, {
        version: o.version, epochs: settings.epochs, learningRate: settings.learningRate, batchSize: settings.batchSize, seed: o.seed,
        logger: logger.child({ stage: 'onset' }),
      });
      const t = tuned.training;
      o.log(`stage 2: fine-tuned ${o.base.version} on ${t.examples} onset examples of ${originals} originals (${t.positives} positive, ${t.negatives} negative, `
        + `${t.hardNegativeExamples} of them from ${hardNegativeClips} reviewed "not a gunshot" clip(s)), ${t.epochs} epochs, final loss ${t.finalLoss?.toFixed(4) ?? '-'}`);
      return { ...tuned, training: { ...t, originals, hardNegativeClips } };
    },
  };
}

/** The OnsetEvaluator port over ml/src/honest's two-stage comparison. */
export function sharedOnsetEvaluator(settings: Pick<OnsetRetrainSettings, 'stationaryMinutes' | 'confuserScenes'> = DEFAULT_ONSET_RETRAIN): OnsetEvaluator {
  return {
    async compare(current, candidate, originals, seed) {
      const models = { current: parseOnsetModel(current, 'current stage 2'), candidate: parseOnsetModel(candidate, 'candidate stage 2') };
      return compareTwoStage(models, evalChunks(originals), { seed, stationaryMinutes: settings.stationaryMinutes, confuserScenes: settings.confuserScenes });
    },
  };
}

/**
 * The evaluation originals a chunk at a time (the training chunks' bounds),
 * each chunk's samples read when it is placed.
 */
function* evalChunks(originals: readonly AudioOriginal[]): Generator<LabelledClip[]> {
  const grouped = new OriginalChunks();
  for (const o of originals) {
    const chunk = grouped.add(o);
    if (chunk) yield chunk.map(asClip);
  }
  const last = grouped.rest();
  if (last.length > 0) yield last.map(asClip);
}
