import { readdirSync } from 'node:fs';
import { get } from 'node:http';
import { join, relative } from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '#shared/model/model-package.js';
import { recordScenario } from '#testkit/fault-report.js';
import { loudWav } from '../support/audio.js';
import { formBody, formHead, type FormPart } from '../support/multipart.js';
import { ADMIN_KEY, startTestCloud, type TestCloud } from '../support/test-cloud.js';
import { streamBody } from '../support/http.js';
import { Findings } from './support/findings.js';
import { rawRequest } from './support/raw-http.js';

const GB = 1024 * 1024 * 1024;
const admin = { 'x-api-key': ADMIN_KEY };
const json = { 'content-type': 'application/json' };

type Inject = { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; headers?: Record<string, string>; payload?: string | Buffer | object };

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))).sort();
}

function record(scenario: string, f: Findings): void {
  recordScenario({ scenario, iterations: f.attacks, faultsInjected: f.attacks, itemsChecked: f.checks, itemsLost: f.problems.length });
}

describe('HTTP security (fs storage, dashboard served)', () => {
  let cloud: TestCloud;
  let base: string;
  let tokenA: string;
  let tokenB: string;
  let version: string;
  const inject = (r: Inject): Promise<LightMyRequestResponse> => cloud.app.inject(r as InjectOptions);

  async function presign(id: string, keys: string[], headers: Record<string, string>) {
    return inject({ method: 'POST', url: `/api/stations/${id}/presign`, headers: { ...json, ...headers, host: new URL(base).host }, payload: { keys } });
  }

  async function upload(parts: FormPart[], headers: Record<string, string> = admin) {
    const { body, contentType } = formBody(parts);
    return inject({ method: 'POST', url: '/upload', headers: { ...headers, 'content-type': contentType }, payload: body });
  }

  /** A URL for `key` signed with the service's own secret, as if the presign route had issued it. */
  function signedPath(key: string, contentType = 'audio/wav', expires = Math.floor(Date.now() / 1000) + 600): string {
    const sig = cloud.services.urlSigner!.sign(key, expires, contentType);
    return `/api/objects/${key}?expires=${expires}&sig=${sig}`;
  }

  beforeAll(async () => {
    cloud = await startTestCloud({ MAX_UPLOAD_MB: '2', UPLOADS_PER_MINUTE: '100000' }, { uiDir: join(repositoryRoot(), 'cloud', 'src', 'ui') });
    base = await cloud.app.listen({ port: 0, host: '127.0.0.1' });
    for (const id of ['st-a', 'st-b']) {
      const res = await inject({ method: 'POST', url: '/api/stations', headers: { ...admin, ...json }, payload: { id } });
      expect(res.statusCode).toBe(201);
      if (id === 'st-a') tokenA = res.json().token;
      else tokenB = res.json().token;
    }
    version = (await inject({ method: 'GET', url: '/api/models/latest' })).json().version;
    expect(version).toBeTruthy();
  });
  afterAll(() => cloud.stop());

  it('refuses path traversal in labels, file names and object keys, and writes nothing anywhere', async () => {
    const f = new Findings();
    const before = filesUnder(cloud.config.dataDir);
    const wav = loudWav(0.5);
    // Labels (the class field) and file names of uploads.
    for (const cls of ['../gunshot', '..', 'gunshot/../background', '..\\gunshot', 'gunshot/', '/gunshot', 'a\u0000b', '%2e%2e%2fgunshot', '....//gunshot', 'gunshot\\..\\..\\x']) {
      f.refused(`upload class ${JSON.stringify(cls)}`, await upload([{ name: 'class', value: cls }, { name: 'file', filename: 'a.wav', content: wav }]), [400], ['UNSAFE_NAME', 'UNKNOWN_CLASS']);
    }
    for (const name of ['../../evil.wav', '..\\..\\evil.wav', '/etc/cron.d/x.wav', 'C:\\Windows\\x.wav', 'ok/../../x.wav', 'a\u0000.wav', '..', '....//x.wav']) {
      f.refused(`upload file name ${JSON.stringify(name)}`, await upload([{ name: 'class', value: 'gunshot' }, { name: 'file', filename: name, content: wav }]), [400], ['UNSAFE_NAME']);
    }
    // Review labels and detection ids.
    for (const label of ['../gunshot', 'gunshot/../x', '..']) {
      f.refused(`review label ${label}`, await inject({ method: 'PATCH', url: '/api/detections/ev-x', headers: { ...admin, ...json }, payload: { label } }), [400, 404]);
    }
    for (const id of ['..%2F..%2Findex.sqlite', '%2e%2e', '.hidden', 'a%00b']) {
      f.refused(`detection id ${id}`, await inject({ method: 'GET', url: `/api/detections/${id}/audio` }), [400, 404]);
      f.refused(`review of detection id ${id}`, await inject({ method: 'PATCH', url: `/api/detections/${id}`, headers: { ...admin, ...json }, payload: { label: 'gunshot' } }), [400, 404]);
    }
    // Presign keys: outside the prefix (403) or malformed (400).
    const badKeys = [
      'stations/st-a/../st-b/x.wav', 'stations/st-a/./x.wav', 'stations/st-a/%2e%2e/x.wav', 'stations/st-a/.hidden.wav', 'stations/st-a/x\\..\\y.wav',
      '/stations/st-a/x.wav', 'stations/st-a/x/', 'stations/st-a//x.wav', 'stations/st-a/\u0000.wav', 'stations/st\u2010a/x.wav', 'stations/st-a/..',
      'stations/st-a/../../presign-secret', '../index.sqlite', 'stations/st-ab/x.wav', 'stations/st-b/x.wav', 'models/latest.json', 'stations/st-a/station.json',
      `stations/st-a/${'x'.repeat(600)}.wav`, 'stations/st-a/x.wav?y', 'stations/st-a/x.wav#', 'stations/st-a/ x.wav',
    ];
    for (const key of badKeys) f.refused(`presign key ${JSON.stringify(key.slice(0, 60))}`, await presign('st-a', [key], { 'x-station-token': tokenA }), [400, 403], ['UNSAFE_KEY', 'FORBIDDEN', 'VALIDATION']);
    // /api/objects with a valid signature over a malformed key: the key rule holds on its own.
    for (const key of ['../index.sqlite', 'stations/st-a/../../presign-secret', '.tmp/x.wav', 'stations/st-a/%2e%2e/%2e%2e/x.wav', 'stations/st-a/..%2f..%2fx.wav', 'stations/st-a/x%00.wav', 'stations//x.wav', 'stations/st-a/x\\..\\y.wav']) {
      f.refused(`signed PUT to ${key}`, await inject({ method: 'PUT', url: signedPath(key), headers: { 'content-type': 'audio/wav' }, payload: wav }), [400, 403, 404]);
    }
    // The same over a real socket, byte for byte: fetch and inject would normalise literal dots away.
    for (const key of ['../../index.sqlite', 'stations/st-a/../../../presign-secret', 'stations/st-a/./x.wav']) {
      const path = signedPath(key);
      f.refused(`raw signed PUT to ${key}`, await rawRequest(base, 'PUT', path, { 'content-type': 'audio/wav' }, 'RIFF'), [400, 403, 404]);
    }
    // Release files: only what the signed manifest lists (and nothing beside the release).
    for (const file of ['..%2F..%2Fstations%2Fst-a%2Fstation.json', '../latest.json', '%2e%2e/latest.json', 'release.json', 'reference/../model.json', '..%2f..%2f..%2fpresign-secret', '/etc/passwd', 'model.json%00.png', '../../stations/st-a/station.json']) {
      const res = await rawRequest(base, 'GET', `/api/models/${version}/${file}`);
      f.refused(`release file ${file}`, res, [400, 404]);
      f.check(`release file ${file} leaks nothing`, !/tokenSha256|"latest"|modelTopology/.test(res.body));
    }
    for (const v of ['..', '..%2F..', '.', '%2e%2e']) f.refused(`release version ${v}`, await rawRequest(base, 'GET', `/api/models/${v}/model.json`), [400, 404]);
    // Static dashboard files: nothing outside cloud/src/ui.
    for (const path of ['/../../package.json', '/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/lib/..%2f..%2f..%2f..%2fpackage.json', '/..%5c..%5cpackage.json', '/%252e%252e/package.json', '/lib/../../../package.json', '/../../../../../../etc/passwd']) {
      const res = await rawRequest(base, 'GET', path);
      f.attacks++;
      f.check(`static ${path}`, res.statusCode >= 400 && res.statusCode < 500 && !res.body.includes('"devDependencies"') && !res.body.includes('root:'), `answered ${res.statusCode}`);
    }
    const after = filesUnder(cloud.config.dataDir).filter((p) => !/^index\.sqlite/.test(p));
    f.check('no file written by the attacks', JSON.stringify(after) === JSON.stringify(before.filter((p) => !/^index\.sqlite/.test(p))), `new: ${after.filter((p) => !before.includes(p)).join(', ')}`);
    f.check('no upload indexed', (await cloud.services.repos.uploads.all()).length === 0);
    record('HTTP: path traversal', f);
    expect(f.problems).toEqual([]);
  });

  it('refuses oversized bodies with 413, before or while reading them', async () => {
    const f = new Findings();
    const big = JSON.stringify({ id: 'st-big', name: 'x'.repeat(2 * 1024 * 1024) });
    f.refused('2 MB JSON to register a station', await inject({ method: 'POST', url: '/api/stations', headers: { ...admin, ...json }, payload: big }), [413], ['PAYLOAD_TOO_LARGE']);
    f.refused('2 MB JSON presign', await presign('st-a', ['x'.repeat(2 * 1024 * 1024)], { 'x-station-token': tokenA }), [413], ['PAYLOAD_TOO_LARGE']);
    f.refused('2 MB JSON review', await inject({ method: 'PATCH', url: '/api/detections/ev-1', headers: { ...admin, ...json }, payload: JSON.stringify({ label: 'x'.repeat(2 * 1024 * 1024) }) }), [413]);
    f.refused('2 MB JSON retrain', await inject({ method: 'POST', url: '/retrain', headers: { ...admin, ...json }, payload: JSON.stringify({ min_samples: 1, pad: 'x'.repeat(2 * 1024 * 1024) }) }), [413]);
    f.refused('101 presign keys', await presign('st-a', Array.from({ length: 101 }, (_, i) => `stations/st-a/2026/01/01/c${i}.wav`), { 'x-station-token': tokenA }), [400], ['VALIDATION']);
    f.refused('deeply nested JSON', await inject({ method: 'POST', url: '/api/stations', headers: { ...admin, ...json }, payload: `${'['.repeat(50_000)}${']'.repeat(50_000)}` }), [400]);
    // Over MAX_UPLOAD_MB (2) through a signed URL, in memory and streamed.
    const key = 'stations/st-a/2026/01/01/big.wav';
    f.refused('3 MB signed PUT', await inject({ method: 'PUT', url: signedPath(key), headers: { 'content-type': 'audio/wav' }, payload: Buffer.alloc(3 * 1024 * 1024) }), [413], ['PAYLOAD_TOO_LARGE']);
    const rssBefore = process.memoryUsage().rss;
    for (const [what, url, method, headers] of [
      ['1 GB chunked signed PUT', `${base}${signedPath(key)}`, 'PUT', { 'content-type': 'audio/wav', 'transfer-encoding': 'chunked' }],
      ['1 GB declared signed PUT', `${base}${signedPath(key)}`, 'PUT', { 'content-type': 'audio/wav', 'content-length': String(GB) }],
      ['1 GB chunked /predict (no key needed)', `${base}/predict`, 'POST', { 'content-type': formHead('gunshot', 'x.wav').contentType, 'transfer-encoding': 'chunked' }],
      ['1 GB chunked /upload', `${base}/upload`, 'POST', { ...admin, 'content-type': formHead('gunshot', 'x.wav').contentType, 'transfer-encoding': 'chunked' }],
      ['1 GB chunked JSON presign', `${base}/api/stations/st-a/presign`, 'POST', { ...json, 'x-station-token': tokenA, 'transfer-encoding': 'chunked' }],
    ] as const) {
      // The form head must carry the boundary the content type names.
      const ct = (headers as Record<string, string>)['content-type'];
      const head = ct.startsWith('multipart/') ? Buffer.from(`--${ct.split('boundary=')[1]}\r\nContent-Disposition: form-data; name="file"; filename="x.wav"\r\nContent-Type: audio/wav\r\n\r\n`) : Buffer.from('{"keys":["');
      const res = await streamBody(url, method, headers as Record<string, string>, head, GB);
      f.attacks++;
      f.check(what, res.status === 413 && res.sentBytes < GB / 4, `answered ${res.status} after ${(res.sentBytes / 2 ** 20).toFixed(0)} MB`);
    }
    f.check('memory stayed bounded', process.memoryUsage().rss - rssBefore < 200 * 2 ** 20, `RSS grew ${((process.memoryUsage().rss - rssBefore) / 2 ** 20).toFixed(0)} MB`);
    f.check('nothing stored for the oversized PUTs', (await cloud.services.storage.head(key)) === undefined);
    f.check('no station registered', (await cloud.services.repos.stations.get('st-big')) === undefined);
    record('HTTP: oversized bodies', f);
    expect(f.problems).toEqual([]);
  });

  it('refuses wrong content types and prototype poisoning', async () => {
    const f = new Findings();
    const body = JSON.stringify({ id: 'st-ct' });
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/json-patch+json']) {
      f.refused(`register with ${ct}`, await inject({ method: 'POST', url: '/api/stations', headers: { ...admin, 'content-type': ct }, payload: body }), [400, 415]);
    }
    f.refused('presign as a form', await inject({ method: 'POST', url: '/api/stations/st-a/presign', headers: { 'x-station-token': tokenA, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'keys=stations/st-a/x.wav' }), [400, 415]);
    f.refused('upload as JSON', await inject({ method: 'POST', url: '/upload', headers: { ...admin, ...json }, payload: { class: 'gunshot', file: 'UklGRg==' } }), [400, 406, 415]);
    f.refused('upload as a raw WAV', await inject({ method: 'POST', url: '/upload', headers: { ...admin, 'content-type': 'audio/wav' }, payload: Buffer.from(loudWav(0.5)) }), [400, 406, 415]);
    f.refused('predict as a raw WAV', await inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'audio/wav' }, payload: Buffer.from(loudWav(0.5)) }), [400, 406, 415]);
    f.refused('retrain as a form', await inject({ method: 'POST', url: '/retrain', headers: { ...admin, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'min_samples=1' }), [400, 415]);
    f.refused('review as text', await inject({ method: 'PATCH', url: '/api/detections/ev-1', headers: { ...admin, 'content-type': 'text/plain' }, payload: '{"label":"gunshot"}' }), [400, 415]);
    f.refused('JSON with __proto__', await inject({ method: 'POST', url: '/api/stations', headers: { ...admin, ...json }, payload: '{"id":"st-proto","__proto__":{"isAdmin":true}}' }), [400]);
    f.refused('JSON with constructor.prototype', await inject({ method: 'POST', url: '/api/stations', headers: { ...admin, ...json }, payload: '{"id":"st-proto","constructor":{"prototype":{"isAdmin":true}}}' }), [400]);
    f.refused('unknown JSON field', await inject({ method: 'POST', url: '/api/stations', headers: { ...admin, ...json }, payload: '{"id":"st-extra","tokenSha256":"0"}' }), [400]);
    const wav = loudWav(0.5);
    const key = 'stations/st-a/2026/01/01/ct.wav';
    for (const ct of ['application/json', 'application/octet-stream', 'text/html', '']) {
      f.refused(`signed PUT sent as ${ct || 'no content type'}`, await inject({ method: 'PUT', url: signedPath(key), headers: ct ? { 'content-type': ct } : {}, payload: Buffer.from(wav) }), [403]);
    }
    // A .json key signed as JSON cannot be sent as HTML (stored objects keep the type their key implies).
    f.refused('signed JSON PUT sent as HTML', await inject({ method: 'PUT', url: signedPath('stations/st-a/2026/01/01/x.json', 'application/json'), headers: { 'content-type': 'text/html' }, payload: '<script>alert(1)</script>' }), [403]);
    f.check('nothing stored', (await cloud.services.storage.head(key)) === undefined && (await cloud.services.repos.stations.get('st-proto')) === undefined && (await cloud.services.repos.stations.get('st-ct')) === undefined);
    f.check('Object.prototype untouched', ({} as Record<string, unknown>).isAdmin === undefined);
    record('HTTP: wrong content types', f);
    expect(f.problems).toEqual([]);
  });

  it('refuses missing and invalid credentials, and one station acting for another', async () => {
    const f = new Findings();
    const mutations: Inject[] = [
      { method: 'POST', url: '/api/stations', headers: json, payload: { id: 'st-new' } },
      { method: 'POST', url: '/api/scan' },
      { method: 'POST', url: '/retrain', headers: json, payload: { min_samples: 0 } },
      { method: 'PATCH', url: '/api/detections/ev-1', headers: json, payload: { label: 'gunshot' } },
      { method: 'POST', url: '/upload', headers: { 'content-type': formHead('gunshot', 'a.wav').contentType }, payload: 'x' },
    ];
    const badAdmin: Array<[string, Record<string, string>]> = [
      ['no key', {}], ['empty key', { 'x-api-key': '' }], ['wrong key', { 'x-api-key': 'nope' }], ['key with a suffix', { 'x-api-key': `${ADMIN_KEY}x` }],
      ['key prefix', { 'x-api-key': ADMIN_KEY.slice(0, -1) }], ['padded key', { 'x-api-key': ` ${ADMIN_KEY} ` }], ['key as bearer', { authorization: `Bearer ${ADMIN_KEY}` }],
      ['key as station token', { 'x-station-token': ADMIN_KEY }], ['station token as key', { 'x-api-key': tokenA }], ['station token as bearer', { authorization: `Bearer ${tokenA}` }],
      ['upper-case key', { 'x-api-key': ADMIN_KEY.toUpperCase() }],
    ];
    for (const m of mutations) {
      for (const [what, headers] of badAdmin) f.refused(`${m.method} ${m.url} with ${what}`, await inject({ ...m, headers: { ...m.headers, ...headers } }), [401], ['UNAUTHORIZED']);
      f.refused(`${m.method} ${m.url} with the key in the query`, await inject({ ...m, url: `${m.url}?api_key=${ADMIN_KEY}&x-api-key=${ADMIN_KEY}` }), [401, 400]);
    }
    const own = ['stations/st-a/2026/01/01/c1.wav'];
    const badStation: Array<[string, Record<string, string>, number]> = [
      ['no token', {}, 401], ['empty token', { 'x-station-token': '' }, 401], ['forged token', { 'x-station-token': 'est_forged' }, 401],
      ["B's token", { 'x-station-token': tokenB }, 403], ["B's token as bearer", { authorization: `Bearer ${tokenB}` }, 403],
      ['token with a suffix', { 'x-station-token': `${tokenA}x` }, 401], ['basic auth', { authorization: `Basic ${Buffer.from(`st-a:${tokenA}`).toString('base64')}` }, 401],
      ['bearer without token', { authorization: 'Bearer ' }, 401], ['wrong admin key', { 'x-api-key': 'nope' }, 401], ['token hash', { 'x-station-token': (await cloud.services.repos.stations.tokenHash('st-a')) ?? '' }, 401],
    ];
    for (const [what, headers, status] of badStation) f.refused(`presign for st-a with ${what}`, await presign('st-a', own, headers), [status]);
    f.refused("A's token for an unregistered station", await presign('st-zz', ['stations/st-zz/x.wav'], { 'x-station-token': tokenA }), [403]);
    f.refused("A's token asking for B's keys", await presign('st-a', ['stations/st-b/2026/01/01/c1.wav'], { 'x-station-token': tokenA }), [403]);
    f.refused("A's token for B's route and keys", await presign('st-b', ['stations/st-b/2026/01/01/c1.wav'], { 'x-station-token': tokenA }), [403]);
    f.refused('one bad key among good ones', await presign('st-a', [...own, 'stations/st-b/2026/01/01/c2.wav'], { 'x-station-token': tokenA }), [403]);
    // The upload confirmation takes the same token rule and the same prefix rule, before storage is read.
    const confirm = (id: string, keys: string[], headers: Record<string, string>) => inject({
      method: 'POST', url: `/api/stations/${id}/uploads/confirm`, headers: { ...json, ...headers }, payload: { objects: keys.map((key) => ({ key, bytes: 1, sha256: '0'.repeat(64) })) },
    });
    for (const [what, headers, status] of badStation) f.refused(`confirm for st-a with ${what}`, await confirm('st-a', own, headers), [status]);
    f.refused("A's token confirming B's keys", await confirm('st-a', ['stations/st-b/2026/01/01/c1.wav'], { 'x-station-token': tokenA }), [403]);
    f.refused("A's token on B's confirm route", await confirm('st-b', ['stations/st-b/2026/01/01/c1.wav'], { 'x-station-token': tokenA }), [403]);
    f.refused('confirming a traversal key', await confirm('st-a', ['stations/st-a/../st-b/2026/01/01/c1.wav'], { 'x-station-token': tokenA }), [400]);
    f.check('own token confirms (a missing object is reported, not an error)', (await confirm('st-a', own, { 'x-station-token': tokenA })).json().results?.[0]?.status === 'missing');
    // Sanity: the right credentials do work (so the refusals above are about the credentials).
    f.check('own token works', (await presign('st-a', own, { 'x-station-token': tokenA })).statusCode === 200);
    f.check('admin may presign', (await presign('st-b', ['stations/st-b/2026/01/01/c1.wav'], admin)).statusCode === 200);
    f.check('nothing registered', (await cloud.services.repos.stations.get('st-new')) === undefined && (await cloud.services.repos.jobs.list(10)).length === 0);

    // With PUBLIC_DASHBOARD=false: reads need the key; a station token reads models only.
    const closed = await startTestCloud({ PUBLIC_DASHBOARD: 'false' });
    try {
      const reg = await closed.app.inject({ method: 'POST', url: '/api/stations', headers: admin, payload: { id: 'st-c' } });
      const token = reg.json().token as string;
      const latest = (await closed.app.inject({ method: 'GET', url: '/api/models/latest', headers: admin })).json().version as string;
      const reads = ['/api/detections', '/api/detections/ev-1', '/api/stations', '/api/models', `/api/models/${latest}`, '/api/jobs', '/api/uploads', '/api/classes', '/api/live', '/api/jobs/job-1/events'];
      for (const url of reads) {
        for (const [what, headers] of [['nothing', {}], ['station token', { 'x-station-token': token }], ['wrong key', { 'x-api-key': 'nope' }]] as const) {
          f.refused(`private ${url} with ${what}`, await closed.app.inject({ method: 'GET', url, headers }), [401]);
        }
      }
      for (const url of ['/api/models/latest', `/api/models/${latest}/manifest.json`, `/api/models/${latest}/model.json`]) {
        f.refused(`private ${url} with nothing`, await closed.app.inject({ method: 'GET', url }), [401]);
        f.check(`private ${url} with a station token`, (await closed.app.inject({ method: 'GET', url, headers: { 'x-station-token': token } })).statusCode === 200);
      }
      f.refused('private /predict with nothing', await closed.app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': formHead('x', 'a.wav').contentType }, payload: 'x' }), [401]);
    } finally {
      await closed.stop();
    }
    record('HTTP: missing or invalid credentials', f);
    expect(f.problems).toEqual([]);
  });

  it("refuses presigned URLs that were tampered with, moved to another key or station, replayed after expiry, or sent with another content type", async () => {
    const f = new Findings();
    const wav = Buffer.from(loudWav(0.5));
    const clipKey = 'stations/st-a/2026/01/02/ev-s.wav';
    const res = await presign('st-a', [clipKey, clipKey.replace('.wav', '.json')], { 'x-station-token': tokenA });
    const [w, j] = res.json().urls as Array<{ url: string; headers: Record<string, string>; expiresAt: string }>;
    const put = async (url: string, headers: Record<string, string>, body: Buffer | string) => {
      const r = await fetch(url, { method: 'PUT', headers, body });
      return { statusCode: r.status, body: await r.text() };
    };
    const u = new URL(w.url);
    const sig = u.searchParams.get('sig') ?? '';
    const expires = Number(u.searchParams.get('expires'));
    const withQuery = (q: string, path = u.pathname) => `${u.origin}${path}?${q}`;
    const flip = (hex: string, i: number) => hex.slice(0, i) + (hex[i] === '0' ? '1' : '0') + hex.slice(i + 1);
    const attempts: Array<[string, string, Record<string, string>]> = [
      ['one bit of the signature', withQuery(`expires=${expires}&sig=${flip(sig, 0)}`), w.headers],
      ['last hex digit of the signature', withQuery(`expires=${expires}&sig=${flip(sig, 63)}`), w.headers],
      ['upper-case signature', withQuery(`expires=${expires}&sig=${sig.toUpperCase()}`), w.headers],
      ['truncated signature', withQuery(`expires=${expires}&sig=${sig.slice(0, 32)}`), w.headers],
      ['no signature', withQuery(`expires=${expires}`), w.headers],
      ['two signatures', withQuery(`expires=${expires}&sig=${flip(sig, 5)}&sig=${sig}`), w.headers],
      ['later expiry', withQuery(`expires=${expires + 3600}&sig=${sig}`), w.headers],
      ['expiry far in the future', withQuery(`expires=99999999999&sig=${sig}`), w.headers],
      ['no expiry', withQuery(`sig=${sig}`), w.headers],
      ['another clip of A', withQuery(u.search.slice(1), u.pathname.replace('ev-s.wav', 'ev-t.wav')), w.headers],
      ["B's prefix", withQuery(u.search.slice(1), u.pathname.replace('st-a', 'st-b')), w.headers],
      ["A's station document", withQuery(u.search.slice(1), '/api/objects/stations/st-a/station.json'), { 'content-type': 'application/json' }],
      ['the sidecar signature on the clip', withQuery(new URL(j.url).search.slice(1)), w.headers],
      ['the clip URL with the JSON content type', w.url, { 'content-type': 'application/json' }],
    ];
    for (const [what, url, headers] of attempts) f.refused(`signed URL: ${what}`, await put(url, headers, wav), [400, 403]);
    f.check('nothing stored by the tampered URLs', (await cloud.services.storage.head(clipKey)) === undefined && (await cloud.services.storage.head('stations/st-b/2026/01/02/ev-s.wav')) === undefined);
    const doc = await cloud.services.storage.get('stations/st-a/station.json');
    f.check('station document intact', JSON.parse(doc.toString()).id === 'st-a');
    // The real URL works once, then not after it expires.
    f.check('the URL as issued works', (await put(w.url, w.headers, wav)).statusCode === 200);
    const realNow = cloud.services.clock.now;
    (cloud.services.clock as { now: () => number }).now = () => Date.parse(w.expiresAt) + 1000;
    try {
      f.refused('signed URL replayed after expiry', await put(w.url, w.headers, Buffer.from('replaced')), [403], ['FORBIDDEN']);
    } finally {
      (cloud.services.clock as { now: () => number }).now = realNow;
    }
    f.check('the stored clip is the original', (await cloud.services.storage.get(clipKey)).equals(wav));
    // Other methods on a signed URL do nothing.
    for (const method of ['GET', 'POST', 'DELETE', 'PATCH']) {
      const r = await fetch(w.url, { method, headers: w.headers, body: method === 'GET' ? undefined : 'x' });
      f.attacks++;
      f.check(`${method} on a signed URL`, r.status === 404 || r.status === 405, `answered ${r.status}`);
    }
    f.check('clip still intact', (await cloud.services.storage.get(clipKey)).equals(wav));
    record('HTTP: presigned URL tampering', f);
    expect(f.problems).toEqual([]);
  });

  it('sets the security headers on every kind of answer (pages, JSON, errors, event streams)', async () => {
    const f = new Findings();
    const checkHeaders = (what: string, h: Record<string, string | string[] | number | undefined>) => {
      const csp = String(h['content-security-policy'] ?? '');
      f.attacks++;
      for (const directive of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'"]) {
        f.check(`${what}: CSP has ${directive}`, csp.includes(directive), csp || 'no CSP');
      }
      f.check(`${what}: CSP allows no inline script`, !/script-src[^;]*'unsafe-inline'/.test(csp), csp);
      f.check(`${what}: nosniff`, h['x-content-type-options'] === 'nosniff', String(h['x-content-type-options']));
      f.check(`${what}: frame options`, h['x-frame-options'] === 'SAMEORIGIN', String(h['x-frame-options']));
      f.check(`${what}: referrer policy`, h['referrer-policy'] === 'no-referrer', String(h['referrer-policy']));
      f.check(`${what}: HSTS`, /max-age=\d{7,}/.test(String(h['strict-transport-security'] ?? '')), String(h['strict-transport-security']));
      f.check(`${what}: COOP`, h['cross-origin-opener-policy'] === 'same-origin', String(h['cross-origin-opener-policy']));
      f.check(`${what}: CORP`, h['cross-origin-resource-policy'] === 'same-origin', String(h['cross-origin-resource-policy']));
      f.check(`${what}: no x-powered-by`, h['x-powered-by'] === undefined);
      f.check(`${what}: no CORS for any origin`, h['access-control-allow-origin'] === undefined, String(h['access-control-allow-origin']));
    };
    const answers: Array<[string, Inject]> = [
      ['dashboard page', { method: 'GET', url: '/' }],
      ['dashboard script', { method: 'GET', url: '/app.js' }],
      ['status', { method: 'GET', url: '/status' }],
      ['JSON list', { method: 'GET', url: '/api/detections' }],
      ['unknown route', { method: 'GET', url: '/nope' }],
      ['401', { method: 'POST', url: '/api/scan' }],
      ['400', { method: 'POST', url: '/api/stations', headers: { ...admin, ...json }, payload: { id: '../x' } }],
      ['413', { method: 'POST', url: '/api/stations', headers: { ...admin, ...json }, payload: JSON.stringify({ id: 'x'.repeat(2 * 2 ** 20) }) }],
      ['403 on a signed URL', { method: 'PUT', url: `/api/objects/stations/st-a/x.wav?expires=1&sig=${'0'.repeat(64)}`, headers: { 'content-type': 'audio/wav' }, payload: 'x' }],
      ['model file', { method: 'GET', url: `/api/models/${version}/model.json` }],
      ['OpenAPI JSON', { method: 'GET', url: '/docs/json' }],
      ['OpenAPI page', { method: 'GET', url: '/docs/static/index.html' }],
      ['CORS preflight', { method: 'OPTIONS' as 'GET', url: '/api/stations', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } }],
    ];
    for (const [what, req] of answers) checkHeaders(what, (await inject({ ...req, headers: { origin: 'https://evil.example', ...req.headers } })).headers);
    // An event stream (hijacked reply): read its headers from a real socket.
    const sseHeaders = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
      const req = get(`${base}/api/live`, { headers: { accept: 'text/event-stream' } }, (res) => {
        resolve(res.headers);
        req.destroy();
      });
      req.on('error', reject);
    });
    checkHeaders('event stream', sseHeaders);
    record('HTTP: security headers', f);
    expect(f.problems).toEqual([]);
  });
});
