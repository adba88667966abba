import { clipContentType, codecOfKey } from '#shared/audio/clip-codec.js';
import { ApiError } from '../../errors.js';

/** Longest object key the service accepts (S3 allows 1024; we keep room for prefixes). */
export const MAX_KEY_CHARS = 512;

// A segment may not start with a dot: that rules out `.`, `..` and hidden files (the fs driver keeps its temp files in `.tmp/`).
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * True for keys made of `/`-separated segments of [A-Za-z0-9._-], none empty or starting with a dot.
 * Such a key maps to the same path on every file system and needs no URL escaping.
 */
export function isSafeKey(key: string): boolean {
  if (key.length === 0 || key.length > MAX_KEY_CHARS) return false;
  return key.split('/').every((s) => SEGMENT.test(s));
}

export function assertSafeKey(key: string): string {
  if (!isSafeKey(key)) {
    throw new ApiError(400, 'UNSAFE_KEY', `object key ${JSON.stringify(key.slice(0, 80))} is not allowed: use /-separated segments of [A-Za-z0-9._-], no "..", at most ${MAX_KEY_CHARS} characters`);
  }
  return key;
}

/** A prefix is safe when it is empty or a safe key followed by `/` (listing only). */
export function assertSafePrefix(prefix: string): string {
  if (prefix === '') return prefix;
  const body = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  // A partial last segment ("stations/a") is a valid S3 prefix; it must still be made of safe characters.
  if (!isSafeKey(body)) throw new ApiError(400, 'UNSAFE_KEY', `object prefix ${JSON.stringify(prefix.slice(0, 80))} is not allowed`);
  return prefix;
}

/** Content type stored with (and presigned for) an object, from its extension. */
export function contentTypeFor(key: string): string {
  const codec = codecOfKey(key);
  if (codec) return clipContentType(codec);
  if (key.endsWith('.json')) return 'application/json';
  if (key.endsWith('.png')) return 'image/png';
  return 'application/octet-stream';
}
