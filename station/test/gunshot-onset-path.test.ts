import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StationConfigSchema } from '#shared/config/station-config.js';
import { validateConfig } from '#shared/config/validate.js';
import { ONSET_EXCESS_FEATURE, ONSET_FEATURES } from '#shared/detect/onset-features.js';
import { loadOnsetModel, ONSET_MODEL_FILE, parseOnsetModel, shippedOnsetModelDir } from '#shared/detect/onset-model.js';
import { createLogger } from '#shared/util/logger.js';
import { initBackend } from '#shared/model/backend.js';
import { loadModelPackage } from '#shared/model/model-package.js';
import type { DetectionMessage } from '#shared/pipeline/types.js';
import { saveTestModel } from '#testkit/test-model.js';
import { FileSource } from '../src/capture/file-source.js';
import { buildStages } from '#shared/pipeline/stages.js';
import { stationStageOptions } from '../src/pipeline/decisions.js';
import { GunshotOnsetSink } from '../src/pipeline/gunshot-onset-sink.js';
import { onsetDirFor, withGunshotPath } from '../src/pipeline/gunshot-path.js';
import { PipelineRunner } from '../src/pipeline/runner.js';
import type { PipelineSink } from '../src/pipeline/sink.js';
import { systemClock } from '../src/core/clock.js';
import { quietLogger, tempDir, writeWav } from './helpers.js';

const RATE = 16000;

/** Stage 2 stand-in with a known rule: a trigger rising 20 dB or more is a gunshot. */
function riseModel(): ReturnType<typeof parseOnsetModel> {
  const weights = new Array<number>(ONSET_FEATURES).fill(0);
  weights[ONSET_EXCESS_FEATURE] = 30;
  return parseOnsetModel({
    format: 'ecosight-onset-mlp/1', version: 'test', inputSize: ONSET_FEATURES,
    mean: new Array<number>(ONSET_FEATURES).fill(0), std: new Array<number>(ONSET_FEATURES).fill(1),
    layers: [{ inputs: ONSET_FEATURES, outputs: 1, weights, bias: [-20], activation: 'sigmoid' }],
    threshold: 0.5, burstGapSec: 1,
  }, 'test');
}

class Collect implements PipelineSink {
  readonly messages: DetectionMessage[] = [];
  segmentStart(): void {}
  audio(): void {}
  windows(): void {}
  detection(_s: unknown, m: DetectionMessage): void {
    this.messages.push({ type: m.type, event: { ...m.event } });
  }
  segmentEnd(): void {}
  gap(): void {}
  rejected(): void {}
}

describe('two-stage gunshot path in the station pipeline', () => {
  it('replaces the window model gunshot events by onset alarms: start at the first shot to the sample, one event per burst', async () => {
    await initBackend(quietLogger(), 'wasm');
    const model = await loadModelPackage(await saveTestModel());
    const x = new Float32Array(12 * RATE);
    for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) * 0.002;
    const shots = [2 * RATE + 333, 7 * RATE + 5, 7 * RATE + 5 + 2400];
    for (const s of shots) for (let k = 0; k < 1500; k++) x[s + k] += 0.7 * Math.exp(-k / 200) * Math.sin(k * 0.8);
    const wav = writeWav(join(tempDir(), 'shots.wav'), x);
    const detection = validateConfig(StationConfigSchema, {}, 'defaults').detection;
    const inner = new Collect();
    const sink = new GunshotOnsetSink(inner, riseModel(), () => model.classNames);
    const source = new FileSource({ path: wav, realtime: false, loop: false, chunkSec: 0.5 }, systemClock);
    await new PipelineRunner(source, buildStages(model, stationStageOptions(model, detection, 32)), sink).run(new AbortController().signal);
    const gunshots = inner.messages.filter((m) => m.event.label === 'gunshot');
    const ended = gunshots.filter((m) => m.type === 'end').map((m) => m.event);
    expect(ended).toHaveLength(2);
    expect(Math.abs(ended[0].startSample - shots[0])).toBeLessThanOrEqual(4);
    expect(ended[0].shotSamples).toHaveLength(1);
    expect(Math.abs(ended[1].startSample - shots[1])).toBeLessThanOrEqual(4);
    expect(ended[1].shotSamples).toHaveLength(2);
    // Every gunshot message comes from the onset path (the test window model fires on these impulses too).
    for (const m of gunshots) expect(m.event.shotSamples).toBeDefined();
    expect(gunshots.filter((m) => m.type === 'update')).toHaveLength(1);
  });

  it('runs the shipped stage 2 when the model\'s own does not load (a release made for other features), and says so', async () => {
    const dir = tempDir();
    const onsetDir = join(dir, 'onset');
    mkdirSync(onsetDir);
    // An older release's stage 2: a well-formed file for a feature set of another size.
    const old = riseModel().file;
    writeFileSync(join(onsetDir, ONSET_MODEL_FILE), JSON.stringify({ ...old, version: 'old-release', inputSize: 310, mean: old.mean.slice(0, 310), std: old.std.slice(0, 310), layers: [{ ...old.layers[0], inputs: 310, weights: old.layers[0].weights.slice(0, 310) }] }));
    const lines: string[] = [];
    const logger = createLogger({ name: 'test', level: 'info', destination: new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }) });
    const sink = await withGunshotPath(new Collect(), () => ['gunshot'], logger, onsetDirFor(dir, undefined) ?? onsetDir);
    expect(sink).toBeInstanceOf(GunshotOnsetSink);
    expect((sink as GunshotOnsetSink).onsetModelVersion).toBe((await loadOnsetModel(shippedOnsetModelDir())).file.version);
    const warning = lines.map((l) => JSON.parse(l) as { msg: string; err?: string; level: string | number }).find((l) => l.msg.includes('the shipped one runs instead'));
    expect(warning?.err).toMatch(/inputSize/);
  });

  it('delivers an alarm with the audio that completes stage 2\'s look at the onset, not with the next windows', async () => {
    const inner = new Collect();
    const sink = new GunshotOnsetSink(inner, riseModel(), () => ['gunshot']);
    const segment = { id: 'seg-1', kind: 'mic' as const, source: 'test', startTimeMs: 0, sampleRateHz: RATE };
    await sink.segmentStart(segment);
    const x = new Float32Array(3 * RATE);
    for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) * 0.002;
    const shot = RATE + 77;
    for (let k = 0; k < 1500; k++) x[shot + k] += 0.7 * Math.exp(-k / 200) * Math.sin(k * 0.8);
    // 0.1 s chunks, as a live source delivers them; no windows() call at all.
    const chunk = RATE / 10;
    let deliveredAt = -1;
    for (let at = 0; at < x.length && deliveredAt < 0; at += chunk) {
      await sink.audio(segment, at, x.subarray(at, at + chunk));
      if (inner.messages.some((m) => m.type === 'start' && m.event.label === 'gunshot')) deliveredAt = at + chunk;
    }
    expect(deliveredAt).toBeGreaterThan(0);
    // The alarm goes out with the first chunk that holds 0.6 s after the onset (plus stage 1's block).
    expect(deliveredAt - shot).toBeGreaterThanOrEqual(0.6 * RATE);
    expect(deliveredAt - shot).toBeLessThanOrEqual(0.6 * RATE + chunk + 0.01 * RATE);
  });
});
