import type { FastifyRequest } from 'fastify';

// Query parameters and headers whose values are credentials: admin keys, station
// tokens, presigned URL signatures (the fs driver's `sig`, S3's X-Amz-Signature).
const SENSITIVE_NAME = /key|token|sig|secret|passw|credential|auth|cookie/i;

/** The URL with the values of credential-like query parameters replaced (clients do put keys in URLs). */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url.slice(q + 1).split('&').map((pair) => {
    const name = pair.split('=')[0];
    return SENSITIVE_NAME.test(safeDecode(name)) ? `${name}=[redacted]` : pair;
  });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

/** A copy of request headers without credential values. */
export function redactHeaders(headers: unknown): unknown {
  if (typeof headers !== 'object' || headers === null) return headers;
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, SENSITIVE_NAME.test(name) ? '[redacted]' : value]));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * pino serializers for the HTTP logger. `req` is fastify's own, with the URL
 * redacted (a request logged at info carries its query string). `headers` and
 * `busboyOptions` (@fastify/multipart logs the latter, headers included, at
 * trace) lose their credential values.
 */
export const httpLogSerializers = {
  req: (req: FastifyRequest) => ({
    method: req.method,
    url: redactUrl(req.url),
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }),
  headers: redactHeaders,
  busboyOptions: (options: unknown) => (typeof options === 'object' && options !== null ? { ...options, headers: redactHeaders((options as { headers?: unknown }).headers) } : options),
};
