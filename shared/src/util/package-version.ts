import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from '../model/model-package.js';

/**
 * The software version: `version` of the package.json at the installation root
 * (telemetry, status, `--version`). With a `fallback`, an unreadable file gives
 * the fallback instead of an error (a daemon still starts).
 */
export function packageVersion(fallback?: string): string {
  try {
    return (JSON.parse(readFileSync(join(repositoryRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch (err) {
    if (fallback !== undefined) return fallback;
    throw err;
  }
}
