import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDEX_COLUMNS } from '../dataset/index-file.js';
import { hasSox, sox } from '#testkit/sox.js';
import { createLogger } from '#shared/util/logger.js';
import { independentClips, prepareFetchedData, validationClips, VALIDATION_PACKAGES, type FetchedDataOptions } from './dataset-assembly.js';
import type { PreparedData } from './run-training.js';
import { checkSplit } from './train-model.js';

/** A miniature data cache (index.tsv + sox-made WAVs) in the layout `npm run data:fetch` writes. */
function writeCache(dir: string): void {
  const rows: string[][] = [];
  const add = (pkg: string, name: string, labels: string, seconds: number, synth: string[], role = 'train', split = 'train') => {
    const rel = `wav/${pkg}/${name}.wav`;
    mkdirSync(join(dir, 'wav', pkg), { recursive: true });
    sox(['-n', '-r', '16000', '-c', '1', '-b', '16', join(dir, rel), 'synth', String(seconds), ...synth]);
    rows.push([rel, pkg, `usr/share/${name}.ogg`, labels, 'GPL-2', seconds.toFixed(3), role, split]);
  };
  const bang = ['whitenoise', 'fade', 'q', '0.001', '0.5', '0.45', 'vol', '0.8'];
  add('redeclipse-data', 'shot1', 'gunshot', 0.5, bang);
  add('redeclipse-data', 'shot2', 'gunshot', 0.5, bang);
  add('redeclipse-data', 'hum', '', 3, ['sine', '120', 'vol', '0.2']);
  add('redeclipse-data', 'wind', 'wind', 20, ['brownnoise', 'vol', '0.1'], 'background');
  for (let i = 0; i < 5; i++) add('gcin-voice', `voice${i}`, 'human_voice', 1, ['pinknoise', 'vol', '0.1']);
  add('warmux-data', 'gun', 'gunshot', 0.5, bang);
  add('warmux-data', 'engine', 'vehicle', 4, ['sawtooth', '90', 'vol', '0.2']);
  add('cube2-data', 'rifle', 'gunshot', 0.5, bang, 'train', 'eval');
  writeFileSync(join(dir, 'index.tsv'), [INDEX_COLUMNS.join('\t'), ...rows.map((r) => r.join('\t'))].join('\n') + '\n');
}

describe.skipIf(!hasSox())('training data from the fetched cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecosight-assembly-'));
  const opts: FetchedDataOptions = {
    cacheDir: dir,
    seed: 5,
    logger: createLogger({ name: 'test', level: 'silent' }),
    budget: { voiceOriginals: { train: 3, validation: 1 }, synthetic: { train: 4, validation: 2 }, chainsaw: { train: 3, validation: 2 }, gunshotAugmentRounds: 2 },
  };
  let data: PreparedData;

  beforeAll(async () => {
    writeCache(dir);
    data = await prepareFetchedData(opts);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds whole packages out for validation and keeps augmented copies with their original', () => {
    expect(() => checkSplit(data.train, data.valid)).not.toThrow();
    const trainGroups = new Set(data.train.map((c) => c.group));
    expect(trainGroups).toEqual(new Set(['redeclipse-data', 'gcin-voice', 'synthetic-train', 'synthetic-chainsaw-train']));
    for (const c of data.valid) expect([...VALIDATION_PACKAGES, 'synthetic-validation', 'synthetic-chainsaw-validation']).toContain(c.group);
    expect(data.valid.some((c) => c.group === 'cube2-data' || c.group === 'gcin-voice')).toBe(false);
  });

  it('augments each training original 1 -> 6 (gunshots more), caps speech, cuts long files, and adds synthetic gunshots per split', () => {
    const bySource = new Map<string, number>();
    for (const c of data.train.filter((x) => !x.group.startsWith('synthetic-'))) bySource.set(c.sourceId as string, (bySource.get(c.sourceId as string) ?? 0) + 1);
    // 20 s wind bed -> two 10 s pieces sharing the file as source: 2 x 6 clips.
    expect(bySource.get('redeclipse-data/usr/share/wind.ogg')).toBe(12);
    // Gunshot originals get extra rounds of variants: 6 + 5.
    expect(bySource.get('redeclipse-data/usr/share/shot1.ogg')).toBe(11);
    expect(new Set(data.train.map((c) => c.id)).size).toBe(data.train.length);
    expect([...bySource.keys()].filter((k) => k.startsWith('gcin-voice/'))).toHaveLength(3);
    const synth = data.train.filter((c) => c.group === 'synthetic-train');
    expect(synth).toHaveLength(4);
    for (const c of synth) expect(c.labels[0]).toBe('gunshot');
    expect(data.valid.filter((c) => c.group === 'synthetic-validation')).toHaveLength(2);
    // Validation originals are not augmented.
    expect(data.valid.filter((c) => c.group === 'warmux-data').map((c) => c.id).sort()).toEqual([
      'warmux-data/usr/share/engine.ogg', 'warmux-data/usr/share/gun.ogg',
    ]);
  });

  it('adds synthetic chainsaws per split, never over an engine bed, and records chainsaw as synthetic-only', () => {
    const train = data.train.filter((c) => c.group === 'synthetic-chainsaw-train');
    const valid = data.valid.filter((c) => c.group === 'synthetic-chainsaw-validation');
    expect(train).toHaveLength(3);
    expect(valid).toHaveLength(2);
    for (const c of [...train, ...valid]) {
      expect(c.labels[0]).toBe('chainsaw');
      expect(c.labels).not.toContain('vehicle');
    }
    expect(data.weakClasses?.chainsaw).toMatch(/synthetic-only/);
    expect((data.description.classProvenance as Record<string, string>).chainsaw).toBe('synthetic-only');
  });

  it('rebuilds the identical validation set for evaluation, and lists the independent packages apart', async () => {
    const again = await validationClips(opts);
    expect(again.map((c) => c.id)).toEqual(data.valid.map((c) => c.id));
    again.forEach((c, i) => expect(c.samples).toEqual(data.valid[i].samples));
    const independent = await independentClips(opts);
    expect(independent.map((c) => c.group)).toEqual(['cube2-data']);
  });
});
