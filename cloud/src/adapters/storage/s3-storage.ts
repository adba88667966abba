import {
  DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import { ApiError, ObjectNotFoundError, StorageError } from '../../errors.js';
import { assertSafeKey, assertSafePrefix, contentTypeFor } from './object-keys.js';
import type { ObjectInfo, ObjectStorage, PresignedPut, PresignOptions } from './object-storage.js';

const BODY_READ_ATTEMPTS = 3;

/** Objects in one S3 (or S3-compatible) bucket. The client comes from shared/src/s3/client.ts. */
export class S3Storage implements ObjectStorage {
  readonly driver = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(client: S3Client, bucket: string) {
    this.client = client;
    this.bucket = bucket;
  }

  describe(): string {
    return `s3:${this.bucket}`;
  }

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    assertSafeKey(key);
    try {
      await this.client.send(new PutObjectCommand({
        Bucket: this.bucket, Key: key, Body: body, ContentType: contentType ?? contentTypeFor(key),
      }));
    } catch (err) {
      throw new StorageError(`cannot write ${key}: ${messageOf(err)}`, { cause: err });
    }
  }

  async createIfAbsent(key: string, body: Uint8Array | string, contentType?: string): Promise<boolean> {
    if (await this.head(key)) return false;
    try {
      await this.client.send(new PutObjectCommand({
        Bucket: this.bucket, Key: key, Body: body, ContentType: contentType ?? contentTypeFor(key), IfNoneMatch: '*',
      }));
      return true;
    } catch (err) {
      // 412: the key exists; 409: a concurrent conditional write to it is in progress.
      const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
      if (status === 412 || status === 409) return false;
      throw new StorageError(`cannot create ${key}: ${messageOf(err)}`, { cause: err });
    }
  }

  /**
   * Reads a whole object. The SDK retries failed requests, but not a body that
   * breaks off mid-stream (a reused connection reset, an S3-compatible server
   * replacing the object); a GET is idempotent, so that is retried here.
   */
  async get(key: string): Promise<Buffer> {
    for (let attempt = 1; ; attempt++) {
      const { stream } = await this.getStream(key);
      try {
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks);
      } catch (err) {
        if (attempt >= BODY_READ_ATTEMPTS) throw new StorageError(`cannot read ${key}: ${messageOf(err)}`, { cause: err });
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }

  async getStream(key: string): Promise<{ stream: Readable; bytes: number }> {
    assertSafeKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const body = out.Body as Readable | undefined;
      if (!body) throw new StorageError(`empty response body for ${key}`);
      return { stream: body, bytes: out.ContentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(key);
      if (err instanceof StorageError) throw err;
      throw new StorageError(`cannot read ${key}: ${messageOf(err)}`, { cause: err });
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    assertSafeKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { key, bytes: out.ContentLength ?? 0, lastModified: out.LastModified ?? new Date(0) };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new StorageError(`cannot head ${key}: ${messageOf(err)}`, { cause: err });
    }
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      if (isNotFound(err)) return;
      throw new StorageError(`cannot delete ${key}: ${messageOf(err)}`, { cause: err });
    }
  }

  async *list(prefix: string, startAfter?: string): AsyncIterable<ObjectInfo> {
    assertSafePrefix(prefix);
    let token: string | undefined;
    do {
      let out;
      try {
        out = await this.client.send(new ListObjectsV2Command({
          Bucket: this.bucket, Prefix: prefix || undefined, ContinuationToken: token,
          StartAfter: token ? undefined : startAfter,
        }));
      } catch (err) {
        throw new StorageError(`cannot list ${prefix || '/'}: ${messageOf(err)}`, { cause: err });
      }
      for (const item of out.Contents ?? []) {
        if (!item.Key) continue;
        yield { key: item.Key, bytes: item.Size ?? 0, lastModified: item.LastModified ?? new Date(0) };
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  async presignPut(key: string, options: PresignOptions): Promise<PresignedPut> {
    assertSafeKey(key);
    if (options.bytes === undefined) throw new ApiError(400, 'LENGTH_REQUIRED', `presigning ${key} on S3 needs its length in bytes`);
    const contentType = contentTypeFor(key);
    const command = new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType, ContentLength: options.bytes, IfNoneMatch: '*' });
    // content-type, content-length and If-None-Match are signed: the client must send exactly
    // this type and length, and the PUT cannot overwrite an object that exists (412).
    const url = await getSignedUrl(this.client, command, {
      expiresIn: options.expiresSec, signableHeaders: new Set(['content-type', 'content-length', 'if-none-match']),
    });
    return {
      key,
      url,
      method: 'PUT',
      headers: { 'content-type': contentType, 'if-none-match': '*' },
      expiresAt: new Date(Date.now() + options.expiresSec * 1000).toISOString(),
    };
  }

  async ping(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      throw new StorageError(`bucket ${this.bucket} is not reachable: ${messageOf(err)}`, { cause: err });
    }
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

function messageOf(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return e?.message || e?.name || String(err);
}
