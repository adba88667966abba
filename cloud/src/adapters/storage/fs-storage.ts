import { createReadStream } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { ObjectNotFoundError, StorageError } from '../../errors.js';
import type { UrlSigner } from './fs-presigner.js';
import { assertSafeKey, assertSafePrefix, contentTypeFor } from './object-keys.js';
import type { ObjectInfo, ObjectStorage, PresignedPut, PresignOptions } from './object-storage.js';

/**
 * Objects as files under one folder (the embedded default). Writes are atomic
 * and durable (temp file in `<root>/.tmp`, fsync, rename, fsync of the folder),
 * so a reader or a listing never sees half an object, and a write that returned
 * survives a power cut.
 */
export class FsStorage implements ObjectStorage {
  readonly driver = 'fs' as const;
  private readonly root: string;
  private readonly signer: UrlSigner;
  private tmpCounter = 0;

  constructor(root: string, signer: UrlSigner) {
    this.root = root;
    this.signer = signer;
  }

  describe(): string {
    return `fs:${this.root}`;
  }

  /** The object's path and a fresh temp file name in `<root>/.tmp`, both folders created. */
  private async writePaths(key: string): Promise<{ path: string; tmp: string }> {
    const path = this.pathOf(key);
    const tmpDir = join(this.root, '.tmp');
    await mkdir(tmpDir, { recursive: true });
    await mkdir(dirname(path), { recursive: true });
    return { path, tmp: join(tmpDir, `${process.pid}-${Date.now()}-${this.tmpCounter++}`) };
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const { path, tmp } = await this.writePaths(key);
    try {
      await writeSynced(tmp, body);
      await rename(tmp, path);
      // The rename is only durable once the folder's entry is on disk: without this a power
      // cut can leave the old object (or none) although put() returned.
      await syncDir(dirname(path));
    } catch (err) {
      await rm(tmp, { force: true });
      throw new StorageError(`cannot write ${key}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Written to a temp file, then hard-linked into place: link(2) fails if the name exists, atomically. */
  async createIfAbsent(key: string, body: Uint8Array | string): Promise<boolean> {
    const { path, tmp } = await this.writePaths(key);
    try {
      await writeSynced(tmp, body);
      await link(tmp, path);
      await syncDir(dirname(path));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new StorageError(`cannot create ${key}: ${(err as Error).message}`, { cause: err });
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async get(key: string): Promise<Buffer> {
    const path = this.pathOf(key);
    try {
      return await readFile(path);
    } catch (err) {
      throw this.readError(key, err);
    }
  }

  async getStream(key: string): Promise<{ stream: Readable; bytes: number }> {
    const path = this.pathOf(key);
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new ObjectNotFoundError(key);
      return { stream: createReadStream(path), bytes: info.size };
    } catch (err) {
      throw this.readError(key, err);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const path = this.pathOf(key);
    try {
      const info = await stat(path);
      return info.isFile() ? { key, bytes: info.size, lastModified: info.mtime } : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw new StorageError(`cannot stat ${key}: ${(err as Error).message}`, { cause: err });
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async *list(prefix: string, startAfter?: string): AsyncIterable<ObjectInfo> {
    assertSafePrefix(prefix);
    // Walk the deepest folder the prefix names fully; filter the rest by string prefix, as S3 does.
    const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const keys: string[] = [];
    await this.walk(dirPart, keys);
    const selected = keys.filter((k) => k.startsWith(prefix) && (startAfter === undefined || k > startAfter)).sort(byteOrder);
    for (const key of selected) {
      const info = await this.head(key);
      if (info) yield info;
    }
  }

  async presignPut(key: string, options: PresignOptions): Promise<PresignedPut> {
    assertSafeKey(key);
    const expires = Math.floor(Date.now() / 1000) + options.expiresSec;
    const contentType = contentTypeFor(key);
    const sig = this.signer.sign(key, expires, contentType, options.bytes);
    const base = options.serviceBaseUrl.replace(/\/+$/, '');
    const length = options.bytes === undefined ? '' : `&bytes=${options.bytes}`;
    return {
      key,
      url: `${base}/api/objects/${key}?expires=${expires}${length}&sig=${sig}`,
      method: 'PUT',
      headers: { 'content-type': contentType },
      expiresAt: new Date(expires * 1000).toISOString(),
    };
  }

  async ping(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await stat(this.root);
  }

  private pathOf(key: string): string {
    return join(this.root, ...assertSafeKey(key).split('/'));
  }

  private async walk(relDir: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(relDir ? join(this.root, ...relDir.split('/')) : this.root, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw new StorageError(`cannot list ${relDir || '/'}: ${(err as Error).message}`, { cause: err });
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await this.walk(rel, out);
      else if (entry.isFile()) out.push(rel);
    }
  }

  private readError(key: string, err: unknown): Error {
    if (err instanceof ObjectNotFoundError) return err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return new ObjectNotFoundError(key);
    return new StorageError(`cannot read ${key}: ${(err as Error).message}`, { cause: err });
  }
}

/** S3 lists keys in UTF-8 byte order; our keys are ASCII, so plain comparison matches it. */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Writes a new file and fsyncs it before returning. */
async function writeSynced(path: string, body: Uint8Array | string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsyncs a directory, so the entries renamed or linked into it are durable. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
