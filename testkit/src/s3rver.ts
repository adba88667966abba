import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

interface S3rverObject {
  content: Buffer | AsyncIterable<Buffer>;
  metadata: Record<string, string>;
}

interface S3rverInstance {
  run(): Promise<unknown>;
  close(): Promise<void>;
  store: { putObject(object: S3rverObject): Promise<{ size: number; md5: string }> };
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
 * Real S3 stores an object whole or not at all; s3rver opens the object's file
 * for writing before the body arrives, so a client killed mid-PUT leaves the old
 * object truncated (the power-cut fault suite hit this). Read the whole body
 * first, refuse it if it ended early or differs from its Content-Length, and
 * only then hand it to s3rver's store.
 */
function atomicPuts(store: S3rverInstance['store']): void {
  const putObject = store.putObject.bind(store);
  store.putObject = async (object) => {
    if (Buffer.isBuffer(object.content)) return putObject(object);
    const chunks: Buffer[] = [];
    for await (const chunk of object.content) chunks.push(chunk); // throws if the request is aborted
    const body = Buffer.concat(chunks);
    const declared = object.metadata['content-length'];
    if (declared !== undefined && Number(declared) !== body.byteLength) throw new Error(`incomplete body: ${body.byteLength} of ${declared} bytes`);
    object.content = body;
    return putObject(object);
  };
}
