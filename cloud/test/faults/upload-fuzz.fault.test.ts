import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav } from '#shared/audio/wav-decode.js';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { recordScenario } from '#testkit/fault-report.js';
import { seededRandom, whiteNoise } from '#testkit/signals.js';
import { loadOriginals } from '../../src/jobs/retrain/load.js';
import { listAll } from '../../src/adapters/storage/object-storage.js';
import { maxDecodedSamples } from '../../src/uploads/audio-limits.js';
import { formBody } from '../support/multipart.js';
import { ADMIN_KEY, startTestCloud, type TestCloud } from '../support/test-cloud.js';
import { fuzzRequest, lowRateLongWav, seedWavs, type FuzzRequest } from './support/fuzz-forms.js';
import { rawExchange, RAW_CASES } from './support/raw-http.js';
import { makeClip } from '#testkit/station-load.js';

const CASES = Number(process.env.ECOSIGHT_UPLOAD_FUZZ_CASES ?? 3000);
const CASE_TIMEOUT_MS = 5_000;
const MAX_UPLOAD_MB = 2;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms (${what})`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The oracle: /upload takes what decodes to at least one sample; /predict also takes empty audio (no windows, no detections). */
function decodes(bytes: Buffer, url: string): boolean {
  try {
    return decodeWav(bytes).samples.length > 0 || url === '/predict';
  } catch {
    return false;
  }
}

describe('fuzzing the upload routes with mutated real WAV files', () => {
  let cloud: TestCloud;
  let baseUrl: string;
  let seeds: Buffer[];
  const dir = mkdtempSync(join(tmpdir(), 'ecosight-upload-fuzz-'));
  /** file_path -> bytes of every upload answered 200. */
  const accepted = new Map<string, Buffer>();

  beforeAll(async () => {
    // A short request timeout, so the stalled-client case is answered within the case's time limit.
    cloud = await startTestCloud({ MAX_UPLOAD_MB: String(MAX_UPLOAD_MB), UPLOADS_PER_MINUTE: '1000000', LOG_LEVEL: 'warn' }, { requestTimeoutMs: 2_000 });
    baseUrl = await cloud.app.listen({ port: 0, host: '127.0.0.1' });
    seeds = seedWavs(dir);
  });
  afterAll(() => cloud.stop());

  /** Storage and the index hold exactly the accepted uploads, and the fs driver left no temp file. */
  async function leftovers(): Promise<string[]> {
    const problems: string[] = [];
    const stored = await listAll(cloud.services.storage, 'extracted_audio/');
    for (const o of stored) if (!accepted.has(o.key)) problems.push(`${o.key} stored but never acknowledged`);
    for (const key of accepted.keys()) if (!stored.some((o) => o.key === key)) problems.push(`${key} acknowledged but not stored`);
    const indexed = (await cloud.services.repos.uploads.all()).map((u) => u.key);
    if (indexed.length !== accepted.size || indexed.some((k) => !accepted.has(k))) problems.push(`index holds ${indexed.length} uploads, ${accepted.size} acknowledged`);
    const tmp = join(cloud.config.dataDir, 'objects', '.tmp');
    const temps = readdirSync(tmp, { withFileTypes: true }).filter((e) => e.isFile()).length;
    if (temps) problems.push(`${temps} temp files left in ${tmp}`);
    return problems;
  }

  /** What is wrong with one answer (empty when it is right). */
  async function judge(req: FuzzRequest, url: string, status: number, body: string): Promise<string[]> {
    if (status >= 500) return [`${status}: ${body.slice(0, 200)}`];
    let json: { success?: boolean; code?: string; statusCode?: number; file_path?: string };
    try {
      json = JSON.parse(body);
    } catch {
      return [`${status} with a body that is not JSON: ${body.slice(0, 80)}`];
    }
    if (status !== 200) {
      if (json.success !== false || typeof json.code !== 'string' || json.statusCode !== status) return [`${status} without the error shape: ${body.slice(0, 200)}`];
      // A well-formed form is refused for its audio only, and only when the decoder refuses it too.
      if (req.wellFormed && (json.code !== 'AUDIO_DECODE' || decodes(req.file, url))) return [`well-formed form refused with ${status} ${json.code}`];
      return [];
    }
    if (!decodes(req.file, url)) return ['200 for a file the decoder refuses'];
    if (url === '/upload') {
      const key = String(json.file_path);
      const stored = await cloud.services.storage.get(key).catch(() => undefined);
      if (!stored?.equals(req.file)) return [`${key}: stored bytes differ from the file part`];
      accepted.set(key, req.file);
    }
    return [];
  }

  it(`answers ${CASES} seeded cases with 200 for valid audio or a clean 4xx: no 5xx, no hang, bounded memory, nothing left behind`, async () => {
    const rand = seededRandom(4242);
    const problems: string[] = [];
    const byStatus: Record<string, number> = {};
    let slowestMs = 0;
    let peakRss = 0;
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < CASES; i++) {
      const req = fuzzRequest(seeds, rand);
      // Every tenth case goes to /predict (public, decodes and runs the model), the rest to /upload.
      const url = i % 10 === 9 ? '/predict' : '/upload';
      const headers: Record<string, string> = { 'x-api-key': ADMIN_KEY };
      if (req.contentType) headers['content-type'] = req.contentType;
      const started = performance.now();
      try {
        const res = await withTimeout(cloud.app.inject({ method: 'POST', url, headers, payload: req.body }), CASE_TIMEOUT_MS, `case ${i}`);
        byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
        for (const p of await judge(req, url, res.statusCode, res.body)) problems.push(`case ${i} (${req.kind}) ${url}: ${p}`);
      } catch (err) {
        problems.push(`case ${i} (${req.kind}) ${url}: ${(err as Error).message}`);
      }
      slowestMs = Math.max(slowestMs, performance.now() - started);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      // Refused uploads leave nothing in the index (cheap, every case) or storage (every 250 cases and at the end).
      const indexed = (await cloud.services.repos.uploads.list({ limit: 1, offset: 0 })).total;
      if (indexed !== accepted.size) problems.push(`case ${i} (${req.kind}): index holds ${indexed} uploads, ${accepted.size} acknowledged`);
      if (i % 250 === 249) problems.push(...(await leftovers()).map((p) => `after case ${i}: ${p}`));
    }
    problems.push(...(await leftovers()));
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    recordScenario({
      scenario: 'upload route fuzz', iterations: CASES, faultsInjected: CASES,
      itemsChecked: CASES + accepted.size, itemsLost: problems.length,
      note: `statuses ${JSON.stringify(byStatus)}, slowest ${slowestMs.toFixed(0)} ms, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB`,
    });
    expect(problems.slice(0, 20)).toEqual([]);
    expect(byStatus['200']).toBeGreaterThan(CASES / 20);
    expect(accepted.size).toBeGreaterThan(0);
    expect(slowestMs).toBeLessThan(2_000);
    expect(heapGrowth).toBeLessThan(200 * 2 ** 20);
    expect(peakRss).toBeLessThan(1.5 * 2 ** 30);
  }, 240_000);

  it('refuses at once a WAV that is small on the wire but huge once decoded (1 kHz 8-bit) as an upload, to /predict, as a clip spectrogram and as retrain data, and still takes a long 16 kHz file', async () => {
    const bomb = lowRateLongWav(dir, Math.floor((MAX_UPLOAD_MB - 0.1) * 2 ** 20));
    const rssBefore = process.memoryUsage().rss;
    let lost = 0;
    for (const url of ['/upload', '/predict']) {
      const { body, contentType } = formBody([{ name: 'class', value: 'background' }, { name: 'file', filename: 'long.wav', content: bomb }]);
      const started = performance.now();
      const res = await withTimeout(cloud.app.inject({ method: 'POST', url, headers: { 'x-api-key': ADMIN_KEY, 'content-type': contentType }, payload: body }), 30_000, url);
      const ms = performance.now() - started;
      if (res.statusCode !== 413) lost++;
      expect(res.json(), url).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
      expect(res.json().message).toMatch(/minutes|seconds/);
      expect(ms, url).toBeLessThan(1_000);
    }
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 2 ** 20);
    expect(await leftovers()).toEqual([]);
    // At the limit: a file of MAX_UPLOAD_MB minus framing, 16-bit 16 kHz mono (about a minute), is accepted.
    const long = encodeWav16(whiteNoise((MAX_UPLOAD_MB * 2 ** 20 - 4096) / 32000, 0.1, 5), 16000);
    const { body, contentType } = formBody([{ name: 'class', value: 'background' }, { name: 'file', filename: 'minute.wav', content: long }]);
    const ok = await cloud.app.inject({ method: 'POST', url: '/upload', headers: { 'x-api-key': ADMIN_KEY, 'content-type': contentType }, payload: body });
    expect(ok.statusCode).toBe(200);
    accepted.set(ok.json().file_path, Buffer.from(long));
    expect(await leftovers()).toEqual([]);

    // The same file as a station clip (stations PUT whatever they like): the public spectrogram
    // refuses it at once, and a retrain that was given it as reviewed training data skips it.
    const clipKey = 'stations/st-bomb/2026/01/01/ev-bomb.wav';
    await cloud.services.storage.put(clipKey, bomb);
    const sidecar = makeClip('st-bomb', 'ev-bomb', bomb, 0, Date.parse('2026-01-01T00:00:00Z')).sidecar;
    await cloud.services.storage.put(clipKey.replace('.wav', '.json'), sidecar);
    await cloud.services.ingestor.onObjectStored(clipKey.replace('.wav', '.json'));
    const started = performance.now();
    const png = await withTimeout(cloud.app.inject({ method: 'GET', url: '/api/detections/ev-bomb/spectrogram.png' }), 30_000, 'spectrogram');
    if (png.statusCode !== 413) lost++;
    expect(png.json()).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(performance.now() - started).toBeLessThan(1_000);
    const skipped: string[] = [];
    const originals = [clipKey, ok.json().file_path as string].map((key) => ({ id: key, key, label: 'background', source: 'station' as const, labelledAt: '2026-01-01T00:00:00Z' }));
    const loaded = await loadOriginals(cloud.services.storage, originals, 16000, (_f, m) => m && skipped.push(m), maxDecodedSamples(MAX_UPLOAD_MB));
    if (loaded.length !== 1) lost++;
    expect(loaded.map((o) => o.key)).toEqual([ok.json().file_path]);
    expect(skipped.join('\n')).toContain(`skipped ${clipKey}`);
    recordScenario({ scenario: 'decoded-size bomb (1 kHz 8-bit WAV)', iterations: 4, faultsInjected: 4, itemsChecked: 6, itemsLost: lost });
  });

  it('answers malformed HTTP framing on a real socket (lying Content-Length, broken chunking, huge headers) with 4xx or a close, never 5xx or a hang', async () => {
    const problems: string[] = [];
    for (const c of RAW_CASES) {
      const out = await rawExchange(baseUrl, c.request(ADMIN_KEY), CASE_TIMEOUT_MS);
      if (out.timedOut) problems.push(`${c.name}: no answer and no close within ${CASE_TIMEOUT_MS} ms`);
      else if (!c.accept(out.statuses)) problems.push(`${c.name}: answered ${JSON.stringify(out.statuses)}`);
    }
    // Still serving, and nothing was stored.
    expect((await fetch(`${baseUrl}/status`)).status).toBe(200);
    problems.push(...(await leftovers()));
    recordScenario({ scenario: 'HTTP framing fuzz (raw socket)', iterations: RAW_CASES.length, faultsInjected: RAW_CASES.length, itemsChecked: RAW_CASES.length, itemsLost: problems.length });
    expect(problems).toEqual([]);
  });
});
