import { request } from 'node:http';

export interface StreamedResult {
  status: number;
  body: string;
  /** Body bytes written before the server answered. */
  sentBytes: number;
}

/**
 * Streams `totalBytes` (head, then zeros) with any method, never holding them
 * in memory, and returns as soon as the server answers (or gives up after `timeoutMs`).
 */
export function streamBody(url: string, method: string, headers: Record<string, string>, head: Buffer, totalBytes: number, timeoutMs = 30_000): Promise<StreamedResult> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(256 * 1024);
    let sent = 0;
    let answered = false;
    const req = request(url, { method, headers }, (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString(), sentBytes: sent });
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`${method} ${url}: no answer within ${timeoutMs} ms after ${sent} bytes`));
    }, timeoutMs);
    req.on('error', (err) => {
      if (!answered) {
        clearTimeout(timer);
        reject(err);
      }
    });
    const pump = () => {
      if (sent === 0) {
        req.write(head);
        sent += head.length;
      }
      while (!answered && sent < totalBytes) {
        const n = Math.min(chunk.length, totalBytes - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** streamBody as a POST (an oversized upload). */
export function streamHugeBody(url: string, headers: Record<string, string>, head: Buffer, totalBytes: number): Promise<StreamedResult> {
  return streamBody(url, 'POST', headers, head, totalBytes);
}
