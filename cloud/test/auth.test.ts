import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestCloud, type TestCloud } from './support/test-cloud.js';

/** Every route that changes something, with a body that would otherwise be acceptable. */
const MUTATIONS: Array<{ method: 'POST' | 'PATCH'; url: string; payload?: unknown }> = [
  { method: 'POST', url: '/upload' },
  { method: 'POST', url: '/retrain', payload: { min_samples: 0 } },
  { method: 'PATCH', url: '/api/detections/ev-1', payload: { label: 'gunshot' } },
  { method: 'POST', url: '/api/stations', payload: { id: 'st-x' } },
  { method: 'POST', url: '/api/scan' },
];

describe('auth with the default (public) dashboard', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startTestCloud();
  });
  afterAll(() => cloud.stop());

  it('answers 401 to every unauthenticated or wrongly keyed mutation', async () => {
    for (const m of MUTATIONS) {
      const attempts: Array<Record<string, string>> = [{}, { 'x-api-key': 'not-the-key' }, { api_key: `${ADMIN_KEY}x` }, { authorization: `Bearer ${ADMIN_KEY}` }];
      for (const headers of attempts) {
        const res = await cloud.app.inject({ method: m.method, url: m.url, payload: m.payload as object | undefined, headers });
        expect(res.statusCode, `${m.method} ${m.url} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.json()).toMatchObject({ success: false, code: 'UNAUTHORIZED' });
      }
    }
    expect(await cloud.services.repos.stations.list()).toEqual([]);
    expect(await cloud.services.repos.jobs.list(10)).toEqual([]);
  });

  it('serves read-only routes without a key', async () => {
    for (const url of ['/api/detections', '/api/stations', '/api/models', '/api/jobs', '/api/uploads', '/api/classes', '/status']) {
      expect((await cloud.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
  });

  it('never writes the admin key or the signing key to the log', async () => {
    await cloud.app.inject({ method: 'POST', url: '/api/stations', headers: { 'x-api-key': ADMIN_KEY }, payload: { id: 'st-log' } });
    const logs = cloud.logs.join('');
    expect(logs).not.toContain(ADMIN_KEY);
    expect(logs).not.toContain(cloud.config.modelSigningKey);
  });

  it('sends security headers', async () => {
    const res = await cloud.app.inject({ method: 'GET', url: '/status' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('serves the OpenAPI description with every route', async () => {
    const doc = (await cloud.app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const path of ['/upload', '/predict', '/retrain', '/status', '/api/detections', '/api/detections/{id}', '/api/stations/{id}/presign', '/api/stations/{id}/uploads/confirm', '/api/models/latest', '/api/jobs/{id}/events', '/api/live']) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect((await cloud.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
  });
});

describe('auth with PUBLIC_DASHBOARD=false', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startTestCloud({ PUBLIC_DASHBOARD: 'false' });
  });
  afterAll(() => cloud.stop());

  it('needs the key for dashboard reads; /status stays public; stations may read models with their token', async () => {
    expect((await cloud.app.inject({ method: 'GET', url: '/api/detections' })).statusCode).toBe(401);
    expect((await cloud.app.inject({ method: 'GET', url: '/api/live' })).statusCode).toBe(401);
    expect((await cloud.app.inject({ method: 'GET', url: '/api/detections', headers: { 'x-api-key': ADMIN_KEY } })).statusCode).toBe(200);
    expect((await cloud.app.inject({ method: 'GET', url: '/status' })).statusCode).toBe(200);
    expect((await cloud.app.inject({ method: 'GET', url: '/api/models/latest' })).statusCode).toBe(401);
    const reg = await cloud.app.inject({ method: 'POST', url: '/api/stations', headers: { 'x-api-key': ADMIN_KEY }, payload: { id: 'st-1' } });
    const token = reg.json().token as string;
    expect((await cloud.app.inject({ method: 'GET', url: '/api/models/latest', headers: { 'x-station-token': token } })).statusCode).toBe(200);
    expect((await cloud.app.inject({ method: 'GET', url: '/api/models/latest', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    expect((await cloud.app.inject({ method: 'GET', url: '/api/detections', headers: { 'x-station-token': token } })).statusCode).toBe(401);
  });
});

describe('auth without API_KEY', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startTestCloud({ API_KEY: '' });
  });
  afterAll(() => cloud.stop());

  it('disables mutations and says why', async () => {
    const res = await cloud.app.inject({ method: 'POST', url: '/api/stations', headers: { 'x-api-key': '' }, payload: { id: 'st-1' } });
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toContain('API_KEY is not configured');
  });
});
