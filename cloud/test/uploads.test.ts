import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestS3 } from '#testkit/s3rver.js';
import { listAll } from '../src/adapters/storage/object-storage.js';
import { loudWav, quietWav } from './support/audio.js';
import { streamHugeBody } from './support/http.js';
import { formBody, formHead, type FormPart } from './support/multipart.js';
import { ADMIN_KEY, startTestCloud, type TestCloud } from './support/test-cloud.js';

const GB = 1024 * 1024 * 1024;

async function upload(cloud: TestCloud, parts: FormPart[], headers: Record<string, string> = { 'x-api-key': ADMIN_KEY }) {
  const { body, contentType } = formBody(parts);
  return cloud.app.inject({ method: 'POST', url: '/upload', headers: { ...headers, 'content-type': contentType }, payload: body });
}

async function storedUploads(cloud: TestCloud): Promise<string[]> {
  return (await listAll(cloud.services.storage, 'extracted_audio/')).map((o) => o.key);
}

/** Nothing in storage, the index or the fs driver's temp folder. */
async function expectNothingStored(cloud: TestCloud): Promise<void> {
  expect(await storedUploads(cloud)).toEqual([]);
  expect(await cloud.services.repos.uploads.all()).toEqual([]);
  if (cloud.config.storage === 'fs') {
    const tmp = join(cloud.config.dataDir, 'objects', '.tmp');
    expect(readdirSync(tmp, { withFileTypes: true }).filter((e) => e.isFile())).toEqual([]);
  }
}

describe('POST /upload (fs storage)', () => {
  let cloud: TestCloud;
  let address: string;
  beforeAll(async () => {
    cloud = await startTestCloud({ MAX_UPLOAD_MB: '2' });
    address = await cloud.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => cloud.stop());

  it('rejects bad uploads with 4xx and leaves nothing behind', async () => {
    const wav = Buffer.from(loudWav());
    const cases: Array<[string, FormPart[], number, string]> = [
      ['truncated WAV', [{ name: 'class', value: 'gunshot' }, { name: 'file', filename: 'cut.wav', content: wav.subarray(0, wav.length / 2) }], 400, 'AUDIO_DECODE'],
      ['header only', [{ name: 'class', value: 'gunshot' }, { name: 'file', filename: 'h.wav', content: wav.subarray(0, 30) }], 400, 'AUDIO_DECODE'],
      ['text renamed .wav', [{ name: 'class', value: 'gunshot' }, { name: 'file', filename: 'notes.wav', content: 'these are my field notes, not audio\n'.repeat(50) }], 400, 'AUDIO_DECODE'],
      ['../ in the class', [{ name: 'class', value: '../gunshot' }, { name: 'file', filename: 'a.wav', content: wav }], 400, 'UNSAFE_NAME'],
      ['traversal to models/', [{ name: 'class', value: '../../models/x' }, { name: 'file', filename: 'a.wav', content: wav }], 400, 'UNSAFE_NAME'],
      ['../ in the file name', [{ name: 'class', value: 'gunshot' }, { name: 'file', filename: '../../evil.wav', content: wav }], 400, 'UNSAFE_NAME'],
      ['backslash in the file name', [{ name: 'class', value: 'gunshot' }, { name: 'file', filename: '..\\evil.wav', content: wav }], 400, 'UNSAFE_NAME'],
      ['unknown class', [{ name: 'class', value: 'dog' }, { name: 'file', filename: 'a.wav', content: wav }], 400, 'UNKNOWN_CLASS'],
      ['missing class', [{ name: 'file', filename: 'a.wav', content: wav }], 400, 'VALIDATION'],
      ['missing file', [{ name: 'class', value: 'gunshot' }], 400, 'VALIDATION'],
      ['file over MAX_UPLOAD_MB', [{ name: 'class', value: 'gunshot' }, { name: 'file', filename: 'big.wav', content: Buffer.alloc(3 * 1024 * 1024) }], 413, 'PAYLOAD_TOO_LARGE'],
    ];
    for (const [what, parts, status, code] of cases) {
      const res = await upload(cloud, parts);
      expect(res.statusCode, what).toBe(status);
      expect(res.json(), what).toMatchObject({ success: false, code });
      await expectNothingStored(cloud);
    }
  });

  it('refuses a 1 GB body while it streams in (chunked, no Content-Length)', async () => {
    const { head, contentType } = formHead('gunshot', 'huge.wav');
    const rssBefore = process.memoryUsage().rss;
    const res = await streamHugeBody(`${address}/upload`, { 'content-type': contentType, 'x-api-key': ADMIN_KEY, 'transfer-encoding': 'chunked' }, head, GB);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    // Answered long before the gigabyte was sent, and without buffering it.
    expect(res.sentBytes).toBeLessThan(GB / 4);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    await expectNothingStored(cloud);
  });

  it('refuses a declared 1 GB body before reading it', async () => {
    const { head, contentType } = formHead('gunshot', 'huge.wav');
    const res = await streamHugeBody(`${address}/upload`, { 'content-type': contentType, 'x-api-key': ADMIN_KEY, 'content-length': String(GB) }, head, GB);
    expect(res.status).toBe(413);
    expect(res.sentBytes).toBeLessThan(64 * 1024 * 1024);
    await expectNothingStored(cloud);
  });

  it('needs the admin key, and reads nothing without it', async () => {
    const parts: FormPart[] = [{ name: 'class', value: 'gunshot' }, { name: 'file', filename: 'a.wav', content: loudWav() }];
    expect((await upload(cloud, parts, {})).statusCode).toBe(401);
    expect((await upload(cloud, parts, { 'x-api-key': 'wrong' })).json()).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
    const { head, contentType } = formHead('gunshot', 'huge.wav');
    const res = await streamHugeBody(`${address}/upload`, { 'content-type': contentType, 'transfer-encoding': 'chunked' }, head, GB);
    expect(res.status).toBe(401);
    await expectNothingStored(cloud);
  });

  it('stores a good upload under the seed layout and answers like the seed', async () => {
    const wav = loudWav();
    const res = await upload(cloud, [{ name: 'class', value: 'gunshot' }, { name: 'file', filename: 'Shot at dawn (1).wav', content: wav }]);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ success: true, class: 'gunshot', s3_uploaded: false });
    expect(body.timestamp).toMatch(/^\d{8}_\d{6}$/);
    expect(body.file_path).toBe(`extracted_audio/gunshot/${body.timestamp}_Shot_at_dawn_1_.wav`);
    expect(await cloud.services.storage.get(body.file_path)).toEqual(Buffer.from(wav));
    // The seed's api_key header works too, and a same-second duplicate name does not overwrite.
    const again = await upload(cloud, [{ name: 'file', filename: 'Shot at dawn (1).wav', content: quietWav() }, { name: 'class', value: 'background' }], { api_key: ADMIN_KEY });
    expect(again.statusCode).toBe(200);
    expect(again.json().file_path).not.toBe(body.file_path);
    const list = await cloud.app.inject({ method: 'GET', url: '/api/uploads?class=gunshot' });
    expect(list.json()).toMatchObject({ total: 1, items: [{ key: body.file_path, class: 'gunshot', bytes: wav.byteLength }] });
    expect((await storedUploads(cloud)).length).toBe(2);
  });
});

describe('POST /upload (s3 storage)', () => {
  const s3 = new TestS3('uploads-test');
  let cloud: TestCloud;
  beforeAll(async () => {
    await s3.start();
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
    cloud = await startTestCloud({ STORAGE: 's3', ...s3.env });
  });
  afterAll(async () => {
    await cloud.stop();
    await s3.stop();
  });

  it('stores the original in the bucket and reports s3_uploaded', async () => {
    const wav = quietWav();
    const res = await upload(cloud, [{ name: 'class', value: 'background' }, { name: 'file', filename: 'wind.wav', content: wav }]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ s3_uploaded: true, class: 'background' });
    expect(await cloud.services.storage.get(res.json().file_path)).toEqual(Buffer.from(wav));
  });

  it('leaves nothing in the bucket after a rejected upload', async () => {
    const before = await storedUploads(cloud);
    const res = await upload(cloud, [{ name: 'class', value: 'gunshot' }, { name: 'file', filename: 'x.wav', content: 'RIFF....WAVEjunk' }]);
    expect(res.statusCode).toBe(400);
    expect(await storedUploads(cloud)).toEqual(before);
  });
});

describe('upload rate limit', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startTestCloud({ UPLOADS_PER_MINUTE: '2' });
  });
  afterAll(() => cloud.stop());

  it('answers 429 once UPLOADS_PER_MINUTE is used up', async () => {
    const parts: FormPart[] = [{ name: 'class', value: 'gunshot' }, { name: 'file', filename: 'a.wav', content: loudWav() }];
    expect((await upload(cloud, parts)).statusCode).toBe(200);
    expect((await upload(cloud, parts)).statusCode).toBe(200);
    const third = await upload(cloud, parts);
    expect(third.statusCode).toBe(429);
    expect(third.json()).toMatchObject({ success: false, code: 'RATE_LIMITED' });
    expect((await storedUploads(cloud)).length).toBe(2);
  });
});
