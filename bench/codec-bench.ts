/**
 * `npm run bench:codecs`: what each clip codec costs and what it does to the model.
 * Real recordings from the training packages (~/.cache/ecosight/data, built by
 * `npm run data:fetch`), a few per class; each is encoded as a station clip would
 * be, decoded as the cloud does, and scored by the shipped model before and after.
 * Pinned to one core (taskset) when available. Prints tables and a JSON line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeWav } from '#shared/audio/wav-decode.js';
import { initBackend } from '#shared/model/backend.js';
import { loadModelPackage, shippedModelDir } from '#shared/model/model-package.js';
import { createLogger } from '#shared/util/logger.js';
import { addModelledGunfire } from '#testkit/gunfire.js';
import { whiteNoise } from '#testkit/signals.js';
import { clipEncoderFor, type ClipEncoderConfig } from '../station/src/pipeline/clip-encoder.js';
import { clipScores, continuousCpuSec, measureCodec, type BenchClip, type CodecFigures } from './codec-measure.js';

const CONFIGS: Array<[string, Partial<ClipEncoderConfig>]> = [
  ['wav', { codec: 'wav' }], ['flac -5', { codec: 'flac', flacLevel: 5 }], ['flac -8', { codec: 'flac', flacLevel: 8 }],
  ['opus 12k', { codec: 'opus', opusBitrateKbps: 12 }], ['opus 16k', { codec: 'opus', opusBitrateKbps: 16 }], ['opus 24k', { codec: 'opus', opusBitrateKbps: 24 }],
  ['opus 32k', { codec: 'opus', opusBitrateKbps: 32 }], ['opus 48k', { codec: 'opus', opusBitrateKbps: 48 }],
];

function pinToOneCore(): boolean {
  if (process.env.ECOSIGHT_BENCH_PINNED || spawnSync('taskset', ['--version']).status !== 0) return false;
  const res = spawnSync('taskset', ['-c', '0', process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ECOSIGHT_BENCH_PINNED: '1' } });
  process.exitCode = res.status ?? 1;
  return true;
}

/** Up to `perClass` single-label recordings per class, at most 30 s each, in a fixed order. */
function pickClips(dataDir: string, perClass: number): BenchClip[] {
  const lines = readFileSync(join(dataDir, 'index.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  const byClass = new Map<string, string[]>();
  for (const [wav, , , labels, , duration] of lines) {
    if (!wav || !labels || labels.includes(',') || !(Number(duration) <= 30)) continue;
    (byClass.get(labels) ?? byClass.set(labels, []).get(labels))?.push(wav);
  }
  const clips: BenchClip[] = [];
  for (const [label, paths] of [...byClass.entries()].sort()) {
    const sorted = paths.sort();
    const step = Math.max(1, Math.floor(sorted.length / perClass));
    for (let i = 0; i < sorted.length && clips.filter((c) => c.label === label).length < perClass; i += step) {
      const path = join(dataDir, sorted[i] as string);
      clips.push({ path, label, samples: decodeWav(readFileSync(path)).samples });
    }
  }
  return clips;
}

/**
 * Gunfire the model does call gunshot: a modelled burst (ml/src/synth) at 50-800 m over a quiet
 * forest floor, so "does a gunshot stay a gunshot" has clips over the threshold to ask it of.
 */
function modelledGunfireClips(count: number): BenchClip[] {
  const patterns = ['single', 'automatic', 'semi'] as const;
  return Array.from({ length: count }, (_, i) => {
    const samples = whiteNoise(4, 0.002, 100 + i);
    const distanceM = Math.round(50 * 16 ** (i / Math.max(1, count - 1)));
    addModelledGunfire(samples, 8000, `codec-bench-${i}`, { distanceM, pattern: patterns[i % 3] }, 3);
    return { path: `modelled-gunfire-${i}`, label: 'gunshot (modelled)', samples };
  });
}

function summarize(f: CodecFigures, classes: readonly string[], threshold: number, continuousCpu: number, continuousSec: number) {
  const g = classes.indexOf('gunshot');
  const gunshots = f.scores.filter((s) => s.label.startsWith('gunshot'));
  const dGun = gunshots.map((s) => Math.abs((s.decoded[g] ?? 0) - (s.original[g] ?? 0)));
  const dAll = f.scores.flatMap((s) => s.original.map((o, c) => Math.abs((s.decoded[c] ?? 0) - o)));
  const above = (v: number[]): boolean => (v[g] ?? 0) >= threshold;
  const minutes = f.audioSec / 60;
  return {
    codec: f.name, bytesPerMin: Math.round(f.bytes / minutes), kbps: Math.round((f.bytes * 8) / f.audioSec / 100) / 10,
    encodeCpuSecPerMin: round3(f.encodeCpuSec / minutes), encodeWallSecPerMin: round3(f.encodeWallSec / minutes),
    continuousCpuSecPerMin: round3(continuousCpu / (continuousSec / 60)), decodeMsPerMin: Math.round((f.decodeSec * 1000) / minutes),
    gunshotMeanAbsDelta: round3(mean(dGun)), gunshotMaxAbsDelta: round3(Math.max(0, ...dGun)),
    gunshotsKept: `${gunshots.filter((s) => above(s.original) && above(s.decoded)).length}/${gunshots.filter((s) => above(s.original)).length}`,
    gunshotDecisionFlips: f.scores.filter((s) => above(s.original) !== above(s.decoded)).length,
    allClassesMeanAbsDelta: round3(mean(dAll)), allClassesMaxAbsDelta: round3(Math.max(0, ...dAll)),
  };
}

const mean = (v: number[]): number => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0);
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  if (pinToOneCore()) return;
  const { values } = parseArgs({ options: { 'per-class': { type: 'string', default: '12' }, modelled: { type: 'string', default: '24' }, data: { type: 'string' } } });
  const dataDir = values.data ?? join(homedir(), '.cache', 'ecosight', 'data');
  if (!existsSync(join(dataDir, 'index.tsv'))) throw new Error(`no training data in ${dataDir}: run npm run data:fetch first`);
  const logger = createLogger({ name: 'codec-bench', level: 'warn' });
  const backend = await initBackend(logger, 'auto');
  const pkg = await loadModelPackage(shippedModelDir());
  const clips = [...pickClips(dataDir, Number(values['per-class'])), ...modelledGunfireClips(Number(values.modelled))];
  const threshold = pkg.metadata.thresholds.gunshot ?? 0.5;
  const originals = new Map(clips.map((c) => [c.path, clipScores(pkg, c.samples)]));
  const continuous = Float32Array.from(clips.flatMap((c) => Array.from(c.samples)));
  const rows = [];
  for (const [name, partial] of CONFIGS) {
    const encoder = clipEncoderFor({ codec: 'wav', opusBitrateKbps: 24, flacLevel: 5, timeoutMs: 120_000, ...partial });
    const figures = await measureCodec(name, encoder, clips, pkg, originals);
    rows.push(summarize(figures, pkg.classNames, threshold, await continuousCpuSec(encoder, continuous), continuous.length / 16000));
    process.stderr.write(`${name} done\n`);
  }
  const audioMin = clips.reduce((n, c) => n + c.samples.length, 0) / 16000 / 60;
  process.stdout.write(`${clips.length} recordings (${audioMin.toFixed(1)} min, ${new Set(clips.map((c) => c.label)).size} classes), model ${pkg.metadata.version} (${backend.name}), gunshot threshold ${threshold}\n\n`);
  const head = ['codec', 'bytes/min', 'kbit/s', 'enc CPU s/min (per clip)', 'enc CPU s/min (continuous)', 'cloud decode ms/min', 'gunshot |d| mean', 'gunshot |d| max', 'gunshots kept', 'decision flips', 'all classes |d| mean', 'max'];
  process.stdout.write(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|\n`);
  for (const r of rows) {
    process.stdout.write(`| ${[r.codec, r.bytesPerMin, r.kbps, r.encodeCpuSecPerMin, r.continuousCpuSecPerMin, r.decodeMsPerMin, r.gunshotMeanAbsDelta, r.gunshotMaxAbsDelta, r.gunshotsKept, r.gunshotDecisionFlips, r.allClassesMeanAbsDelta, r.allClassesMaxAbsDelta].join(' | ')} |\n`);
  }
  process.stdout.write(`${JSON.stringify(rows)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`codec bench failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
