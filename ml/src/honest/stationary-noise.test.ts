import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '#shared/audio/wav-decode.js';
import { detectGunshots } from '#shared/detect/gunshot-onsets.js';
import { loadShippedOnsetModel } from '#shared/detect/onset-model.js';
import { defaultCacheDir, readDatasetIndex } from '../dataset/index-file.js';
import { TRAINING_PACKAGES } from '../dataset/training-packages.js';
import { stationaryNoiseCheck } from './stationary-check.js';

/** Real wind, rain and stream recordings of the training packages, when the data cache holds them. */
async function realAmbience(): Promise<{ name: string; samples: Float32Array }[]> {
  const cache = defaultCacheDir();
  if (!existsSync(cache)) return [];
  const entries = (await readDatasetIndex(cache)).filter((e) => TRAINING_PACKAGES.has(e.package)
    && (e.labels.includes('wind') || e.labels.includes('rain') || /stream|river|brook/i.test(e.sourcePath)) && e.durationSec >= 3);
  const out: { name: string; samples: Float32Array }[] = [];
  for (const e of entries.slice(0, 4)) out.push({ name: `${e.package}/${e.sourcePath}`, samples: decodeWav(await readFile(e.wavPath)).samples });
  return out;
}

/**
 * Issue 12: stationary noise of every colour at -70..-20 dBFS RMS raises no
 * gunshot alarm in 10 minutes, for the shipped detector (the two-stage
 * detector in models/onset).
 */
describe('shipped gunshot detector on stationary noise', () => {
  it('raises no alarm on white or pink noise at -70..-20 dBFS over 10 minutes', async () => {
    const model = await loadShippedOnsetModel();
    expect(model, 'models/onset/onset-model.json is shipped').toBeDefined();
    if (!model) return;
    const results = stationaryNoiseCheck((x) => detectGunshots(x, model).length, { colours: ['white', 'pink'] });
    expect(results.filter((r) => r.alarms > 0).map((r) => `${r.noise} at ${r.levelDbfs} dBFS: ${r.alarms}`)).toEqual([]);
    expect(results).toHaveLength(8);
  }, 600_000);

  /*
   * 0.3.0-onset and 0.3.1-onset failed this (docs/model.md): brown noise at -55
   * dBFS raised 3 alarms in 10 minutes, the gcompris garden rain 1 at -55 and 1
   * at -40 dBFS. 0.4.0-onset is trained with stationary noise as negatives, and
   * the texture gate judges the trigger rate from a stream's first second on
   * (the rain's two alarms were its first drops, before the 5 s history filled).
   */
  it('raises no alarm on brown noise or real wind/rain/stream at -70..-20 dBFS over 10 minutes', async () => {
    const model = await loadShippedOnsetModel();
    if (!model) throw new Error('no shipped onset model');
    const results = stationaryNoiseCheck((x) => detectGunshots(x, model).length, { colours: ['brown'], recordings: await realAmbience() });
    expect(results.filter((r) => r.alarms > 0).map((r) => `${r.noise} at ${r.levelDbfs} dBFS: ${r.alarms}`)).toEqual([]);
  }, 600_000);
});
