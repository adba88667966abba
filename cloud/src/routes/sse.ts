import type { FastifyReply, FastifyRequest } from 'fastify';

/** Most bytes buffered for one slow client before its stream is closed (it can reconnect). */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const PING_MS = 15_000;

export interface SseStream {
  send(event: string, data: unknown): void;
  close(): void;
  /** Resolves when the client goes away or close() is called. */
  readonly closed: Promise<void>;
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
  const finish = () => {
    if (done) return;
    done = true;
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
  return {
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
}
