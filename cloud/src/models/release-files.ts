import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '#shared/manifest/canonical-json.js';
import { RELEASE_RECORD_FILE } from '#shared/release/layout.js';
import { isReleaseFilePath, MANIFEST_FILE, type ManifestFile } from '#shared/release/manifest.js';

const SKIP = new Set([MANIFEST_FILE, RELEASE_RECORD_FILE]);

export interface ReleaseFile extends ManifestFile {
  bytes: Buffer;
}

/**
 * Reads the files of a model directory that make up a release: top-level files
 * and one level of sub-folders (reference/), skipping temp and hidden files and
 * any previous manifest.
 */
export async function readReleaseFiles(dir: string): Promise<ReleaseFile[]> {
  const out: ReleaseFile[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isFile()) await add(dir, entry.name, out);
    else if (entry.isDirectory() && !entry.name.startsWith('.')) {
      for (const inner of await readdir(join(dir, entry.name), { withFileTypes: true })) {
        if (inner.isFile()) await add(dir, `${entry.name}/${inner.name}`, out);
      }
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

async function add(dir: string, path: string, out: ReleaseFile[]): Promise<void> {
  if (SKIP.has(path) || !isReleaseFilePath(path) || path.includes('.tmp-')) return;
  const bytes = await readFile(join(dir, ...path.split('/')));
  out.push({ path, sha256: sha256Hex(bytes), size: bytes.byteLength, bytes });
}
