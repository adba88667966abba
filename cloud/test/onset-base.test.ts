import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestError } from '#shared/errors.js';
import { loadOnsetModel, shippedOnsetModelDir, type OnsetModelFile } from '#shared/detect/onset-model.js';
import { sha256Hex } from '#shared/manifest/canonical-json.js';
import { ONSET_RELEASE_FILE, releaseKey } from '#shared/release/layout.js';
import type { ReleaseRecord } from '#shared/release/record.js';
import { openIndexDb } from '../src/adapters/db/index-db.js';
import type { Repos } from '../src/adapters/db/repos.js';
import { sqliteRepos } from '../src/adapters/db/sqlite-index.js';
import { UrlSigner } from '../src/adapters/storage/fs-presigner.js';
import { FsStorage } from '../src/adapters/storage/fs-storage.js';
import { currentOnsetBase } from '../src/jobs/retrain/onset-step.js';

const VERSION = '2026.03.01-1';

/** A release record (as the publish step keeps it) whose files list stage 2 with the hash and size of `bytes`. */
const record = (bytes: Buffer): ReleaseRecord => ({
  v: 1, version: VERSION, status: 'published', createdAt: '2026-03-01T00:00:00.000Z', parentVersion: null, jobId: null, classes: ['gunshot'],
  metrics: null, baselineMetrics: null, gate: null, files: [{ path: ONSET_RELEASE_FILE, sha256: sha256Hex(bytes), size: bytes.byteLength }], report: null,
});

/** The shipped stage 2 cut down to `n` input features: well formed, but for another software's features. */
function narrowed(file: OnsetModelFile, n: number): OnsetModelFile {
  const [first, ...rest] = file.layers;
  return {
    ...file, version: 'old-features', inputSize: n as OnsetModelFile['inputSize'], mean: file.mean.slice(0, n), std: file.std.slice(0, n),
    layers: [{ ...first, inputs: n, weights: first.weights.slice(0, n * first.outputs) }, ...rest],
  };
}

describe('currentOnsetBase: the current release\'s stage 2, or the shipped one', () => {
  const dirs: string[] = [];
  const opened: Repos[] = [];
  let shipped: OnsetModelFile;
  beforeAll(async () => {
    shipped = (await loadOnsetModel(shippedOnsetModelDir())).file;
  });
  afterAll(async () => {
    for (const repos of opened) await repos.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Real fs storage and an SQLite index holding a release whose recorded stage 2 is `recorded`, stored as `stored`. */
  async function release(recorded: Buffer, stored: Buffer = recorded) {
    const dir = mkdtempSync(join(tmpdir(), 'ecosight-onset-base-'));
    dirs.push(dir);
    const storage = new FsStorage(dir, new UrlSigner(Buffer.alloc(32, 1)));
    const repos = sqliteRepos(openIndexDb(':memory:').db);
    opened.push(repos);
    await repos.releases.upsert(record(recorded));
    await storage.put(releaseKey(VERSION, ONSET_RELEASE_FILE), stored);
    return { storage, repos, shippedOnsetDir: shippedOnsetModelDir() };
  }

  it('gives way to the shipped stage 2 when the release\'s intact stage 2 is for another feature count', async () => {
    expect(shipped.inputSize).not.toBe(310);
    const bytes = Buffer.from(JSON.stringify(narrowed(shipped, 310)));
    const base = await currentOnsetBase(await release(bytes), { version: VERSION, source: 'release' });
    expect(base?.file.version).toBe(shipped.version);
    expect(base?.file.inputSize).toBe(shipped.inputSize);
    expect(base?.source).toContain(shippedOnsetModelDir());
    expect(base?.source).toContain(`release ${VERSION}`);
    expect(base?.source).toContain('does not fit');
  });

  it('still refuses a stored stage 2 that does not match the release record (integrity is not bypassed)', async () => {
    const recorded = Buffer.from(JSON.stringify(narrowed(shipped, 310)));
    const tampered = Buffer.from(recorded);
    tampered[tampered.indexOf('old-features')] = 'O'.charCodeAt(0); // same size, other hash
    const deps = await release(recorded, tampered);
    await expect(currentOnsetBase(deps, { version: VERSION, source: 'release' })).rejects.toThrow(ManifestError);
    await expect(currentOnsetBase(deps, { version: VERSION, source: 'release' })).rejects.toThrow(/does not match/);
  });

  it('uses the release\'s stage 2 when it is a current-format model', async () => {
    const bytes = Buffer.from(JSON.stringify({ ...shipped, version: 'release-stage2' }));
    const base = await currentOnsetBase(await release(bytes), { version: VERSION, source: 'release' });
    expect(base?.file.version).toBe('release-stage2');
    expect(base?.file.version).not.toBe(shipped.version);
    expect(base?.source).toBe(`release ${VERSION}`);
  });
});
