import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCommand } from '#ml/dataset/fetch/run-command.js';

/**
 * Builds small but real .deb files for tests with `dpkg-deb -b`, so the fetch
 * pipeline can run end to end without a network. Test support only.
 */
export type DebContent =
  | { kind: 'bytes'; bytes: Uint8Array | string }
  /** Arguments for sox after the output path, e.g. `['synth', '0.1', 'sine', '440']`. */
  | { kind: 'sox'; rateHz: number; channels: number; effects: string[] }
  | { kind: 'symlink'; target: string };

export async function buildDeb(outDir: string, pkg: string, version: string, files: Record<string, DebContent>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), `ecosight-deb-${pkg}-`));
  try {
    await mkdir(join(root, 'DEBIAN'));
    await writeFile(join(root, 'DEBIAN', 'control'), [
      `Package: ${pkg}`, `Version: ${version}`, 'Architecture: all', 'Maintainer: EcoSight tests <tests@invalid>',
      'Description: test fixture for the EcoSight data fetcher', '',
    ].join('\n'));
    for (const [path, content] of Object.entries(files)) {
      const target = join(root, path);
      await mkdir(dirname(target), { recursive: true });
      if (content.kind === 'bytes') await writeFile(target, content.bytes);
      else if (content.kind === 'symlink') await symlink(content.target, target);
      else await runCommand('sox', ['-R', '-n', '-r', String(content.rateHz), '-c', String(content.channels), target, ...content.effects]);
    }
    await mkdir(outDir, { recursive: true });
    const debPath = join(outDir, `${pkg}_${version}_all.deb`);
    await runCommand('dpkg-deb', ['--root-owner-group', '-Zgzip', '-b', root, debPath]);
    return debPath;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
