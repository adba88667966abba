/** Uploaded originals live under the seed's layout: `extracted_audio/<class>/<YYYYMMDD_HHMMSS>_<name>.<wav|flac|opus>`. */
export const UPLOADS_PREFIX = 'extracted_audio/';

/** The seed's timestamp format, UTC. */
export function uploadTimestamp(d: Date): string {
  const p = (n: number) => n.toString().padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}_${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

export function uploadKey(className: string, timestamp: string, name: string): string {
  return `${UPLOADS_PREFIX}${className}/${timestamp}_${name}`;
}

export interface ParsedUploadKey {
  class: string;
  name: string;
  /** From the key's timestamp; undefined for keys not written by this service. */
  createdAt: string | undefined;
}

export function parseUploadKey(key: string): ParsedUploadKey | undefined {
  const m = /^extracted_audio\/([^/]+)\/([^/]+\.(?:wav|flac|opus))$/i.exec(key);
  if (!m) return undefined;
  const [, cls, file] = m;
  const t = /^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})_(.+)$/.exec(file);
  if (!t) return { class: cls, name: file, createdAt: undefined };
  const [, y, mo, d, h, mi, s, name] = t;
  return { class: cls, name, createdAt: new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s)).toISOString() };
}
