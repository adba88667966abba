import type { Readable } from 'node:stream';
import { ObjectTooLargeError } from '../../errors.js';

/** What a listing or a head request tells about one object. */
export interface ObjectInfo {
  key: string;
  bytes: number;
  lastModified: Date;
}

/** A URL a client can PUT one object to without other credentials. */
export interface PresignedPut {
  key: string;
  url: string;
  method: 'PUT';
  /** Headers the client must send with the PUT (the signature covers them). */
  headers: Record<string, string>;
  expiresAt: string;
}

export interface PresignOptions {
  expiresSec: number;
  /**
   * The exact body length the client will send; signed, so the URL cannot carry
   * anything larger. Required by the S3 driver; the fs driver without it falls
   * back to MAX_UPLOAD_MB.
   */
  bytes?: number;
  /** Base URL of this service as clients see it (fs driver URLs point back to it). */
  serviceBaseUrl: string;
}

/**
 * The bucket: source of truth for every original, label, job and release. Keys
 * are the same in every driver; they are validated with assertSafeKey before use.
 * Missing objects raise ObjectNotFoundError from get/getStream, undefined from head;
 * delete is idempotent.
 */
export interface ObjectStorage {
  readonly driver: 'fs' | 's3';
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  /**
   * Writes the object only if no object has the key; true when this call
   * created it. Exclusive between concurrent callers on a filesystem and on S3
   * (conditional PUT, If-None-Match: *); an S3-compatible server that ignores
   * the condition (s3rver) is only checked by a HEAD first, so callers that
   * need a single winner read the object back and compare.
   */
  createIfAbsent(key: string, body: Uint8Array | string, contentType?: string): Promise<boolean>;
  get(key: string): Promise<Buffer>;
  getStream(key: string): Promise<{ stream: Readable; bytes: number }>;
  head(key: string): Promise<ObjectInfo | undefined>;
  delete(key: string): Promise<void>;
  /** Every object whose key starts with `prefix`, in ascending key order, after `startAfter` if given. */
  list(prefix: string, startAfter?: string): AsyncIterable<ObjectInfo>;
  /**
   * A URL that creates the object once: it cannot overwrite an existing object
   * (S3: signed If-None-Match: *; fs: the upload route writes only absent keys).
   */
  presignPut(key: string, options: PresignOptions): Promise<PresignedPut>;
  /** Throws when the storage cannot be reached (for /status). */
  ping(): Promise<void>;
  /** A short human description without credentials (logs, /status). */
  describe(): string;
}

/** Documents the service writes are a few KB; anything far bigger is not one of them. */
export const MAX_JSON_BYTES = 4 * 1024 * 1024;

/**
 * Reads an object of at most `maxBytes` without holding more than that: the
 * declared size is checked before reading, and the stream is cut if it runs
 * over. A body that breaks off mid-stream (a reset connection) is read again,
 * as S3Storage.get does: a GET is idempotent.
 */
export async function getBounded(storage: ObjectStorage, key: string, maxBytes: number, attempts = 3): Promise<Buffer> {
  for (let attempt = 1; ; attempt++) {
    const { stream, bytes } = await storage.getStream(key);
    if (bytes > maxBytes) {
      stream.destroy();
      throw new ObjectTooLargeError(key, bytes, maxBytes);
    }
    try {
      return await readAtMost(stream, key, maxBytes);
    } catch (err) {
      if (err instanceof ObjectTooLargeError || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

async function readAtMost(stream: Readable, key: string, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).byteLength;
    if (total > maxBytes) {
      stream.destroy();
      throw new ObjectTooLargeError(key, total, maxBytes);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function getJson<T>(storage: ObjectStorage, key: string, maxBytes = MAX_JSON_BYTES): Promise<T> {
  return JSON.parse((await getBounded(storage, key, maxBytes)).toString('utf8')) as T;
}

export async function putJson(storage: ObjectStorage, key: string, value: unknown): Promise<void> {
  await storage.put(key, JSON.stringify(value, null, 2) + '\n', 'application/json');
}

/** Collects a listing into an array (for bounded prefixes only). */
export async function listAll(storage: ObjectStorage, prefix: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of storage.list(prefix)) out.push(info);
  return out;
}
