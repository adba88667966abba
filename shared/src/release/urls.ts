import { assertSafeName } from '../util/safe-name.js';
import { assertReleaseFilePath, MANIFEST_FILE } from './manifest.js';

/**
 * The HTTP side of the release contract: the cloud registers these routes,
 * stations build their URLs with the functions below; neither writes the
 * paths out by hand.
 */
export const RELEASE_ROUTES = {
  /** Every version, with metrics (dashboard). */
  list: '/api/models',
  /** The ReleaseAnnouncement of the release to run (ETag; 304 on If-None-Match). */
  latest: '/api/models/latest',
  /** One version's ReleaseRecord. */
  one: '/api/models/:version',
  /** A file of a published release, or its manifest.json. */
  file: '/api/models/:version/*',
} as const;

/** `<baseUrl>/api/models/latest`. */
export function latestReleaseUrl(baseUrl: string): string {
  return `${trimBase(baseUrl)}${RELEASE_ROUTES.latest}`;
}

/** `<baseUrl>/api/models/<version>/manifest.json`. */
export function releaseManifestUrl(baseUrl: string, version: string): string {
  return releaseFileUrl(baseUrl, version, MANIFEST_FILE);
}

/** `<baseUrl>/api/models/<version>/<file>`. */
export function releaseFileUrl(baseUrl: string, version: string, file: string): string {
  assertSafeName('release version', version);
  const path = assertReleaseFilePath(file);
  return `${trimBase(baseUrl)}${RELEASE_ROUTES.list}/${version}/${path}`;
}

/** A release's files sit beside its manifest: the URL of `file` given the manifest's URL. */
export function fileBesideManifest(manifestUrl: string, file: string): string {
  return new URL(assertReleaseFilePath(file), manifestUrl).toString();
}

function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}
