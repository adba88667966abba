import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { ApiError, badRequest } from '../../errors.js';

export interface MultipartForm {
  fields: Record<string, string>;
  file: { fieldName: string; fileName: string; bytes: Buffer } | undefined;
}

/**
 * Reads a multipart form with at most one file. The size limit is enforced by
 * busboy while streaming (toBuffer throws 413 at the limit), so an oversized
 * body is never held in memory.
 */
export async function readMultipart(request: FastifyRequest, fileField: string, maxFileBytes: number): Promise<MultipartForm> {
  const form: MultipartForm = { fields: {}, file: undefined };
  const parts = request.parts({ limits: { fileSize: maxFileBytes, files: 1, fields: 10, fieldSize: 4096, parts: 12, headerPairs: 100 } });
  for await (const part of parts) {
    if (part.type === 'file') {
      if (part.fieldname !== fileField) {
        part.file.resume();
        throw badRequest('VALIDATION', `unexpected file field "${part.fieldname}" (send the audio as "${fileField}")`);
      }
      form.file = { fieldName: part.fieldname, fileName: part.filename ?? '', bytes: await part.toBuffer() };
    } else {
      form.fields[part.fieldname] = String(part.value ?? '');
    }
  }
  return form;
}

/** Answers 413 before reading anything when the declared body is already too big. */
export function rejectDeclaredOversize(request: FastifyRequest, maxBodyBytes: number): void {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `request body of ${declared} bytes is over the limit of ${maxBodyBytes} bytes`);
  }
}
