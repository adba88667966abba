/**
 * One pipeline measurement in a fresh process (so peak RSS is this job's own):
 * a 10-minute 16 kHz recording read from a WAV file and pushed through
 * windower -> featurizer (-> classifier, and the two-stage gunshot detector
 * when the model has models/onset) as fast as possible.
 * Usage: node dist/bench/pipeline-bench.js features|full WAV MODEL_DIR
 */
import { WavFileReader } from '#shared/audio/wav-file-reader.js';
import { initBackend } from '#shared/model/backend.js';
import { loadModelPackage } from '#shared/model/model-package.js';
import { createLogger } from '#shared/util/logger.js';
import { buildFrontStages, buildStages } from '#shared/pipeline/stages.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadOnsetModel, ONSET_MODEL_FILE } from '#shared/detect/onset-model.js';
import { OnsetStream } from '#shared/detect/onset-stream.js';

async function main(): Promise<void> {
  const [mode, wav, modelDir] = process.argv.slice(2);
  const logger = createLogger({ name: 'bench', level: 'warn' });
  const backend = mode === 'full' ? await initBackend(logger, 'auto') : { name: 'none', simd: false };
  const model = mode === 'full' ? await loadModelPackage(modelDir) : undefined;
  const { windower, featurizer, frontEnd } = buildFrontStages(model?.metadata.frontEnd);
  const classifier = model ? buildStages(model, { maxBatch: 32 }).classifier : undefined;
  // The two-stage gunshot detector runs beside the window model when the model has one (models/onset).
  const onsetDir = join(modelDir ?? '', 'onset');
  const onset = model && existsSync(join(onsetDir, ONSET_MODEL_FILE)) ? new OnsetStream(await loadOnsetModel(onsetDir)) : undefined;
  if (classifier) classifier.classify(featurizer.featurize(windower.push(0, new Float32Array(frontEnd.geometry.patchSamples * 2)))); // warm-up
  windower.reset();
  featurizer.reset();
  const reader = new WavFileReader(wav);
  const audioSec = await reader.durationSec();
  const started = performance.now();
  let position = 0;
  let windows = 0;
  let maxScore = 0;
  for await (const chunk of reader.chunks(10)) {
    const features = featurizer.featurize(windower.push(position, chunk));
    position += chunk.length;
    windows += features.length;
    if (classifier) for (const s of classifier.classify(features)) maxScore = Math.max(maxScore, s.scores[0]);
    onset?.push(chunk);
  }
  const wallSec = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({
    mode, backend: backend.name, simd: backend.simd, audioSec, wallSec, windows, maxGunshotScore: maxScore,
    onsetTriggersPerHour: onset ? (onset.triggers * 3600) / audioSec : null,
    onsetScoredPerHour: onset ? (onset.scored * 3600) / audioSec : null,
    realtimeFactor: audioSec / wallSec, msPerWindow: (wallSec * 1000) / windows, peakRssMb: process.resourceUsage().maxRSS / 1024,
  }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
