import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfirmUploads } from '../src/actions/confirm-uploads.js';
import { OutboxWorker } from '../src/actions/outbox-worker.js';
import { openDatabase } from '../src/store/database.js';
import { DetectionStore } from '../src/store/detection-store.js';
import { Outbox, type OutboxItem } from '../src/store/outbox.js';
import { confirmDedupeKey, UploadLedger, type ConfirmJob } from '../src/store/upload-ledger.js';
import { systemClock } from '../src/core/clock.js';
import { waitFor } from '#testkit/ports.js';
import { quietLogger, tempDir } from './helpers.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 that answers as the test says (a new cloud, an old one, a busy one). */
class FakeCloud {
  handler: Handler = (_req, _body, res) => res.writeHead(500).end();
  readonly requests: Array<{ url: string; token: string | undefined; body: unknown }> = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        this.requests.push({ url: req.url ?? '', token: req.headers['x-station-token'] as string | undefined, body: body ? JSON.parse(body) : undefined });
        this.handler(req, body, res);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): Handler => (_req, _body, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
};

const job: ConfirmJob = {
  clipId: 'st-1.ev-1',
  objects: [
    { key: 'stations/st-1/2026/12/04/st-1.ev-1.opus', bytes: 2000, sha256: 'a'.repeat(64) },
    { key: 'stations/st-1/2026/12/04/st-1.ev-1.json', bytes: 900, sha256: 'b'.repeat(64) },
  ],
};
const item = (): OutboxItem<ConfirmJob> => ({ id: 1, kind: 'confirm', dedupeKey: confirmDedupeKey(job.clipId), payload: job, priority: 0, attempts: 0, nextAttemptAtMs: 0, createdAtMs: 0, lastError: null });
const results = (...statuses: string[]) => ({ results: job.objects.map((o, i) => ({ key: o.key, status: statuses[i] })) });

describe('ConfirmUploads against a real HTTP server', () => {
  const cloud = new FakeCloud();
  let action: ConfirmUploads;
  const perform = () => action.perform(item(), new AbortController().signal);
  beforeAll(async () => {
    await cloud.start();
    action = new ConfirmUploads({ baseUrl: `${cloud.url}/`, stationId: 'st-1', token: 'est_token', attemptTimeoutMs: 5000, rejectedRetryMs: 60_000 }, quietLogger());
  });
  afterAll(() => cloud.stop());

  it('posts the keys, sizes and sha256s with the station token to its own route; all ok is done', async () => {
    cloud.handler = json(200, results('ok', 'ok'));
    expect(await perform()).toEqual({ outcome: 'done' });
    expect(cloud.requests.at(-1)).toEqual({ url: '/api/stations/st-1/uploads/confirm', token: 'est_token', body: { objects: job.objects } });
  });

  it('an old cloud without the route (404) is done: nothing retried without end, and the clip stays uploaded', async () => {
    cloud.handler = json(404, { message: 'Route POST:/api/stations/st-1/uploads/confirm not found' });
    expect(await perform()).toEqual({ outcome: 'done' });
  });

  it('defers what time can fix and fails what it cannot', async () => {
    cloud.handler = json(200, results('ok', 'missing'));
    expect(await perform()).toMatchObject({ outcome: 'deferred', reason: expect.stringContaining('missing') });
    cloud.handler = json(200, results('mismatch', 'ok'));
    expect(await perform()).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('mismatch') });
    cloud.handler = json(400, { code: 'UNSAFE_KEY' });
    expect(await perform()).toMatchObject({ outcome: 'failed' });
    cloud.handler = json(429, { code: 'RATE_LIMITED' }, { 'retry-after': '7' });
    expect(await perform()).toMatchObject({ outcome: 'deferred', retryAfterMs: 7000 });
    cloud.handler = json(503, {});
    expect(await perform()).toMatchObject({ outcome: 'deferred', retryAfterMs: undefined });
    cloud.handler = json(401, {});
    expect(await perform()).toMatchObject({ outcome: 'deferred', retryAfterMs: 60_000 });
    const down = new ConfirmUploads({ baseUrl: 'http://127.0.0.1:9', stationId: 'st-1', token: 't', attemptTimeoutMs: 2000, rejectedRetryMs: 1 }, quietLogger());
    expect(await down.perform(item(), new AbortController().signal)).toMatchObject({ outcome: 'deferred', reason: expect.stringContaining('link') });
  });
});

describe('the confirm outbox item, queued with the upload', () => {
  const cloud = new FakeCloud();
  beforeAll(() => cloud.start());
  afterAll(() => cloud.stop());

  function stores() {
    const db = openDatabase(join(tempDir(), 'station.db'));
    return { db, detections: new DetectionStore(db), outbox: new Outbox(db) };
  }

  it('is queued only when the cloud takes confirmations, and drains to done through the worker (retried after a 503)', async () => {
    const direct = stores();
    new UploadLedger(direct.db, direct.detections, direct.outbox, false).recordUploaded('st-1.ev-1', job.objects, 1000);
    expect(direct.outbox.get(confirmDedupeKey('st-1.ev-1'))).toBeUndefined();

    const s = stores();
    new UploadLedger(s.db, s.detections, s.outbox, true).recordUploaded('st-1.ev-1', job.objects, 1000);
    expect(s.outbox.get(confirmDedupeKey('st-1.ev-1'))).toMatchObject({ state: 'pending', payload: job });
    let calls = 0;
    cloud.handler = (req, body, res) => (++calls === 1 ? json(503, {}) : json(200, results('ok', 'ok')))(req, body, res);
    const action = new ConfirmUploads({ baseUrl: cloud.url, stationId: 'st-1', token: 't', attemptTimeoutMs: 5000, rejectedRetryMs: 60_000 }, quietLogger());
    const worker = new OutboxWorker('confirm', s.outbox, action, { concurrency: 1, backoff: { minMs: 10, maxMs: 20 }, batch: 5 }, systemClock, quietLogger());
    worker.start();
    try {
      const done = await waitFor(() => (s.outbox.get(confirmDedupeKey('st-1.ev-1'))?.state === 'done' ? true : undefined), 10_000, 'confirm item done');
      expect(done).toBe(true);
      expect(calls).toBe(2);
    } finally {
      await worker.stop(1000);
      s.db.close();
      direct.db.close();
    }
  });
});
