import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { ManifestError } from '#shared/errors.js';
import { checkFile, MANIFEST_FILE, verifyManifest, type Manifest } from '#shared/release/manifest.js';
import { fileBesideManifest } from '#shared/release/urls.js';
import { writeFileAtomic } from '#shared/util/atomic-file.js';
import { pathUnder } from '#shared/util/safe-name.js';
import { fetchBytes } from './http-fetch.js';
import { ReleaseRefusedError } from './ota-errors.js';

const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_RELEASE_BYTES = 128 * 1024 * 1024;

export interface DownloadOptions {
  publicKey: KeyObject;
  /** Emptied, then filled with the release; must already be a checked path (ModelInstaller.stagingDir). */
  stagingDir: string;
  signal: AbortSignal;
  /** Request headers for the manifest and each file (the station token, for the configured cloud only). */
  headers?: Record<string, string>;
  /**
   * Called with the verified manifest before any file is downloaded: throws to
   * refuse the release (announced vs signed version, downgrade, pin).
   */
  accept: (manifest: Manifest) => void;
}

/**
 * Downloads a release into the staging folder: the manifest first (size-limited,
 * signature verified, accepted by the caller), then each listed file, checked
 * against its size and sha256 before it is written. Anything wrong throws a
 * ReleaseRefusedError (permanent or not) and leaves nothing behind.
 */
export async function downloadRelease(manifestUrl: string, options: DownloadOptions): Promise<Manifest> {
  const { stagingDir, signal, headers = {} } = options;
  await rm(stagingDir, { recursive: true, force: true });
  try {
    const { bytes } = await fetchBytes(manifestUrl, MAX_MANIFEST_BYTES, signal, headers);
    const manifest = verified(bytes, options.publicKey);
    options.accept(manifest);
    const total = manifest.files.reduce((n, f) => n + f.size, 0);
    if (total > MAX_RELEASE_BYTES) throw new ReleaseRefusedError(`release is ${total} bytes, over the ${MAX_RELEASE_BYTES} limit`, true);
    await mkdir(stagingDir, { recursive: true });
    for (const entry of manifest.files) {
      const target = pathUnder(stagingDir, ...entry.path.split('/'));
      // Allow one byte more than declared so a padded file is detected as such.
      const file = await fetchBytes(fileBesideManifest(manifestUrl, entry.path), entry.size + 1, signal, headers);
      // A file that arrives short or altered under a valid signature may be a broken link or a
      // bucket being repaired: refused for now, asked again at the next poll.
      try {
        checkFile(entry, file.bytes);
      } catch (err) {
        throw new ReleaseRefusedError((err as Error).message, false, { cause: err });
      }
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

/** Parses and verifies the manifest; a bad one is refused for good (it is what the cloud signed, or not signed). */
function verified(bytes: Buffer, publicKey: KeyObject): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    // Not the cloud's answer at all (a captive portal, a proxy error page): ask again later.
    throw new ReleaseRefusedError('manifest is not valid JSON', false, { cause: err });
  }
  try {
    return verifyManifest(parsed, publicKey);
  } catch (err) {
    if (err instanceof ManifestError) throw new ReleaseRefusedError(err.message, true, { cause: err });
    throw err;
  }
}
