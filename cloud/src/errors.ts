import { EcoSightError } from '#shared/errors.js';

/**
 * An error that maps to an HTTP answer. Routes and services throw these; the one
 * error handler in app.ts turns them into `{success:false, statusCode, code, error, message}`.
 * `extra` fields are merged into the body (e.g. `job_id` on a 409).
 */
export class ApiError extends EcoSightError {
  readonly statusCode: number;
  readonly extra: Record<string, unknown>;

  constructor(statusCode: number, code: string, message: string, extra: Record<string, unknown> = {}) {
    super(code, message);
    this.statusCode = statusCode;
    this.extra = extra;
  }
}

/** What went wrong, in the service's terms; the routes' error handler maps each kind to an HTTP status. */
export type DomainErrorKind = 'invalid' | 'conflict' | 'not-found' | 'too-large' | 'unavailable';

/**
 * A service's refusal (bad input, a clash with current state, a limit, a feature
 * that is off). Services throw these, never HTTP errors: the one mapping to HTTP
 * is in routes/error-handler.ts. `extra` fields are merged into the answer.
 */
export class DomainError extends EcoSightError {
  readonly kind: DomainErrorKind;
  readonly extra: Record<string, unknown>;

  constructor(kind: DomainErrorKind, code: string, message: string, extra: Record<string, unknown> = {}) {
    super(code, message);
    this.kind = kind;
    this.extra = extra;
  }
}

export const invalid = (code: string, message: string, extra?: Record<string, unknown>) => new DomainError('invalid', code, message, extra);
export const clash = (code: string, message: string, extra?: Record<string, unknown>) => new DomainError('conflict', code, message, extra);
export const tooLarge = (code: string, message: string) => new DomainError('too-large', code, message);
export const unavailable = (code: string, message: string) => new DomainError('unavailable', code, message);

export const unauthorized = (message: string) => new ApiError(401, 'UNAUTHORIZED', message);
export const forbidden = (message: string) => new ApiError(403, 'FORBIDDEN', message);
export const notFound = (message: string) => new ApiError(404, 'NOT_FOUND', message);
export const badRequest = (code: string, message: string, extra?: Record<string, unknown>) => new ApiError(400, code, message, extra);
export const conflict = (code: string, message: string, extra?: Record<string, unknown>) => new ApiError(409, code, message, extra);

/** Storage failed (unreachable, denied); distinct from "object not found". */
export class StorageError extends EcoSightError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORAGE', message, options);
  }
}

/** An object is bigger than the reader will hold (a station's clip or document out of bounds). */
export class ObjectTooLargeError extends DomainError {
  constructor(key: string, bytes: number, maxBytes: number) {
    super('too-large', 'OBJECT_TOO_LARGE', `${key} has ${bytes} bytes or more, over the ${maxBytes} bytes this reader accepts`);
  }
}

export class ObjectNotFoundError extends EcoSightError {
  readonly key: string;

  constructor(key: string) {
    super('OBJECT_NOT_FOUND', `no object at ${key}`);
    this.key = key;
  }
}
