import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** sha256 of a file's content, streamed (recorder files can be hundreds of MB). */
export async function fileSha256(path: string): Promise<{ sha256: string; sizeBytes: number; mtimeMs: number }> {
  const info = await stat(path);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { sha256: hash.digest('hex'), sizeBytes: info.size, mtimeMs: info.mtimeMs };
}

/**
 * Recording start time from an AudioMoth-style name (`20261126_153000.WAV`,
 * UTC, optionally with a prefix); undefined when the name carries no time.
 */
export function timeFromFileName(name: string): number | undefined {
  const m = /(\d{4})(\d{2})(\d{2})[_T-]?(\d{2})(\d{2})(\d{2})/.exec(name);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const date = new Date(t);
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return t;
}
