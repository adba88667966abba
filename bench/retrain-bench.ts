/**
 * `npm run bench:retrain`: the seed-scale retrain (issue 16). Generates N
 * labelled originals of 4 s in four classes (default 3,500, the seed's scale)
 * into a fresh folder-storage cloud, then runs one `retrain` job in a child
 * process and prints seconds per stage and the child's peak RSS.
 *   npm run bench:retrain -- [--originals N] [--mode head|full] [--max-steps N]
 * Target: head mode < 4 min and < 400 MB peak RSS on 2 cores; full < 2 GB.
 * `--max-steps` caps the optimiser steps (a full retrain's memory is set by
 * its data, not by how long it trains; uncapped it runs for hours on wasm).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateSigningKeyPair } from '#shared/manifest/keys.js';
import { loadCloudConfig } from '#shared/config/cloud-config.js';
import { systemClock } from '#shared/util/clock.js';
import { createLogger } from '#shared/util/logger.js';
import { createCloud } from '../cloud/src/app.js';
import { BENCH_CLASSES, benchOriginal } from './retrain-originals.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const SEED_TIME_MS = Date.UTC(2026, 0, 1);

async function seed(dataDir: string, originals: number): Promise<void> {
  const config = loadCloudConfig({ ...process.env, DATA_DIR: dataDir, STORAGE: 'fs', MQTT_URL: '', LOG_LEVEL: 'warn' });
  // A fixed upload time: object keys (and so the split) are the same in every run.
  const clock = { ...systemClock, now: () => SEED_TIME_MS };
  const cloud = await createCloud({ config, logger: createLogger({ name: 'retrain-bench', level: 'warn' }), role: 'cli', clock });
  try {
    for (let i = 0; i < originals; i++) {
      const cls = BENCH_CLASSES[i % BENCH_CLASSES.length];
      await cloud.services.uploads.store({ className: cls, fileName: `bench-${i}.wav`, bytes: Buffer.from(benchOriginal(cls, i)) });
      if ((i + 1) % 500 === 0) process.stderr.write(`seeded ${i + 1}/${originals} originals\n`);
    }
  } finally {
    await cloud.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { originals: { type: 'string', default: '3500' }, mode: { type: 'string', default: 'head' }, 'max-steps': { type: 'string' } } });
  const originals = Number(values.originals);
  if (!Number.isInteger(originals) || originals < 8) throw new Error('--originals must be a whole number >= 8');
  const dataDir = mkdtempSync(join(tmpdir(), 'ecosight-retrain-bench-'));
  const env = {
    ...process.env, MODEL_SIGNING_KEY: process.env.MODEL_SIGNING_KEY ?? generateSigningKeyPair().privateKey, ECOSIGHT_TF_BACKEND: process.env.ECOSIGHT_TF_BACKEND ?? 'wasm',
    // As deploy/Dockerfile sets it (glibc returns freed audio buffers to the kernel); MALLOC_MMAP_THRESHOLD_=default measures glibc's own behaviour.
    MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? '131072',
  };
  if (env.MALLOC_MMAP_THRESHOLD_ === 'default') delete (env as Record<string, string | undefined>).MALLOC_MMAP_THRESHOLD_;
  try {
    const t0 = performance.now();
    process.env.MODEL_SIGNING_KEY = env.MODEL_SIGNING_KEY;
    await seed(dataDir, originals);
    const seedSec = (performance.now() - t0) / 1000;
    const args = [join(here, 'retrain-run.js'), dataDir, values.mode as string, ...(values['max-steps'] ? [values['max-steps']] : [])];
    const out = execFileSync(process.execPath, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
    const result = JSON.parse(out.trim().split('\n').at(-1) as string) as {
      mode: string; outcome: string | null; error: string | null; totalSec: number; userCpuSec: number;
      stageSec: Record<string, number>; stagePeakRssMb: Record<string, number>; peakRssMb: number;
    };
    const rows: Array<[string, string]> = [
      ['originals', `${originals} x 4 s in ${BENCH_CLASSES.length} classes (${BENCH_CLASSES.join(', ')}), seeded in ${seedSec.toFixed(0)} s`],
      ['mode', `${result.mode}${values['max-steps'] ? ` (at most ${values['max-steps']} optimiser steps)` : ''}`],
      ...Object.entries(result.stageSec).map(([k, v]): [string, string] => [`  ${k}`, `${v.toFixed(1)} s, peak RSS ${result.stagePeakRssMb[k]?.toFixed(0)} MB by its end`]),
      ['total', `${result.totalSec.toFixed(1)} s wall, ${result.userCpuSec.toFixed(1)} s user CPU`],
      ['peak RSS', `${result.peakRssMb.toFixed(0)} MB`],
      ['outcome', result.outcome ?? `failed: ${result.error}`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
    process.stdout.write(JSON.stringify({ originals, ...result }) + '\n');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`retrain bench failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
