import { ONSET_MODEL_FILE } from '../detect/onset-model.js';
import { assertSafeName } from '../util/safe-name.js';
import { assertReleaseFilePath, MANIFEST_FILE } from './manifest.js';

/**
 * Where a release lives in the bucket (and under the cloud's fs storage):
 *
 *   models/<version>/<file>          the files the manifest lists (reference/ clips and
 *                                    onset/onset-model.json, stage 2 of the gunshot detector, included)
 *   models/<version>/manifest.json   the signed manifest (published releases only)
 *   models/<version>/release.json    the ReleaseRecord (published and rejected)
 *   models/latest.json               the LatestPointer, written last
 */
export const MODELS_PREFIX = 'models/';
export const LATEST_KEY = `${MODELS_PREFIX}latest.json`;
export const RELEASE_RECORD_FILE = 'release.json';

/** Key of one file of a release; `file` may hold one sub-folder (`reference/1.wav`). */
export function releaseKey(version: string, file: string): string {
  assertSafeName('release version', version);
  assertReleaseFilePath(file);
  return `${MODELS_PREFIX}${version}/${file}`;
}

/**
 * Stage 2 of the gunshot detector inside a release (and an installed model
 * directory): a station uses `<model dir>/onset/` when it has one.
 */
export const ONSET_RELEASE_DIR = 'onset';
export const ONSET_RELEASE_FILE = `${ONSET_RELEASE_DIR}/${ONSET_MODEL_FILE}`;

export const releaseManifestKey = (version: string): string => releaseKey(version, MANIFEST_FILE);
export const releaseRecordKey = (version: string): string => releaseKey(version, RELEASE_RECORD_FILE);

/** The version of a `models/<version>/release.json` key; undefined for any other key. */
export function parseReleaseRecordKey(key: string): string | undefined {
  const m = /^models\/([^/]+)\/release\.json$/.exec(key);
  return m ? m[1] : undefined;
}
