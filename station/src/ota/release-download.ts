import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { ManifestError } from '#shared/errors.js';
import { checkFile, MANIFEST_FILE, verifyManifest, type Manifest } from '#shared/release/manifest.js';
import { writeFileAtomic } from '#shared/util/atomic-file.js';
import { fetchBytes } from './http-fetch.js';

const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_RELEASE_BYTES = 128 * 1024 * 1024;

/**
 * Downloads a release into `stagingDir`: the manifest first (size-limited,
 * signature verified), then each listed file, checked against its size and
 * sha256 before it is written. Anything wrong throws and leaves nothing behind.
 */
export async function downloadRelease(manifestUrl: string, publicKey: KeyObject, stagingDir: string, signal: AbortSignal): Promise<Manifest> {
  await rm(stagingDir, { recursive: true, force: true });
  try {
    const { bytes } = await fetchBytes(manifestUrl, MAX_MANIFEST_BYTES, signal);
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new ManifestError('manifest is not valid JSON');
    }
    const manifest = verifyManifest(parsed, publicKey);
    const total = manifest.files.reduce((n, f) => n + f.size, 0);
    if (total > MAX_RELEASE_BYTES) throw new ManifestError(`release is ${total} bytes, over the ${MAX_RELEASE_BYTES} limit`);
    await mkdir(stagingDir, { recursive: true });
    for (const entry of manifest.files) {
      const target = inside(stagingDir, entry.path);
      const url = new URL(entry.path, manifestUrl).toString();
      // Allow one byte more than declared so a padded file is detected as such.
      const file = await fetchBytes(url, entry.size + 1, signal);
      checkFile(entry, file.bytes);
      await mkdir(dirname(target), { recursive: true });
      await writeFileAtomic(target, file.bytes);
    }
    await writeFileAtomic(join(stagingDir, MANIFEST_FILE), bytes);
    return manifest;
  } catch (err) {
    await rm(stagingDir, { recursive: true, force: true });
    throw err;
  }
}

function inside(dir: string, relative: string): string {
  const full = resolve(dir, relative);
  if (!full.startsWith(resolve(dir) + sep)) throw new ManifestError(`manifest path ${JSON.stringify(relative)} leaves the release directory`);
  return full;
}
