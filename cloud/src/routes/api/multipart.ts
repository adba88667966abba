import type {} from '@fastify/multipart';
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { ApiError, badRequest } from '../../errors.js';

export interface MultipartForm {
  fields: Record<string, string>;
  file: { fieldName: string; fileName: string; bytes: Buffer } | undefined;
}

/**
 * Reads a multipart form with at most one file. The size limit is enforced by
 * busboy while streaming and answered at once (413), so an oversized body is
 * neither held in memory nor read to its end. A malformed body (no boundary,
 * cut short, never closed) is a 400, not a server error.
 */
export async function readMultipart(request: FastifyRequest, fileField: string, maxFileBytes: number): Promise<MultipartForm> {
  const form: MultipartForm = { fields: {}, file: undefined };
  try {
    // preservePath keeps the client's file name as sent, so traversal is refused rather than silently stripped.
    const parts = request.parts({ preservePath: true, limits: { fileSize: maxFileBytes, files: 1, fields: 10, fieldSize: 4096, parts: 12, headerPairs: 100 } });
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== fileField) {
          part.file.resume();
          throw badRequest('VALIDATION', `unexpected file field "${part.fieldname}" (send the audio as "${fileField}")`);
        }
        form.file = { fieldName: part.fieldname, fileName: part.filename ?? '', bytes: await readLimited(part.file, maxFileBytes) };
      } else {
        form.fields[part.fieldname] = String(part.value ?? '');
      }
    }
  } catch (err) {
    throw asClientError(err);
  }
  return form;
}

/**
 * Collects a file stream, failing the moment busboy reports the size limit
 * (busboy would otherwise read the rest of the part to its end first). The
 * async iterator also reports an error the stream had before we got to it
 * (a part cut short is destroyed with its error as soon as busboy sees the
 * end of the body, which with a small body is before the handler reads it).
 */
async function readLimited(stream: Readable & { truncated?: boolean }, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new ApiError(413, 'PAYLOAD_TOO_LARGE', `the file is over the limit of ${maxBytes} bytes`);
  const onLimit = () => stream.destroy(tooLarge());
  stream.once('limit', onLimit);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer);
  } finally {
    stream.off('limit', onLimit);
  }
  if (stream.truncated) throw tooLarge();
  return Buffer.concat(chunks);
}

/** Our own errors and the multipart plugin's limit errors (413, 406) stand; busboy's parse errors are the client's fault. */
function asClientError(err: unknown): unknown {
  if (err instanceof ApiError) return err;
  const status = (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return err;
  return badRequest('BAD_REQUEST', `malformed multipart body: ${(err as Error).message}`);
}

/** Answers 413 before reading anything when the declared body is already too big. */
export function rejectDeclaredOversize(request: FastifyRequest, maxBodyBytes: number): void {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `request body of ${declared} bytes is over the limit of ${maxBodyBytes} bytes`);
  }
}
