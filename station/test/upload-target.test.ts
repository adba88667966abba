import { createHash } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '#shared/s3/client.js';
import { TestS3 } from '#testkit/s3rver.js';
import { BandwidthLimiter } from '../src/actions/bandwidth-limiter.js';
import { S3Target, UploadRejectedError } from '../src/actions/upload-target.js';
import { ManualClock } from '#testkit/manual-clock.js';

const s3 = new TestS3('targets');
beforeAll(async () => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
  await s3.start();
});
afterAll(() => s3.stop());

const client = () => createS3Client({ endpoint: s3.endpoint, forcePathStyle: true });

async function fetchObject(key: string): Promise<Buffer> {
  const res = await client().send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return Buffer.from(await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

describe('S3Target against s3rver', () => {
  it('uploads a large file in parts (lib-storage multipart) and stores it byte for byte, without chunk framing', async () => {
    const target = new S3Target(client(), s3.bucket, 5 * 1024 * 1024);
    const body = Buffer.alloc(11 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4096) body.writeUInt32LE(i, i);
    await target.put('stations/st/big.wav', body, 'audio/wav', new AbortController().signal);
    const stored = await fetchObject('stations/st/big.wav');
    expect(stored.length).toBe(body.length);
    expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
  });

  it('overwrites the same key on retry (one object, the latest bytes)', async () => {
    const target = new S3Target(client(), s3.bucket, 8 * 1024 * 1024);
    await target.put('stations/st/a.json', Buffer.from('{"try":1}'), 'application/json', new AbortController().signal);
    await target.put('stations/st/a.json', Buffer.from('{"try":2}'), 'application/json', new AbortController().signal);
    expect((await fetchObject('stations/st/a.json')).toString()).toBe('{"try":2}');
  });

  it('reports a missing bucket as a rejection (a config problem), not a link failure', async () => {
    const target = new S3Target(client(), 'no-such-bucket', 8 * 1024 * 1024);
    await expect(target.put('k', Buffer.from('x'), 'text/plain', new AbortController().signal)).rejects.toBeInstanceOf(UploadRejectedError);
  });
});

describe('BandwidthLimiter', () => {
  it('spaces transfers so the average rate stays at the cap', async () => {
    const clock = new ManualClock(0, { instantSleeps: true });
    const limiter = new BandwidthLimiter(1000, clock);
    const signal = new AbortController().signal;
    await limiter.take(2000, signal);
    await limiter.take(2000, signal);
    await limiter.take(500, signal);
    // The second transfer may start once 2000 bytes at 1000 B/s have "passed" (2 s), the third after 4 s.
    expect(clock.sleeps).toEqual([2000, 4000]);
  });
});
