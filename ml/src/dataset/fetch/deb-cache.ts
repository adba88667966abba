import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from './run-command.js';

/** Gets a package's .deb into a directory (production: `apt-get download`, no install). */
export interface DebDownloader {
  download(pkg: string, destDir: string): Promise<void>;
}

export class AptGetDownloader implements DebDownloader {
  async download(pkg: string, destDir: string): Promise<void> {
    await runCommand('apt-get', ['download', pkg], { cwd: destDir });
  }
}

export interface DebResult {
  debPath: string;
  downloaded: boolean;
}

export interface ExtractResult {
  dir: string;
  extracted: boolean;
}

export function debsDir(cacheDir: string): string {
  return join(cacheDir, 'debs');
}

export function extractDir(cacheDir: string, pkg: string): string {
  return join(cacheDir, 'extract', pkg);
}

/**
 * Returns the cached .deb of `pkg`, downloading it first when none is cached.
 * Downloads land in a scratch directory and are renamed into place, so an
 * interrupted download never looks like a cached package.
 */
export async function ensureDeb(cacheDir: string, pkg: string, downloader: DebDownloader): Promise<DebResult> {
  const dir = debsDir(cacheDir);
  await mkdir(dir, { recursive: true });
  const cached = await findCachedDeb(dir, pkg);
  if (cached) return { debPath: cached, downloaded: false };
  const scratch = join(dir, `.download-${pkg}-${process.pid}`);
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch);
  try {
    await downloader.download(pkg, scratch);
    const got = (await readdir(scratch)).filter((n) => n.startsWith(`${pkg}_`) && n.endsWith('.deb'));
    if (got.length !== 1) throw new Error(`expected one ${pkg}_*.deb after download, found ${got.length}`);
    await rename(join(scratch, got[0]), join(dir, got[0]));
    return { debPath: join(dir, got[0]), downloaded: true };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Extracts the .deb (`dpkg-deb -x`) into `<cache>/extract/<pkg>` unless a marker
 * says this exact .deb was already extracted there.
 */
export async function ensureExtracted(cacheDir: string, pkg: string, debPath: string): Promise<ExtractResult> {
  const dir = extractDir(cacheDir, pkg);
  const marker = `${dir}.extracted`;
  const debName = debPath.slice(debPath.lastIndexOf('/') + 1);
  const done = await readFile(marker, 'utf8').catch(() => '');
  if (done.trim() === debName && (await isDirectory(dir))) return { dir, extracted: false };
  const scratch = `${dir}.tmp-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  await rm(marker, { force: true });
  await mkdir(scratch, { recursive: true });
  try {
    await runCommand('dpkg-deb', ['-x', debPath, scratch]);
    await rm(dir, { recursive: true, force: true });
    await rename(scratch, dir);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  await writeFile(marker, `${debName}\n`);
  return { dir, extracted: true };
}

/** The cached `<pkg>_<version>_<arch>.deb`; package names cannot contain "_", so the prefix is unambiguous. */
async function findCachedDeb(dir: string, pkg: string): Promise<string | undefined> {
  const names = (await readdir(dir)).filter((n) => n.startsWith(`${pkg}_`) && n.endsWith('.deb'));
  if (names.length === 0) return undefined;
  const withTimes = await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(dir, n))).mtimeMs })));
  withTimes.sort((a, b) => b.t - a.t || (a.n < b.n ? 1 : -1)); // newest first
  return join(dir, withTimes[0].n);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
