import { afterAll, describe, expect, it } from 'vitest';
import { recordScenario } from '#testkit/fault-report.js';
import { TestS3 } from '#testkit/s3rver.js';
import { listAll } from '../../src/adapters/storage/object-storage.js';
import { loudWav } from '../support/audio.js';
import { formBody } from '../support/multipart.js';
import { ADMIN_KEY, startTestCloud, type TestCloud } from '../support/test-cloud.js';
import { runStationLoad, runStationLoadWithFetch, type StationLoadRun } from '#testkit/station-load.js';
import { verifyStationLoad } from '#testkit/station-load-verify.js';

const STATIONS = 50;
// Stations behind one NAT share an IP; here all of them share 127.0.0.1, so the per-IP upload limit is lifted.
const NO_RATE_LIMIT = { UPLOADS_PER_MINUTE: '1000000', LOG_LEVEL: 'warn' };

const readFrom = (cloud: TestCloud) => async (key: string): Promise<Buffer | undefined> => {
  return (await cloud.services.storage.head(key)) ? cloud.services.storage.get(key) : undefined;
};

function summary(run: StationLoadRun): string {
  return `${run.requests} requests in ${run.durationSec.toFixed(1)} s (${run.requestsPerSec.toFixed(0)}/s, p99 ${run.p99Ms} ms), statuses ${JSON.stringify(run.statusCounts)}`;
}

describe('cloud under load: 50 stations presigning and uploading, plus dashboard reads', () => {
  const clouds: TestCloud[] = [];
  const s3 = new TestS3('load-test');
  afterAll(async () => {
    for (const c of clouds) await c.stop();
    await s3.stop();
  });

  it('STORAGE=fs (autocannon): no 5xx, every acknowledged PUT stored byte for byte and indexed', async () => {
    const cloud = await startTestCloud(NO_RATE_LIMIT);
    clouds.push(cloud);
    const baseUrl = await cloud.app.listen({ port: 0, host: '127.0.0.1' });
    const run = await runStationLoad({ baseUrl, adminKey: ADMIN_KEY, stations: STATIONS, cyclesPerStation: 10, maxDurationSec: 60 });
    const verdict = await verifyStationLoad(run, baseUrl, ADMIN_KEY, readFrom(cloud));
    recordScenario({
      scenario: 'cloud load, fs (50 stations)', iterations: run.clips.length, faultsInjected: 0,
      itemsChecked: verdict.checked, itemsLost: verdict.lost.length + run.errors5xx, note: summary(run),
    });
    expect(run.errors5xx, summary(run)).toBe(0);
    expect(run.socketErrors + run.timeouts, summary(run)).toBe(0);
    expect(run.non2xx, summary(run)).toBe(0);
    expect(verdict.lost).toEqual([]);
    // Most of the planned cycles completed (the run is bounded by count, the time bound is a safety net).
    expect(run.clips.length, summary(run)).toBeGreaterThanOrEqual(STATIONS * 9);
    expect(run.acked.length).toBe(run.clips.length * 2);
  });

  it('STORAGE=s3 (s3rver): no 5xx, every acknowledged PUT in the bucket and indexed after a scan', async () => {
    await s3.start();
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
    const cloud = await startTestCloud({ ...NO_RATE_LIMIT, STORAGE: 's3', ...s3.env });
    clouds.push(cloud);
    const baseUrl = await cloud.app.listen({ port: 0, host: '127.0.0.1' });
    const run = await runStationLoadWithFetch({ baseUrl, adminKey: ADMIN_KEY, stations: STATIONS, cyclesPerStation: 2, maxDurationSec: 60 });
    const verdict = await verifyStationLoad(run, baseUrl, ADMIN_KEY, readFrom(cloud));
    recordScenario({
      scenario: 'cloud load, s3 (50 stations)', iterations: run.clips.length, faultsInjected: 0,
      itemsChecked: verdict.checked, itemsLost: verdict.lost.length + run.errors5xx, note: summary(run),
    });
    expect(run.errors5xx, summary(run)).toBe(0);
    expect(run.socketErrors, summary(run)).toBe(0);
    expect(run.non2xx, summary(run)).toBe(0);
    expect(verdict.lost).toEqual([]);
    expect(run.clips.length).toBe(STATIONS * 2);
  });

  it('keeps every one of many concurrent same-name uploads (no overwrite within one second)', async () => {
    const cloud = await startTestCloud(NO_RATE_LIMIT);
    clouds.push(cloud);
    const n = 20;
    const answers = await Promise.all(Array.from({ length: n }, (_, i) => {
      const { body, contentType } = formBody([{ name: 'class', value: 'gunshot' }, { name: 'file', filename: 'dawn.wav', content: loudWav(0.5, 300 + i) }]);
      return cloud.app.inject({ method: 'POST', url: '/upload', headers: { 'x-api-key': ADMIN_KEY, 'content-type': contentType }, payload: body });
    }));
    const paths = answers.map((a) => (a.statusCode === 200 ? (a.json().file_path as string) : `status ${a.statusCode}`));
    const stored = (await listAll(cloud.services.storage, 'extracted_audio/')).map((o) => o.key);
    let lost = 0;
    for (let i = 0; i < n; i++) {
      if (answers[i].statusCode !== 200) continue;
      const bytes = await cloud.services.storage.get(paths[i]).catch(() => undefined);
      if (!bytes || !bytes.equals(Buffer.from(loudWav(0.5, 300 + i)))) lost++;
    }
    recordScenario({ scenario: 'concurrent same-name uploads', iterations: n, faultsInjected: 0, itemsChecked: n, itemsLost: lost + (n - new Set(paths).size) });
    expect(answers.map((a) => a.statusCode)).toEqual(Array(n).fill(200));
    expect(new Set(paths).size).toBe(n);
    expect(stored.length).toBe(n);
    expect((await cloud.services.repos.uploads.all()).length).toBe(n);
    expect(lost).toBe(0);
  });
});
