import { EcoSightError } from '#shared/errors.js';

export class FetchError extends EcoSightError {
  constructor(message: string, readonly status?: number) {
    super('OTA_FETCH', message);
  }
}

/**
 * GETs a URL into memory, refusing more than `maxBytes` (checked while
 * streaming, so an oversized or endless body costs at most maxBytes).
 */
export async function fetchBytes(url: string, maxBytes: number, signal: AbortSignal, headers: Record<string, string> = {}): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const res = await followRedirects(url, signal, headers);
  if (res.status === 304) return { status: 304, bytes: Buffer.alloc(0), headers: res.headers };
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new FetchError(`GET ${url}: HTTP ${res.status}`, res.status);
  }
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new FetchError(`GET ${url}: ${declared} bytes exceeds the limit of ${maxBytes}`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  if (res.body) {
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        total += chunk.byteLength;
        if (total > maxBytes) {
          await res.body.cancel().catch(() => undefined);
          throw new FetchError(`GET ${url}: body exceeds the limit of ${maxBytes} bytes`);
        }
        chunks.push(Buffer.from(chunk));
      }
    } catch (err) {
      // A connection cut mid-body surfaces here as undici's TypeError('terminated'): a link problem, retried later.
      if (err instanceof FetchError) throw err;
      throw new FetchError(`GET ${url}: connection lost after ${total} bytes: ${(err as Error).message}`);
    }
  }
  return { status: res.status, bytes: Buffer.concat(chunks), headers: res.headers };
}

const MAX_REDIRECTS = 3;
/** Headers that identify the station: they go to the origin they were meant for, never across a redirect. */
const CREDENTIAL_HEADERS = ['x-station-token', 'authorization'];

/**
 * fetch() follows redirects itself but forwards custom headers to any host: a
 * redirect (a CDN, a bucket, a hostile answer) would carry the station token
 * away. Redirects are followed here instead, and credentials dropped as soon as
 * the origin changes.
 */
async function followRedirects(url: string, signal: AbortSignal, headers: Record<string, string>): Promise<Response> {
  let current = url;
  let sent = headers;
  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      res = await fetch(current, { headers: sent, signal, redirect: 'manual' });
    } catch (err) {
      throw new FetchError(`cannot reach ${current}: ${(err as Error).message}`);
    }
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || res.status === 304 || !location) return res;
    await res.body?.cancel().catch(() => undefined);
    if (hop >= MAX_REDIRECTS) throw new FetchError(`GET ${url}: more than ${MAX_REDIRECTS} redirects`);
    const next = new URL(location, current);
    if (next.origin !== new URL(current).origin) {
      sent = Object.fromEntries(Object.entries(sent).filter(([k]) => !CREDENTIAL_HEADERS.includes(k.toLowerCase())));
    }
    current = next.toString();
  }
}
