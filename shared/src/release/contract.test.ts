import { describe, expect, it } from 'vitest';
import { checkWire, parseWire, WireFormatError } from '../util/wire-check.js';
import { LATEST_KEY, parseReleaseRecordKey, releaseKey, releaseManifestKey, releaseRecordKey } from './layout.js';
import { isReleaseFilePath } from './manifest.js';
import { LatestPointerSchema, ReleaseAnnouncementSchema } from './pointer.js';
import { fileBesideManifest, latestReleaseUrl, RELEASE_ROUTES, releaseFileUrl, releaseManifestUrl } from './urls.js';

describe('the release contract', () => {
  it('builds keys and URLs from one layout', () => {
    expect(releaseKey('1.2.0', 'reference/1.wav')).toBe('models/1.2.0/reference/1.wav');
    expect(releaseManifestKey('1.2.0')).toBe('models/1.2.0/manifest.json');
    expect(parseReleaseRecordKey(releaseRecordKey('1.2.0'))).toBe('1.2.0');
    expect(parseReleaseRecordKey(LATEST_KEY)).toBeUndefined();
    expect(latestReleaseUrl('https://cloud.example/')).toBe(`https://cloud.example${RELEASE_ROUTES.latest}`);
    const manifest = releaseManifestUrl('https://cloud.example', '1.2.0');
    expect(manifest).toBe('https://cloud.example/api/models/1.2.0/manifest.json');
    // A release's files sit beside its manifest: both builders agree.
    expect(fileBesideManifest(manifest, 'reference/1.wav')).toBe(releaseFileUrl('https://cloud.example', '1.2.0', 'reference/1.wav'));
  });

  it('refuses hostile versions and file paths in keys and URLs', () => {
    for (const version of ['..', 'z/../../clips', '', '.staging']) {
      expect(() => releaseKey(version, 'model.json'), version).toThrow();
      expect(() => releaseManifestUrl('http://c', version), version).toThrow();
    }
    for (const path of ['../x', 'a/b/c', '/etc/passwd', 'reference/..', '.hidden', 'a\\b']) {
      expect(isReleaseFilePath(path), path).toBe(false);
      expect(() => fileBesideManifest('http://c/api/models/1/manifest.json', path), path).toThrow();
    }
  });

  it('checks announcements and pointers with one schema each', () => {
    const good = { v: 1, version: '1.2.0', manifestUrl: 'http://c/api/models/1.2.0/manifest.json', createdAt: '2026-12-04T10:00:00Z' };
    expect(parseWire(ReleaseAnnouncementSchema, JSON.stringify(good), 'announcement')).toEqual(good);
    for (const bad of [{ ...good, version: 9999 }, { ...good, version: 'z/../..' }, { ...good, v: 2 }, { ...good, manifestUrl: undefined }, [], null]) {
      expect(() => checkWire(ReleaseAnnouncementSchema, bad, 'announcement'), JSON.stringify(bad)).toThrow(WireFormatError);
    }
    expect(() => parseWire(ReleaseAnnouncementSchema, '{', 'announcement')).toThrow(/not JSON/);
    expect(() => checkWire(LatestPointerSchema, { v: 1, version: '1.0', createdAt: 'x', extra: 1 }, 'pointer')).toThrow(WireFormatError);
  });
});

describe('model metadata inside a release', () => {
  it('takes its version and labels as safe names (they name folders, keys and topics)', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseModelMetadata } = await import('../model/metadata.js');
    const shipped = JSON.parse(readFileSync(new URL('../../../models/model_metadata.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    expect(parseModelMetadata(shipped, 'shipped').version).toBe(shipped.version);
    expect(() => parseModelMetadata({ ...shipped, version: 'z/../..' }, 'hostile')).toThrow(/version/);
    expect(() => parseModelMetadata({ ...shipped, classes: ['gunshot', '../../x'] }, 'hostile')).toThrow(/classes/);
  });
});
