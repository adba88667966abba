import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Most bytes buffered for one slow client before its stream is closed (it can reconnect). */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const PING_MS = 15_000;

export interface SseStream {
  send(event: string, data: unknown): void;
  close(): void;
  /** Resolves when the client goes away or close() is called. */
  readonly closed: Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Open event streams, ended when the server closes (they would hold it open forever). */
    sseStreams: Set<SseStream>;
  }
}

/** Lets the app end every event stream on close; call once on the root instance. */
export function installSseRegistry(app: FastifyInstance): void {
  app.decorate('sseStreams', new Set<SseStream>());
  app.addHook('preClose', async () => {
    for (const stream of [...app.sseStreams]) stream.close();
  });
}

/**
 * Turns a reply into a server-sent-events stream. The reply is hijacked, so the
 * caller owns it from here; a ping comment keeps proxies from timing out.
 */
export function openSse(request: FastifyRequest, reply: FastifyReply): SseStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(': connected\n\n');
  let done = false;
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  const registry = request.server.sseStreams;
  const finish = () => {
    if (done) return;
    done = true;
    registry?.delete(stream);
    clearInterval(ping);
    if (!res.writableEnded) res.end();
    resolveClosed();
  };
  const ping = setInterval(() => {
    if (!done) res.write(': ping\n\n');
  }, PING_MS);
  ping.unref();
  request.raw.on('close', finish);
  res.on('close', finish);
  const stream: SseStream = {
    send(event, data) {
      if (done) return;
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        finish();
        return;
      }
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close: finish,
    closed,
  };
  registry?.add(stream);
  return stream;
}
