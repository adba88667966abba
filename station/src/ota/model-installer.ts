import { existsSync, readlinkSync } from 'node:fs';
import { mkdir, rename, rm, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fsyncDir } from '#shared/util/atomic-file.js';
import { assertSafeName, pathUnder } from '#shared/util/safe-name.js';

/**
 * The on-disk model store: `<root>/<version>/` directories and two symlinks,
 * `current` and `previous`. Switching is a rename of a freshly made link over
 * the old one, which is atomic: after a power cut `current` points at either
 * the old or the new model, never at nothing.
 */
export class ModelInstaller {
  constructor(private readonly root: string) {}

  get currentLink(): string {
    return join(this.root, 'current');
  }

  currentVersion(): string | undefined {
    return this.target('current');
  }

  previousVersion(): string | undefined {
    return this.target('previous');
  }

  /**
   * `<root>/<version>`. Versions come from the network: a name that is not a
   * safe name, or a path that would leave the root, throws UnsafeNameError
   * before anything touches the disk.
   */
  dirOf(version: string): string {
    return pathUnder(this.root, assertSafeName('release version', version));
  }

  /** `<root>/.staging-<version>`, checked like dirOf (it is removed with rm -rf). */
  stagingDir(version: string): string {
    return pathUnder(this.root, `.staging-${assertSafeName('release version', version)}`);
  }

  /** Moves a verified staging directory into place (replacing a stale copy). */
  async adopt(stagingDir: string, version: string): Promise<string> {
    const dir = this.dirOf(version);
    if (this.target('current') !== version && this.target('previous') !== version) await rm(dir, { recursive: true, force: true });
    if (!existsSync(dir)) await rename(stagingDir, dir);
    else await rm(stagingDir, { recursive: true, force: true });
    return dir;
  }

  /** Points `current` at `version`, and `previous` at what was current. */
  async activate(version: string): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const old = this.target('current');
    if (old && old !== version) await this.point('previous', old);
    await this.point('current', version);
  }

  /** Points `current` back at `previous` (after a runtime failure). */
  async rollBack(): Promise<string | undefined> {
    const previous = this.target('previous');
    if (!previous) return undefined;
    await this.point('current', previous);
    return previous;
  }

  private async point(name: 'current' | 'previous', version: string): Promise<void> {
    const tmp = join(this.root, `.${name}.tmp`);
    await rm(tmp, { force: true });
    await symlink(version, tmp);
    await rename(tmp, join(this.root, name));
    await fsyncDir(this.root);
  }

  private target(name: string): string | undefined {
    try {
      return basename(readlinkSync(join(this.root, name)));
    } catch {
      return undefined;
    }
  }
}
