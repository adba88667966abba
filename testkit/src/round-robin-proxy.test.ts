import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RoundRobinProxy } from './round-robin-proxy.js';

async function upstream(name: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': name });
      res.end(JSON.stringify({ name, method: req.method, url: req.url, body: Buffer.concat(chunks).toString() }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('RoundRobinProxy', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('spreads requests over the upstreams in turn, with method, path and body intact', async () => {
    const a = await upstream('a');
    const b = await upstream('b');
    cleanup.push(() => new Promise((r) => a.server.close(r)), () => new Promise((r) => b.server.close(r)));
    const proxy = new RoundRobinProxy([a.url, b.url]);
    await proxy.start();
    cleanup.push(() => proxy.stop());
    const answers = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${proxy.url}/api/x?i=${i}`, { method: 'POST', body: `body-${i}` });
      answers.push((await res.json()) as { name: string; method: string; url: string; body: string });
    }
    expect(answers.map((x) => x.name)).toEqual(['a', 'b', 'a', 'b']);
    expect(answers[3]).toEqual({ name: 'b', method: 'POST', url: '/api/x?i=3', body: 'body-3' });
    expect(proxy.forwarded).toEqual([2, 2]);
  });

  it('skips an upstream that refuses connections, and answers 502 when none is left', async () => {
    const a = await upstream('a');
    const dead = await upstream('dead');
    await new Promise((r) => dead.server.close(r));
    const proxy = new RoundRobinProxy([dead.url, a.url]);
    await proxy.start();
    cleanup.push(() => proxy.stop());
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${proxy.url}/p`, { method: 'PUT', body: 'x' });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { name: string }).name).toBe('a');
    }
    a.server.closeAllConnections();
    await new Promise((r) => a.server.close(r));
    const res = await fetch(`${proxy.url}/p`);
    expect(res.status).toBe(502);
  });
});
