import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '#shared/s3/client.js';
import { TestS3 } from '#testkit/s3rver.js';
import { ObjectNotFoundError } from '../../errors.js';
import { UrlSigner } from './fs-presigner.js';
import { FsStorage } from './fs-storage.js';
import { listAll, type ObjectStorage } from './object-storage.js';
import { S3Storage } from './s3-storage.js';

const s3 = new TestS3('storage-test');
let s3Storage: S3Storage;

beforeAll(async () => {
  await s3.start();
  s3Storage = new S3Storage(createS3Client({ endpoint: s3.endpoint, forcePathStyle: true }), s3.bucket);
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
});
afterAll(() => s3.stop());

const drivers: Array<[string, () => ObjectStorage]> = [
  ['fs', () => new FsStorage(mkdtempSync(join(tmpdir(), 'ecosight-fs-')), new UrlSigner(Buffer.alloc(32, 7)))],
  ['s3', () => s3Storage],
];

describe.each(drivers)('%s storage driver', (name, make) => {
  const p = `t-${name}-${Date.now()}`;

  it('round-trips bytes and reports size', async () => {
    const storage = make();
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    await storage.put(`${p}/a/b.bin`, bytes);
    expect(await storage.get(`${p}/a/b.bin`)).toEqual(bytes);
    const info = await storage.head(`${p}/a/b.bin`);
    expect(info?.bytes).toBe(5);
    expect(info?.lastModified.getTime()).toBeGreaterThan(Date.now() - 60_000);
    const { stream, bytes: size } = await storage.getStream(`${p}/a/b.bin`);
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks)).toEqual(bytes);
    expect(size).toBe(5);
  });

  it('overwrites an object in place', async () => {
    const storage = make();
    await storage.put(`${p}/o.json`, '{"n":1}');
    await storage.put(`${p}/o.json`, '{"n":2}');
    expect((await storage.get(`${p}/o.json`)).toString()).toBe('{"n":2}');
  });

  it('creates an object only when the key is free', async () => {
    const storage = make();
    expect(await storage.createIfAbsent(`${p}/claim.json`, '{"by":"a"}')).toBe(true);
    expect(await storage.createIfAbsent(`${p}/claim.json`, '{"by":"b"}')).toBe(false);
    expect((await storage.get(`${p}/claim.json`)).toString()).toBe('{"by":"a"}');
    await storage.delete(`${p}/claim.json`);
    expect(await storage.createIfAbsent(`${p}/claim.json`, '{"by":"c"}')).toBe(true);
    expect((await storage.get(`${p}/claim.json`)).toString()).toBe('{"by":"c"}');
  });

  it('reports missing objects the same way', async () => {
    const storage = make();
    expect(await storage.head(`${p}/missing.wav`)).toBeUndefined();
    await expect(storage.get(`${p}/missing.wav`)).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(storage.getStream(`${p}/nope/missing.wav`)).rejects.toBeInstanceOf(ObjectNotFoundError);
    await storage.delete(`${p}/missing.wav`); // idempotent
  });

  it('lists by string prefix in key order, with startAfter', async () => {
    const storage = make();
    for (const k of ['st-b/2/x.json', 'st-a/1/y.wav', 'st-ab/1/z.wav', 'st-a/1/x.wav', 'st-a/0.json']) await storage.put(`${p}/l/${k}`, k);
    const all = (await listAll(storage, `${p}/l/`)).map((i) => i.key.slice(`${p}/l/`.length));
    expect(all).toEqual(['st-a/0.json', 'st-a/1/x.wav', 'st-a/1/y.wav', 'st-ab/1/z.wav', 'st-b/2/x.json']);
    const partial = (await listAll(storage, `${p}/l/st-a`)).map((i) => i.key.slice(`${p}/l/`.length));
    expect(partial).toEqual(['st-a/0.json', 'st-a/1/x.wav', 'st-a/1/y.wav', 'st-ab/1/z.wav']);
    const folder = (await listAll(storage, `${p}/l/st-a/`)).map((i) => i.key.slice(`${p}/l/`.length));
    expect(folder).toEqual(['st-a/0.json', 'st-a/1/x.wav', 'st-a/1/y.wav']);
    const after: string[] = [];
    for await (const i of storage.list(`${p}/l/`, `${p}/l/st-a/1/x.wav`)) after.push(i.key.slice(`${p}/l/`.length));
    expect(after).toEqual(['st-a/1/y.wav', 'st-ab/1/z.wav', 'st-b/2/x.json']);
    expect(await listAll(storage, `${p}/nothing-here/`)).toEqual([]);
  });

  it('deletes', async () => {
    const storage = make();
    await storage.put(`${p}/d.txt`, 'x');
    await storage.delete(`${p}/d.txt`);
    expect(await storage.head(`${p}/d.txt`)).toBeUndefined();
    expect((await listAll(storage, `${p}/d`)).length).toBe(0);
  });

  it('refuses unsafe keys before touching storage', async () => {
    const storage = make();
    for (const bad of ['../x', 'a//b', '/abs', 'a/../b', 'a/./b', 'a b', 'a/.hidden', 'x'.repeat(513), '']) {
      await expect(storage.put(bad, 'x'), bad).rejects.toMatchObject({ code: 'UNSAFE_KEY' });
      await expect(storage.get(bad), bad).rejects.toMatchObject({ code: 'UNSAFE_KEY' });
    }
  });

  it('pings', async () => {
    await make().ping();
  });

  it('presigns a PUT for the key with its content type and length', async () => {
    const storage = make();
    const url = await storage.presignPut(`${p}/stations/s1/c.wav`, { expiresSec: 60, serviceBaseUrl: 'http://127.0.0.1:9/', bytes: 8 });
    expect(url.method).toBe('PUT');
    expect(url.headers['content-type']).toBe('audio/wav');
    expect(Date.parse(url.expiresAt)).toBeGreaterThan(Date.now());
    if (name === 's3') {
      const res = await fetch(url.url, { method: 'PUT', headers: url.headers, body: Buffer.from('RIFF....') });
      expect(res.status).toBe(200);
      expect((await storage.get(`${p}/stations/s1/c.wav`)).toString()).toBe('RIFF....');
    } else {
      expect(url.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:9/api/objects/${p}/stations/s1/c\\.wav\\?expires=\\d+&bytes=8&sig=[0-9a-f]{64}$`));
    }
  });
});
