import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AudioDecodeError, AudioTooLongError, EcoSightError } from '#shared/errors.js';
import { ApiError, DomainError, ObjectNotFoundError, type DomainErrorKind } from '../errors.js';

/** Codes for errors fastify and its plugins raise, by HTTP status. */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 406: 'BAD_REQUEST', 409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 429: 'RATE_LIMITED',
};

/**
 * The one error handler: every failure becomes
 * `{success:false, statusCode, code, error, message, ...extra}`. Client errors are
 * logged at info without a stack; server errors once, at error, with the request id.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const { status, code, message, extra } = classify(err, request);
    if (status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code, status, msg: message }, 'request refused');
    // An oversized body may still be streaming in: close the connection instead of reading it all.
    if (status === 413) reply.header('connection', 'close');
    return reply.code(status).send({ success: false, statusCode: status, code, error: STATUS_CODES[status] ?? 'Error', message, ...extra });
  });
  app.setNotFoundHandler((request, reply) => {
    return reply.code(404).send({ success: false, statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
}

/** Services' domain errors as HTTP answers. */
const STATUS_BY_KIND: Record<DomainErrorKind, number> = { invalid: 400, conflict: 409, 'not-found': 404, 'too-large': 413, unavailable: 503 };

function classify(err: FastifyError | Error, request: FastifyRequest): { status: number; code: string; message: string; extra: Record<string, unknown> } {
  if (err instanceof ApiError) return { status: err.statusCode, code: err.code, message: err.message, extra: err.extra };
  if (err instanceof DomainError) return { status: STATUS_BY_KIND[err.kind], code: err.code, message: err.message, extra: err.extra };
  if (err instanceof AudioDecodeError) return { status: 400, code: 'AUDIO_DECODE', message: `not a usable audio file (WAV, FLAC or Ogg Opus): ${err.message}`, extra: {} };
  if (err instanceof AudioTooLongError) return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: err.message, extra: {} };
  if (err instanceof ObjectNotFoundError) return { status: 404, code: 'NOT_FOUND', message: 'the object is not in storage', extra: {} };
  const fe = err as FastifyError;
  if (fe.validation) return { status: 400, code: 'VALIDATION', message: fe.message, extra: {} };
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status < 500) {
    const code = status === 413 || status === 429 ? CODE_BY_STATUS[status] : (err instanceof EcoSightError ? err.code : CODE_BY_STATUS[status] ?? 'BAD_REQUEST');
    return { status, code, message: err.message, extra: {} };
  }
  return { status: 500, code: 'INTERNAL', message: `internal error (request ${request.id}; details are in the service log)`, extra: {} };
}
