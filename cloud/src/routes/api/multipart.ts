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
 * neither held in memory nor read to its end.
 */
export async function readMultipart(request: FastifyRequest, fileField: string, maxFileBytes: number): Promise<MultipartForm> {
  const form: MultipartForm = { fields: {}, file: undefined };
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
  return form;
}

/**
 * Collects a file stream, failing the moment busboy reports the size limit
 * (toBuffer would only notice after the whole body had streamed through).
 */
function readLimited(stream: Readable & { truncated?: boolean }, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const tooLarge = () => new ApiError(413, 'PAYLOAD_TOO_LARGE', `the file is over the limit of ${maxBytes} bytes`);
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('limit', () => reject(tooLarge()));
    stream.once('error', reject);
    stream.once('end', () => (stream.truncated ? reject(tooLarge()) : resolve(Buffer.concat(chunks))));
  });
}

/** Answers 413 before reading anything when the declared body is already too big. */
export function rejectDeclaredOversize(request: FastifyRequest, maxBodyBytes: number): void {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `request body of ${declared} bytes is over the limit of ${maxBodyBytes} bytes`);
  }
}
