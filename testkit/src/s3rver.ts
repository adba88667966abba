import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './ports.js';

interface S3rverObject {
  bucket: string;
  key: string;
  content: Buffer | AsyncIterable<Buffer>;
  metadata: Record<string, string>;
}

/** The parts of s3rver 3.7's FilesystemStore that atomicPuts uses. */
interface S3rverStore {
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<unknown>;
  close(): Promise<void>;
  store: S3rverStore;
}

/**
 * s3rver (a local S3) on 127.0.0.1 with one bucket, for integration tests. Data
 * lives in a temp directory and survives stop()/start() on the same port.
 */
export class TestS3 {
  port = 0;
  readonly bucket: string;
  readonly directory = mkdtempSync(join(tmpdir(), 'ecosight-s3rver-'));
  private server: S3rverInstance | undefined;

  constructor(bucket = 'ecosight-test') {
    this.bucket = bucket;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Env for code under test: path-style, dummy credentials s3rver accepts. */
  get env(): Record<string, string> {
    return {
      S3_BUCKET: this.bucket,
      S3_ENDPOINT: this.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
    };
  }

  async start(): Promise<void> {
    if (this.server) return;
    if (!this.port) this.port = await freePort();
    const require = createRequire(import.meta.url);
    const S3rver = require('s3rver') as new (opts: object) => S3rverInstance;
    this.server = new S3rver({
      address: '127.0.0.1',
      port: this.port,
      silent: true,
      directory: this.directory,
      configureBuckets: [{ name: this.bucket }],
    });
    atomicPuts(this.server.store);
    await this.server.run();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await server.close();
  }
}

/**
 * Real S3 stores an object whole or not at all. s3rver opens the object's file
 * before the body arrives and writes into it as it comes, so a client killed
 * mid-PUT left the previous object truncated (the power-cut fault suite hit
 * this), and a reader could see a file still being written. Here the body is
 * read whole first, refused if the request ended early or differs from its
 * Content-Length, written to a temp file (which s3rver's listing skips: no
 * `._S3rver_object` suffix) and renamed over the object.
 */
function atomicPuts(store: S3rverStore): void {
  store.putObject = async (object) => {
    const body = Buffer.isBuffer(object.content) ? object.content : await wholeBody(object.content);
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(objectPath), { recursive: true });
    const temp = `${objectPath}.${randomUUID()}.partial`;
    await writeFile(temp, body);
    await rename(temp, objectPath);
    const md5 = createHash('md5').update(body).digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size: body.byteLength, md5 };
  };
}

/** A PUT's body, or an error if the request was cut short. Multipart completion passes the parts as one plain stream. */
async function wholeBody(content: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(chunk); // throws when the request is aborted
  const body = Buffer.concat(chunks);
  const declared = content instanceof IncomingMessage ? content.headers['content-length'] : undefined;
  if (declared !== undefined && Number(declared) !== body.byteLength) throw new Error(`incomplete body: ${body.byteLength} of ${declared} bytes`);
  return body;
}
