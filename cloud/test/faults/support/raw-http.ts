import { connect } from 'node:net';

export interface RawOutcome {
  /** Status codes of every answer read from the socket, in order. */
  statuses: number[];
  /** Everything read from the socket (latin1). */
  text: string;
  /** The server closed the connection. */
  closed: boolean;
  /** Neither an answer nor a close came within the time limit. */
  timedOut: boolean;
}

/** Bytes to write; `end` half-closes the socket afterwards (the client gives up sending). */
export interface RawRequest {
  bytes: Buffer;
  end?: boolean;
}

/**
 * Writes raw bytes to the server and collects what comes back until the server
 * closes the connection, or — once at least one answer arrived — until it has
 * been quiet for a moment.
 */
export function rawExchange(baseUrl: string, request: RawRequest, timeoutMs: number): Promise<RawOutcome> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    let quiet: NodeJS.Timeout | undefined;
    const statuses = () => [...received.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
    const finish = (outcome: Omit<RawOutcome, 'statuses' | 'text'>) => {
      clearTimeout(deadline);
      clearTimeout(quiet);
      socket.destroy();
      resolve({ statuses: statuses(), text: received, ...outcome });
    };
    const deadline = setTimeout(() => finish({ closed: false, timedOut: statuses().length === 0 }), timeoutMs);
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1');
      clearTimeout(quiet);
      quiet = setTimeout(() => finish({ closed: false, timedOut: false }), 300);
    });
    socket.on('close', () => finish({ closed: true, timedOut: false }));
    socket.on('error', () => undefined);
    socket.write(request.bytes, () => {
      if (request.end) socket.end();
    });
  });
}

/** One request sent byte for byte (paths are not normalised, unlike fetch and inject). */
export async function rawRequest(baseUrl: string, method: string, path: string, headers: Record<string, string> = {}, body = ''): Promise<{ statusCode: number; body: string }> {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: x', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), `Content-Length: ${Buffer.byteLength(body)}`];
  const out = await rawExchange(baseUrl, { bytes: Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`) }, 5_000);
  const cut = out.text.indexOf('\r\n\r\n');
  return { statusCode: out.statuses[0] ?? 0, body: cut >= 0 ? out.text.slice(cut + 4) : '' };
}

const boundary = '----rawfuzz';
const formHead = `--${boundary}\r\nContent-Disposition: form-data; name="class"\r\n\r\ngunshot\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`;

function head(lines: string[]): string {
  return `${lines.join('\r\n')}\r\n\r\n`;
}

const only4xx = (s: number[]) => s.length > 0 && s.every((x) => x >= 400 && x < 500);
const fourxxOrClose = (s: number[]) => s.every((x) => x >= 400 && x < 500);

export interface RawCase {
  name: string;
  request(adminKey: string): RawRequest;
  /** Whether the answers are acceptable (the socket either answered or closed: no hang). */
  accept(statuses: number[]): boolean;
}

/** Malformed HTTP framing that app.inject cannot express. */
export const RAW_CASES: RawCase[] = [
  {
    name: 'declares a 10 GB body, sends its first bytes',
    request: (key) => ({ bytes: Buffer.from(head(['POST /upload HTTP/1.1', 'Host: x', `x-api-key: ${key}`, `Content-Type: multipart/form-data; boundary=${boundary}`, 'Content-Length: 10737418240']) + formHead) }),
    accept: (s) => s.length === 1 && s[0] === 413,
  },
  {
    name: 'Content-Length shorter than the body (the rest is a bogus second request)',
    request: (key) => ({ bytes: Buffer.from(head(['POST /upload HTTP/1.1', 'Host: x', `x-api-key: ${key}`, `Content-Type: multipart/form-data; boundary=${boundary}`, 'Content-Length: 20']) + formHead + 'RIFF....WAVE'.repeat(20)) }),
    accept: only4xx,
  },
  {
    name: 'body shorter than Content-Length, then the client hangs up',
    request: (key) => ({ bytes: Buffer.from(head(['POST /upload HTTP/1.1', 'Host: x', `x-api-key: ${key}`, `Content-Type: multipart/form-data; boundary=${boundary}`, 'Content-Length: 100000']) + formHead + 'RIFF'), end: true }),
    accept: fourxxOrClose,
  },
  {
    name: 'chunk size that is not hex',
    request: (key) => ({ bytes: Buffer.from(head(['POST /upload HTTP/1.1', 'Host: x', `x-api-key: ${key}`, `Content-Type: multipart/form-data; boundary=${boundary}`, 'Transfer-Encoding: chunked']) + 'zz\r\nhello\r\n0\r\n\r\n') }),
    accept: only4xx,
  },
  {
    name: 'chunk size larger than 2^64',
    request: (key) => ({ bytes: Buffer.from(head(['POST /upload HTTP/1.1', 'Host: x', `x-api-key: ${key}`, `Content-Type: multipart/form-data; boundary=${boundary}`, 'Transfer-Encoding: chunked']) + 'fffffffffffffffffffff\r\n' + formHead) }),
    accept: only4xx,
  },
  {
    name: 'both Content-Length and Transfer-Encoding (request smuggling)',
    request: (key) => ({ bytes: Buffer.from(head(['POST /upload HTTP/1.1', 'Host: x', `x-api-key: ${key}`, `Content-Type: multipart/form-data; boundary=${boundary}`, 'Content-Length: 5', 'Transfer-Encoding: chunked']) + '0\r\n\r\nGET /status HTTP/1.1\r\nHost: x\r\n\r\n') }),
    accept: only4xx,
  },
  {
    name: 'two different Content-Length headers',
    request: (key) => ({ bytes: Buffer.from(head(['POST /upload HTTP/1.1', 'Host: x', `x-api-key: ${key}`, `Content-Type: multipart/form-data; boundary=${boundary}`, 'Content-Length: 5', 'Content-Length: 50']) + 'hello') }),
    accept: only4xx,
  },
  {
    name: '100 KB of headers',
    request: (key) => ({ bytes: Buffer.from(head(['POST /upload HTTP/1.1', 'Host: x', `x-api-key: ${key}`, `X-Filler: ${'a'.repeat(100 * 1024)}`, 'Content-Length: 0'])) }),
    accept: (s) => s.length === 1 && (s[0] === 431 || s[0] === 400),
  },
  {
    name: 'garbage request line',
    request: () => ({ bytes: Buffer.from('\x00\x01\x02 /upload HTTP/9.9\r\n\r\n') }),
    accept: only4xx,
  },
  {
    name: 'header with a bare LF and a NUL',
    request: (key) => ({ bytes: Buffer.from(`POST /upload HTTP/1.1\r\nHost: x\r\nx-api-key: ${key}\nX-Bad: a\x00b\r\nContent-Length: 0\r\n\r\n`) }),
    accept: only4xx,
  },
  {
    name: 'multipart body that stalls (slow client)',
    request: (key) => ({ bytes: Buffer.from(head(['POST /upload HTTP/1.1', 'Host: x', `x-api-key: ${key}`, `Content-Type: multipart/form-data; boundary=${boundary}`, 'Transfer-Encoding: chunked']) + `${Buffer.byteLength(formHead).toString(16)}\r\n${formHead}\r\n`) }),
    accept: (s) => s.length === 1 && s[0] === 408,
  },
];
