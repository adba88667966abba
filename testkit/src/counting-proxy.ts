import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request that went through the proxy. */
export interface ProxiedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  status: number;
  /** Request body bytes (uploads). */
  bytesIn: number;
  /** Response body bytes (downloads). */
  bytesOut: number;
}

/** Answers a request itself instead of forwarding it (e.g. 404 for a route an older server lacks). */
export type ProxyOverride = (method: string, path: string) => { status: number; body: string } | undefined;

/**
 * A transparent HTTP proxy on 127.0.0.1 that records every request it forwards
 * to `target`: put it in front of s3rver to count what S3 would bill (the Host
 * header is passed on unchanged, so presigned URLs signed for the proxy's
 * address stay valid), or in front of a service to count API calls.
 */
export class CountingProxy {
  readonly requests: ProxiedRequest[] = [];
  override: ProxyOverride | undefined;
  private server: Server | undefined;
  private port = 0;

  constructor(private readonly target: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => this.forward(req, res, target));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  reset(): void {
    this.requests.length = 0;
  }

  private forward(req: IncomingMessage, res: ServerResponse, target: URL): void {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const record: ProxiedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, status: 0, bytesIn: 0, bytesOut: 0 };
    this.requests.push(record);
    const answer = this.override?.(record.method, record.path);
    if (answer) {
      req.resume();
      record.status = answer.status;
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      return;
    }
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      record.status = up.statusCode ?? 0;
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.on('data', (chunk: Buffer) => (record.bytesOut += chunk.byteLength));
      up.pipe(res);
    });
    upstream.on('error', () => {
      record.status = 502;
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.on('data', (chunk: Buffer) => (record.bytesIn += chunk.byteLength));
    req.pipe(upstream);
  }
}

/** S3's price classes of a request seen by a proxy in front of a path-style S3 endpoint. */
export function s3RequestClass(r: ProxiedRequest): 'PUT' | 'POST' | 'LIST' | 'GET' | 'HEAD' | 'DELETE' | 'OTHER' {
  if (r.method === 'PUT') return 'PUT';
  if (r.method === 'POST') return 'POST';
  if (r.method === 'HEAD') return 'HEAD';
  if (r.method === 'DELETE') return 'DELETE';
  // GET on the bucket itself (`/<bucket>` or `/<bucket>/`, with list-type or prefix) lists.
  if (r.method === 'GET') return r.query.has('list-type') || /^\/[^/]+\/?$/.test(r.path) ? 'LIST' : 'GET';
  return 'OTHER';
}

/** The object key of a path-style S3 request (`/<bucket>/<key>`). */
export function s3KeyOf(r: ProxiedRequest): string {
  return decodeURIComponent(r.path.split('/').slice(2).join('/'));
}
