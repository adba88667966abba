import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLASS_NAMES } from '../classes.js';
import { defaultCacheDir, readDatasetIndex } from '../index-file.js';
import { TRAINING_PACKAGES } from '../training-packages.js';

/**
 * Opt-in: downloads the real Debian packages (about 3.7 GB) and converts them.
 * Run with `ECOSIGHT_DATA_TESTS=1 npx vitest run ml/src/dataset/fetch/real-packages.test.ts`;
 * the cache is ECOSIGHT_DATA_CACHE or ~/.cache/ecosight/data, so a warm cache makes it quick.
 */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const enabled = process.env.ECOSIGHT_DATA_TESTS === '1';

describe.skipIf(!enabled)('npm run data:fetch on the real packages', () => {
  it('fetches every listed package, twice, with an identical index the second time', async () => {
    const runFetch = (): { status: number | null; stdout: string } => {
      const r = spawnSync('npm', ['run', '--silent', 'data:fetch', '--', '--quiet'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      return { status: r.status, stdout: r.stdout };
    };
    const first = runFetch();
    expect(first.status).toBe(0);
    const entries = await readDatasetIndex(defaultCacheDir());
    const packages = new Set(entries.filter((e) => e.split === 'train').map((e) => e.package));
    expect(packages).toEqual(new Set(TRAINING_PACKAGES));
    expect(entries.some((e) => e.split === 'eval')).toBe(true);
    for (const e of entries.filter((x) => x.split === 'eval')) expect(TRAINING_PACKAGES.has(e.package)).toBe(false);
    for (const name of ['gunshot', 'human_voice', 'bird', 'vehicle'] as const) {
      expect(entries.filter((e) => e.split === 'train' && e.labels.includes(name)).length, name).toBeGreaterThan(3);
    }
    expect(entries.every((e) => e.labels.every((l) => (CLASS_NAMES as readonly string[]).includes(l)))).toBe(true);
    // Each dropped duplicate is out of the index and the copy kept in its place is in it.
    const inIndex = new Set(entries.map((e) => `${e.package}\t${e.sourcePath}`));
    const dupes = (await readFile(join(defaultCacheDir(), 'duplicates.tsv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split('\t'));
    expect(dupes.length).toBeGreaterThan(0);
    for (const [droppedPkg, droppedPath, keptPkg, keptPath] of dupes) {
      expect(inIndex.has(`${droppedPkg}\t${droppedPath}`), droppedPath).toBe(false);
      expect(inIndex.has(`${keptPkg}\t${keptPath}`), keptPath).toBe(true);
    }

    const second = runFetch();
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/downloads: 0, extractions: 0, conversions: 0/u);
    expect(second.stdout).toMatch(/\(unchanged, \d+ files\)/u);
  }, 30 * 60_000);
});
