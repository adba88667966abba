import { request } from 'node:http';

export interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads a server-sent-events stream from a real port, collecting events until closed. */
export function openEventStream(url: string, headers: Record<string, string> = {}): { events: SseEvent[]; close(): void; ended: Promise<void>; ready: Promise<void> } {
  const events: SseEvent[] = [];
  let close = () => undefined as void;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => {
    markReady = r;
  });
  const ended = new Promise<void>((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        if (buffer.includes(': connected')) markReady();
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data !== undefined) events.push({ event, data: JSON.parse(data) });
        }
      });
      res.on('end', () => resolve());
      res.on('close', () => resolve());
    });
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(err)));
    req.end();
    close = () => req.destroy();
  });
  return { events, close: () => close(), ended, ready };
}
