import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Signs and checks the fs driver's upload URLs: HMAC-SHA256 over the method,
 * key, expiry, content type and (when the station declared it) the exact body
 * length, with a secret that never leaves the data dir.
 */
export class UrlSigner {
  private readonly secret: Buffer;

  constructor(secret: Buffer) {
    this.secret = secret;
  }

  sign(key: string, expiresUnixSec: number, contentType: string, bytes?: number): string {
    const length = bytes === undefined ? '' : `\n${bytes}`;
    return createHmac('sha256', this.secret).update(`PUT\n${key}\n${expiresUnixSec}\n${contentType}${length}`).digest('hex');
  }

  /** 'ok', 'expired' or 'bad-signature' (a changed key, expiry, content type or length breaks the signature). */
  check(key: string, expiresUnixSec: number, contentType: string, signature: string, nowMs: number, bytes?: number): 'ok' | 'expired' | 'bad-signature' {
    const want = Buffer.from(this.sign(key, expiresUnixSec, contentType, bytes), 'hex');
    const got = /^[0-9a-f]{64}$/.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
    if (got.length !== want.length || !timingSafeEqual(got, want)) return 'bad-signature';
    if (nowMs > expiresUnixSec * 1000) return 'expired';
    return 'ok';
  }
}

/** Reads the signing secret from `path`, creating it (0600) on first use. */
export async function loadOrCreateSecret(path: string): Promise<Buffer> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    if (/^[0-9a-f]{64}$/.test(text)) return Buffer.from(text, 'hex');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, secret.toString('hex') + '\n', { mode: 0o600 });
  await chmod(path, 0o600);
  return secret;
}
