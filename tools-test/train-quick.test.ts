/**
 * The reduced training run issue 3 asks CI for: `npm run train -- --quick` on
 * the fetched Debian-package data (a few hundred steps on a subset). It must
 * finish, report a falling loss (the script fails otherwise), and write a model
 * package that loads and classifies real audio. Two runs with the same seed
 * must write identical weights: that is what lets anyone reproduce the
 * shipped model.
 *
 * Needs the data cache (`npm run data:fetch`; .ci/run fetches it before the
 * tests). On a machine without it the test is skipped and says so.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultCacheDir } from '#ml/dataset/index-file.js';
import { initBackend } from '#shared/model/backend.js';
import { loadModelPackage } from '#shared/model/model-package.js';
import { analyzeSignal } from '#shared/pipeline/analyze.js';
import { synthesizeGunshot, randomGunshotParams } from '#ml/synth/index.js';
import { createLogger } from '#shared/util/logger.js';
import { createRandom } from '#shared/util/random.js';

const TRAIN = fileURLToPath(new URL('../dist/scripts/train.js', import.meta.url));
const cacheDir = defaultCacheDir();
const haveData = existsSync(join(cacheDir, 'index.tsv'));
if (!haveData) process.stderr.write(`train-quick.test: skipped, no data cache at ${cacheDir} (run npm run data:fetch)\n`);

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TRAIN, ...args], { env: { ...process.env, ECOSIGHT_TF_BACKEND: 'wasm' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: string[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b.toString()));
    child.stderr.on('data', (b: Buffer) => chunks.push(b.toString()));
    child.on('exit', (code) => resolve({ code, output: chunks.join('') }));
  });
}

describe.skipIf(!haveData)('npm run train -- --quick on the fetched data', () => {
  const root = mkdtempSync(join(tmpdir(), 'ecosight-train-quick-'));
  const out = join(root, 'model');
  const again = join(root, 'again');
  let result: { code: number | null; output: string };
  let second: { code: number | null; output: string };

  beforeAll(async () => {
    await initBackend(createLogger({ name: 'test', level: 'silent' }), 'wasm');
    [result, second] = await Promise.all([
      run(['--quick', '--out', out, '--version', '0.0.0-ci']),
      run(['--quick', '--out', again, '--version', '0.0.0-ci']),
    ]);
  }, 20 * 60_000);

  it('finishes with a falling loss', () => {
    expect(result.code, result.output.slice(-2000)).toBe(0);
    const m = /loss: first steps ([\d.]+) -> last steps ([\d.]+)/.exec(result.output);
    expect(m, 'the loss line').not.toBeNull();
    expect(Number(m?.[2])).toBeLessThan(Number(m?.[1]));
  });

  it('is deterministic: a second run with the same seed writes the same weights and thresholds', () => {
    expect(second.code, second.output.slice(-2000)).toBe(0);
    expect(readFileSync(join(again, 'weights.bin')).equals(readFileSync(join(out, 'weights.bin')))).toBe(true);
    const thresholds = (dir: string) => (JSON.parse(readFileSync(join(dir, 'model_metadata.json'), 'utf8')) as { thresholds: unknown }).thresholds;
    expect(thresholds(again)).toEqual(thresholds(out));
  });

  it('writes a package that loads with validation metrics and classifies audio', async () => {
    const pkg = await loadModelPackage(out);
    expect(pkg.metadata.version).toBe('0.0.0-ci');
    expect(pkg.metadata.classes).toContain('gunshot');
    const training = pkg.metadata.training as { groups: { train: string[]; validation: string[] } };
    // Leave-package-out: no package on both sides.
    expect(training.groups.train.filter((g) => training.groups.validation.includes(g))).toEqual([]);
    expect(pkg.metadata.metrics).toBeDefined();
    const shot = synthesizeGunshot(randomGunshotParams(createRandom('ci-shot')), createRandom('ci-synth')).samples;
    const audio = new Float32Array(16000 * 4);
    audio.set(shot.subarray(0, Math.min(shot.length, 16000 * 2)), 16000);
    const analysis = analyzeSignal(pkg, audio);
    expect(analysis.windows.length).toBeGreaterThan(0);
    for (const w of analysis.windows) {
      expect(w.scores).toHaveLength(pkg.classNames.length);
      for (const s of w.scores) expect(s >= 0 && s <= 1).toBe(true);
    }
  });
});
