import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePublicKey } from '#shared/manifest/keys.js';
import { checkFile, verifyManifest } from '#shared/release/manifest.js';
import { listAll } from '../src/adapters/storage/object-storage.js';
import { ADMIN_KEY, startTestCloud, type TestCloud } from './support/test-cloud.js';

describe('model releases', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startTestCloud({ PUBLIC_URL: 'https://eco.example.org' });
  });
  afterAll(() => cloud.stop());

  it('publishes the shipped model as the first signed release', async () => {
    const keys = (await listAll(cloud.services.storage, 'models/')).map((o) => o.key);
    expect(keys).toEqual(expect.arrayContaining([
      'models/2026.01.01-1/manifest.json', 'models/2026.01.01-1/model.json', 'models/2026.01.01-1/weights.bin',
      'models/2026.01.01-1/class_names.json', 'models/2026.01.01-1/model_metadata.json', 'models/2026.01.01-1/reference/0.wav',
      'models/2026.01.01-1/release.json', 'models/latest.json',
    ]));
    const status = (await cloud.app.inject({ method: 'GET', url: '/status' })).json();
    expect(status).toMatchObject({ modelVersion: '2026.01.01-1', modelSource: 'release', latestRelease: '2026.01.01-1', publishing: { enabled: true } });
  });

  it('answers /api/models/latest with a strong ETag and 304 on If-None-Match', async () => {
    const res = await cloud.app.inject({ method: 'GET', url: '/api/models/latest' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ version: '2026.01.01-1', manifestUrl: 'https://eco.example.org/api/models/2026.01.01-1/manifest.json' });
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await cloud.app.inject({ method: 'GET', url: '/api/models/latest', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const other = await cloud.app.inject({ method: 'GET', url: '/api/models/latest', headers: { 'if-none-match': '"something-else"' } });
    expect(other.statusCode).toBe(200);
  });

  it('serves every manifest file so a station can verify the release', async () => {
    const manifestRes = await cloud.app.inject({ method: 'GET', url: '/api/models/2026.01.01-1/manifest.json' });
    expect(manifestRes.statusCode).toBe(200);
    const manifest = verifyManifest(manifestRes.json(), parsePublicKey(cloud.publicKey));
    expect(manifest.files.map((f) => f.path)).toEqual(expect.arrayContaining(['model.json', 'weights.bin', 'class_names.json', 'model_metadata.json', 'reference/0.wav']));
    for (const file of manifest.files) {
      const res = await cloud.app.inject({ method: 'GET', url: `/api/models/2026.01.01-1/${file.path}` });
      expect(res.statusCode, file.path).toBe(200);
      checkFile(file, res.rawPayload);
      expect(res.headers.etag).toBe(`"${file.sha256}"`);
    }
  });

  it('serves nothing outside the release', async () => {
    for (const url of [
      '/api/models/2026.01.01-1/release.json',
      '/api/models/2026.01.01-1/../latest.json',
      '/api/models/2026.01.01-1/%2e%2e/latest.json',
      '/api/models/2026.01.01-1/reference/../../../stations/x/station.json',
      '/api/models/..%2Fstations/model.json',
      '/api/models/9.9.9/model.json',
    ]) {
      const res = await cloud.app.inject({ method: 'GET', url });
      expect([400, 404], url).toContain(res.statusCode);
    }
  });

  it('lists versions with their status', async () => {
    const list = (await cloud.app.inject({ method: 'GET', url: '/api/models' })).json();
    expect(list.latest).toBe('2026.01.01-1');
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ version: '2026.01.01-1', status: 'published', current: true, parentVersion: null });
    expect((await cloud.app.inject({ method: 'GET', url: '/api/models/2026.01.01-1' })).json()).toMatchObject({ status: 'published' });
  });
});

describe('without MODEL_SIGNING_KEY', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startTestCloud({ MODEL_SIGNING_KEY: '' });
  });
  afterAll(() => cloud.stop());

  it('publishes nothing, says so in /status and the log, and refuses retraining', async () => {
    expect(await listAll(cloud.services.storage, 'models/')).toEqual([]);
    const status = (await cloud.app.inject({ method: 'GET', url: '/status' })).json();
    expect(status).toMatchObject({ modelSource: 'shipped', latestRelease: null, publishing: { enabled: false, reason: expect.stringContaining('MODEL_SIGNING_KEY') } });
    expect(cloud.logs.join('')).toContain('MODEL_SIGNING_KEY is not set');
    expect((await cloud.app.inject({ method: 'GET', url: '/api/models/latest' })).statusCode).toBe(404);
    const retrain = await cloud.app.inject({ method: 'POST', url: '/retrain', headers: { 'x-api-key': ADMIN_KEY }, payload: { min_samples: 0 } });
    expect(retrain.json()).toMatchObject({ statusCode: 503, code: 'PUBLISHING_DISABLED' });
  });
});
