import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav } from '#shared/audio/wav-decode.js';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { CLASS_NAMES } from '../dataset/classes.js';
import { LogMelFrontEnd } from '#shared/features/log-mel.js';
import { loadModelPackage, type ModelPackage } from '#shared/model/model-package.js';
import { hasSox, sox } from '#testkit/sox.js';
import { impulseTrain } from '#testkit/signals.js';
import { createLogger } from '#shared/util/logger.js';
import { evaluateRecordings } from './evaluate.js';
import { readLabelledRecordings } from './labels-tsv.js';
import { formatReport } from './report-format.js';
import { runTraining, toyData, type RunTrainingResult } from './run-training.js';
import { predictPatches } from './score-signal.js';
import { trainHead } from './train-modes.js';
import { tf } from '#shared/model/tf.js';
import { initTrainingBackend } from './training-backend.js';

/**
 * The CI quick mode end to end, on generated data: a short training run whose
 * loss must fall, a saved package that loads, and an evaluation from a labels
 * TSV over real WAV files.
 */
describe('quick training run on generated data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecosight-train-test-'));
  const logger = createLogger({ name: 'test', level: 'silent' });
  let run: RunTrainingResult;
  let pkg: ModelPackage;

  beforeAll(async () => {
    await initTrainingBackend(logger);
    run = await runTraining({
      classes: [...CLASS_NAMES],
      data: toyData(10, 7),
      outDir: join(dir, 'model'),
      version: '0.0.0-test',
      seed: 7,
      epochs: 40,
      batchSize: 32,
      patience: 40,
      maxSteps: 80,
      longNegativeMinutes: 2,
      description: 'test',
      logger,
      requireLossDrop: true,
    });
    pkg = await loadModelPackage(join(dir, 'model'));
  }, 180_000);

  afterAll(() => {
    pkg?.model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lowers the loss and records the run in the metadata', () => {
    const t = pkg.metadata.training as Record<string, unknown>;
    expect(t.lastLoss as number).toBeLessThan(t.firstLoss as number);
    expect(pkg.metadata.version).toBe('0.0.0-test');
    expect(pkg.metadata.embeddingLayer).toBe('embedding');
    expect(pkg.model.countParams()).toBeLessThanOrEqual(500_000);
    expect(Object.keys(pkg.metadata.thresholds).sort()).toEqual([...CLASS_NAMES].sort());
    expect(pkg.metadata.weakClasses?.bird).toMatch(/no training data/);
    expect(run.reportText).toMatch(/gunshot/);
  });

  it('scores an impulse train as gunshot far above silence and steady noise', () => {
    const frontEnd = new LogMelFrontEnd(pkg.metadata.frontEnd);
    const k = pkg.metadata.classes.indexOf('gunshot');
    const score = (x: Float32Array) => {
      const s = predictPatches(pkg.model, frontEnd.patches(x));
      let sum = 0;
      for (let w = 0; w < s.length / CLASS_NAMES.length; w++) sum += s[w * CLASS_NAMES.length + k];
      return sum / (s.length / CLASS_NAMES.length);
    };
    const silence = new Float32Array(16000 * 3);
    const noise = Float32Array.from({ length: 16000 * 3 }, (_, i) => 0.05 * Math.sin(i * 12.9898) * Math.cos(i * 78.233));
    const shots = score(impulseTrain(3, 0.5));
    expect(shots).toBeGreaterThan(score(silence) + 0.3);
    expect(shots).toBeGreaterThan(score(noise) + 0.3);
  });

  it.skipIf(!hasSox())('evaluates labelled WAV recordings from a labels TSV', async () => {
    // 30 s of quiet pink noise written by sox, with impulse bursts added at known times.
    const bedPath = join(dir, 'bed.wav');
    sox(['-n', '-r', '16000', '-c', '1', '-b', '16', bedPath, 'synth', '30', 'pinknoise', 'vol', '0.01']);
    const bed = decodeWav(readFileSync(bedPath)).samples;
    const onsets = [5, 14, 23];
    const shot = impulseTrain(0.5, 0.2);
    for (const t of onsets) bed.set(bed.subarray(t * 16000, t * 16000 + shot.length).map((v, i) => v + shot[i]), t * 16000);
    writeFileSync(join(dir, 'field.wav'), encodeWav16(bed, 16000));
    sox(['-n', '-r', '16000', '-c', '1', '-b', '16', join(dir, 'quiet.wav'), 'synth', '20', 'brownnoise', 'vol', '0.02']);
    const tsv = ['path\tstart_sec\tend_sec\tlabel', ...onsets.map((t) => `field.wav\t${t + 0.1}\t${t + 0.6}\tgunshot`), 'quiet.wav\t\t\tnone'].join('\n');
    writeFileSync(join(dir, 'labels.tsv'), tsv);

    const recordings = await readLabelledRecordings(join(dir, 'labels.tsv'), pkg.metadata.classes);
    expect(recordings.map((r) => r.segments.length)).toEqual([3, 0]);
    const report = evaluateRecordings(pkg, recordings);
    const gunshot = report.perClass.find((m) => m.name === 'gunshot');
    // Windows every 0.48 s over 30 s + 20 s; each 0.5 s burst fully covers 1-2 windows.
    expect(report.windows).toBe(61 + 40);
    expect(gunshot?.positives).toBeGreaterThanOrEqual(3);
    expect(report.longAudio?.events).toBe(3);
    expect(report.longAudio?.hours).toBeCloseTo(50 / 3600, 4);
    expect(report.longAudio?.detectedEvents).toBeGreaterThanOrEqual(2);
    expect(report.longAudio?.overlappedEvents).toBeGreaterThanOrEqual(report.longAudio?.detectedEvents ?? Infinity);
    expect(report.longAudio?.falseAlarms).toBeLessThanOrEqual(1);
    expect(formatReport(report)).toMatch(/event recall: \d\/3/);
    expect(formatReport(report)).toMatch(/events with any detection on them \(onset or not\): \d\/3/);
  });

  it('retrains the head alone on the frozen backbone', async () => {
    const data = toyData(4, 11);
    const result = await trainHead(pkg, data.train, data.valid, {
      classes: [...CLASS_NAMES], epochs: 2, batchSize: 32, seed: 3, patience: 2, version: '0.0.1-head',
      maxStepsPerEpoch: 10, longNegativeMinutes: 1,
    });
    const same = (a: tf.Tensor[], b: tf.Tensor[]) => a.every((t, i) => tf.max(tf.abs(tf.sub(t, b[i]))).dataSync()[0] === 0);
    for (const name of ['conv1', 'conv4', 'embedding']) {
      expect(same(result.model.getLayer(name).getWeights(), pkg.model.getLayer(name).getWeights())).toBe(true);
    }
    expect(same(result.model.getLayer('scores').getWeights(), pkg.model.getLayer('scores').getWeights())).toBe(false);
    expect(result.metadata.training?.mode).toBe('head');
    expect(result.metadata.training?.baseVersion).toBe('0.0.0-test');
    expect(result.history.length).toBeGreaterThan(0);
    result.model.dispose();
  });
});
