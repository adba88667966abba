import { request } from 'node:http';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '#shared/s3/client.js';
import { TestS3 } from './s3rver.js';

const s3 = new TestS3('atomic-puts');
const env = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };
let client: S3Client;

beforeAll(async () => {
  Object.assign(process.env, env);
  await s3.start();
  client = createS3Client({ endpoint: s3.endpoint, forcePathStyle: true });
});
afterAll(() => s3.stop());

/** A PUT whose client dies after sending `sent` of `declared` bytes (a power cut mid-upload). */
async function cutPut(key: string, declared: number, sent: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const req = request(`${s3.endpoint}/${s3.bucket}/${key}`, { method: 'PUT', headers: { 'content-length': declared, 'content-type': 'application/octet-stream' } });
    req.on('error', () => resolve());
    req.write(Buffer.alloc(sent, 7), () => setTimeout(() => { req.destroy(); resolve(); }, 100));
  });
  await new Promise((r) => setTimeout(r, 200)); // let the server see the abort
}

describe('TestS3: PUTs are atomic, as in S3', () => {
  const get = async (key: string): Promise<Buffer> => {
    const res = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    return Buffer.from(await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  };

  it('keeps the previous object whole when an overwrite is cut mid-body', async () => {
    const original = Buffer.from('the whole clip, as first uploaded');
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'clip.opus', Body: original, ContentLength: original.byteLength }));
    await cutPut('clip.opus', 200_000, 50_000);
    expect(await get('clip.opus')).toEqual(original);
  });

  it('stores nothing when a first PUT is cut mid-body', async () => {
    await cutPut('never.opus', 200_000, 50_000);
    await expect(get('never.opus')).rejects.toThrow(/NoSuchKey|does not exist/);
  });

  it('still stores a complete streamed body byte for byte', async () => {
    const body = Buffer.alloc(300_000, 3);
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'whole.opus', Body: body, ContentLength: body.byteLength }));
    expect(await get('whole.opus')).toEqual(body);
  });
});
