import { request } from 'node:http';

/** Collects every check of a scenario, so one run reports all problems (and counts for the summary table). */
export class Findings {
  readonly problems: string[] = [];
  checks = 0;
  attacks = 0;

  check(what: string, ok: boolean, detail = ''): void {
    this.checks++;
    if (!ok) this.problems.push(detail ? `${what}: ${detail}` : what);
  }

  /** An attack request's answer: one of `allowed`, with the error shape (and one of `codes` when given). */
  refused(what: string, res: { statusCode: number; body: string }, allowed: number[], codes?: string[]): void {
    this.attacks++;
    let code: unknown;
    try {
      code = (JSON.parse(res.body) as { code?: unknown }).code;
    } catch {
      code = undefined;
    }
    const ok = allowed.includes(res.statusCode) && (!codes || codes.includes(String(code)));
    this.check(what, ok, `answered ${res.statusCode} ${String(code ?? res.body.slice(0, 120))}, want ${allowed.join('/')}${codes ? ` ${codes.join('/')}` : ''}`);
  }
}

export interface StreamedAnswer {
  status: number;
  body: string;
  /** Body bytes written before the server answered. */
  sentBytes: number;
}

/**
 * Streams `totalBytes` (head, then zeros) with any method, never holding them
 * in memory, and returns as soon as the server answers (or gives up after `timeoutMs`).
 */
export function streamBody(url: string, method: string, headers: Record<string, string>, head: Buffer, totalBytes: number, timeoutMs = 30_000): Promise<StreamedAnswer> {
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
