import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchBytes } from './http-fetch.js';

/** Two origins on 127.0.0.1: `cloud` redirects /away to `other` and /here to itself. */
const seen: Array<{ origin: string; path: string; headers: IncomingHttpHeaders }> = [];
let cloud: Server;
let other: Server;
const urlOf = (s: Server): string => {
  const a = s.address();
  return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
};

beforeAll(async () => {
  other = createServer((req, res) => {
    seen.push({ origin: 'other', path: req.url ?? '', headers: req.headers });
    res.end('elsewhere');
  });
  cloud = createServer((req, res) => {
    seen.push({ origin: 'cloud', path: req.url ?? '', headers: req.headers });
    if (req.url === '/away') return void res.writeHead(302, { location: `${urlOf(other)}/file` }).end();
    if (req.url === '/here') return void res.writeHead(301, { location: '/file' }).end();
    res.end('home');
  });
  await Promise.all([cloud, other].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
});
afterAll(async () => {
  await Promise.all([cloud, other].map((s) => new Promise<void>((r) => s.close(() => r()))));
});

describe('fetchBytes and redirects', () => {
  it('keeps the station token on its own origin and drops it when a redirect leaves it', async () => {
    const token = { 'x-station-token': 'secret-token' };
    expect((await fetchBytes(`${urlOf(cloud)}/here`, 1024, AbortSignal.timeout(5000), token)).bytes.toString()).toBe('home');
    expect(seen.filter((s) => s.origin === 'cloud').every((s) => s.headers['x-station-token'] === 'secret-token')).toBe(true);
    expect((await fetchBytes(`${urlOf(cloud)}/away`, 1024, AbortSignal.timeout(5000), token)).bytes.toString()).toBe('elsewhere');
    const away = seen.find((s) => s.origin === 'other');
    expect(away?.path).toBe('/file');
    expect(away?.headers['x-station-token']).toBeUndefined();
  });
});
