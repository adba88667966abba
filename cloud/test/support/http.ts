import { request } from 'node:http';

export interface StreamedResult {
  status: number;
  body: string;
  /** Body bytes written before the server answered. */
  sentBytes: number;
}

/**
 * Streams a body of `totalBytes` (head, then zeros) to a real port without ever
 * holding it in memory, and returns as soon as the server answers. Write errors
 * after the answer (the server closes the connection) are expected.
 */
export function streamHugeBody(url: string, headers: Record<string, string>, head: Buffer, totalBytes: number): Promise<StreamedResult> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(256 * 1024);
    let sent = 0;
    let answered = false;
    const req = request(url, { method: 'POST', headers }, (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString(), sentBytes: sent });
      });
      res.on('error', reject);
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
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
