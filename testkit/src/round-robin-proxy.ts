import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small reverse proxy on 127.0.0.1 spreading requests over several
 * upstreams in turn, as a load balancer in front of API replicas does. An
 * upstream that refuses the connection is skipped for that request (the next
 * one is tried), so killing one replica costs no request that has not reached
 * it yet. Streams bodies both ways (SSE included).
 */
export class RoundRobinProxy {
  private server: Server | undefined;
  private next = 0;
  /** Requests forwarded per upstream (same order as `upstreams`). */
  readonly forwarded: number[];

  constructor(private readonly upstreams: string[]) {
    this.forwarded = upstreams.map(() => 0);
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('proxy not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => this.forward(req, res, 0));
    server.keepAliveTimeout = 5_000;
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  private forward(req: IncomingMessage, res: ServerResponse, attempt: number, body?: Buffer): void {
    if (body === undefined) {
      // Buffer the request body so that it can be sent again to the next upstream.
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.forward(req, res, attempt, Buffer.concat(chunks)));
      return;
    }
    const index = this.next++ % this.upstreams.length;
    const target = new URL(req.url ?? '/', this.upstreams[index]);
    const upstream = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      this.forwarded[index]++;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      res.on('close', () => answer.destroy());
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (!res.headersSent && err.code === 'ECONNREFUSED' && attempt + 1 < this.upstreams.length) {
        this.forward(req, res, attempt + 1, body);
        return;
      }
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${err.message}`);
    });
    upstream.end(body);
  }
}
