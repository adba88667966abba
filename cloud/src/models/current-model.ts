import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { checkFile } from '#shared/release/manifest.js';
import type { ModelPackage } from '#shared/model/model-package.js';
import type { Logger } from '#shared/util/logger.js';
import { assertSafeName, pathUnder } from '#shared/util/safe-name.js';
import type { ReleasesRepo } from '../adapters/db/releases-repo.js';
import type { ObjectStorage } from '../adapters/storage/object-storage.js';
import { releaseKey } from '#shared/release/layout.js';

export interface ActiveModel {
  pkg: ModelPackage;
  version: string;
  /** `release`: the latest published release from storage; `shipped`: the models/ folder. */
  source: 'release' | 'shipped';
}

export interface CurrentModelDeps {
  storage: ObjectStorage;
  releases: ReleasesRepo;
  shippedDir: string;
  /** Local folder for downloaded releases (`<DATA_DIR>/model-cache`). */
  cacheDir: string;
  loadPackage: (dir: string) => Promise<ModelPackage>;
  logger: Logger;
}

/**
 * The model the service runs (/predict, retrain base, upload classes): the
 * latest published release, downloaded and hash-checked into a local cache, or
 * the shipped model while nothing is published. Old models are not disposed:
 * a retrain may still hold one, and each is only a few MB.
 */
export class CurrentModel {
  private readonly deps: CurrentModelDeps;
  private active: ActiveModel | undefined;
  private loading: Promise<ActiveModel> | undefined;

  constructor(deps: CurrentModelDeps) {
    this.deps = deps;
  }

  /** What is loaded now, without loading (for /status). */
  peek(): ActiveModel | undefined {
    return this.active;
  }

  async get(): Promise<ActiveModel> {
    const wanted = await this.deps.releases.latest();
    if (this.active && (wanted === undefined ? this.active.source === 'shipped' : this.active.version === wanted)) return this.active;
    if (!this.loading) {
      this.loading = this.load(wanted).finally(() => {
        this.loading = undefined;
      });
    }
    return this.loading;
  }

  private async load(version: string | undefined): Promise<ActiveModel> {
    let model: ActiveModel;
    if (version === undefined) {
      const pkg = await this.deps.loadPackage(this.deps.shippedDir);
      model = { pkg, version: pkg.metadata.version, source: 'shipped' };
    } else {
      const dir = await this.download(version);
      model = { pkg: await this.deps.loadPackage(dir), version, source: 'release' };
    }
    this.deps.logger.info({ version: model.version, source: model.source }, 'model loaded');
    this.active = model;
    return model;
  }

  /** Downloads a published release into the cache (once), checking every file against its record. */
  private async download(version: string): Promise<string> {
    const record = await this.deps.releases.get(version);
    if (!record) throw new Error(`release ${version} is not in the index`);
    // The version and file paths come from storage: keep every derived path under the cache.
    const dir = pathUnder(this.deps.cacheDir, assertSafeName('release version', version));
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    try {
      await mkdir(tmp, { recursive: true });
      for (const f of record.files) {
        const bytes = await this.deps.storage.get(releaseKey(version, f.path));
        checkFile(f, bytes);
        const path = pathUnder(tmp, ...f.path.split('/'));
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, bytes);
      }
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
      return dir;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
}
