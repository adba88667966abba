import { describe, expect, it } from 'vitest';
import type { EventPayload } from '#shared/mqtt/payloads.js';
import type { ReleaseRecord } from '#shared/release/record.js';
import type { JobStatus } from '../../src/jobs/job-status.js';
import type { StationRegistration } from '../../src/adapters/db/stations-repo.js';
import { engineUnavailable, freshIndexes, INDEX_ENGINES } from '../support/index-engines.js';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);
const reg = (id: string, tokenSha256: string): StationRegistration => ({ v: 1, id, name: `Station ${id}`, tokenSha256, createdAt: '2026-01-01T00:00:00.000Z' });
const ev = (stationId: string, eventId: string, startTime: string, patch: Partial<EventPayload> = {}): EventPayload => ({
  v: 1, type: 'end', stationId, eventId, label: 'gunshot', confidence: 0.7, startTime, peakTime: startTime, windowCount: 1,
  clipKey: `stations/${stationId}/2026/01/01/${eventId}.wav`, modelVersion: 'm1', source: 'mic', alert: false, delayed: false, ...patch,
});
const job = (id: string, seq: number, patch: Partial<JobStatus> = {}): JobStatus => ({
  id, kind: 'retrain', state: 'queued', progress: 0, message: '', log: [], createdAt: `2026-01-0${seq}T00:00:00.000Z`, startedAt: null,
  updatedAt: '2026-01-01T00:00:00.000Z', finishedAt: null, result: null, error: null, seq, ...patch,
} as unknown as JobStatus);
const release = (version: string, status: ReleaseRecord['status']): ReleaseRecord => ({
  v: 1, version, status, createdAt: '2026-01-01T00:00:00.000Z', parentVersion: null, jobId: null, classes: ['gunshot'],
  metrics: null, baselineMetrics: null, gate: null, files: [], report: null,
});

// One suite, both engines: the PostgreSQL implementation must answer exactly as SQLite does.
describe.each(INDEX_ENGINES)('index repositories on %s', (engine) => {
  const unavailable = engineUnavailable(engine);
  if (unavailable) return void it.skip(unavailable);
  const fresh = freshIndexes(engine);

  it('stations: register once, tokens, revocation, health only grows forward', async () => {
    const { stations } = await fresh();
    expect(await stations.register(reg('st-1', HASH_A))).toBe(true);
    expect(await stations.register(reg('st-1', HASH_B))).toBe(false);
    expect(await stations.tokenHash('st-1')).toBe(HASH_A);
    expect(await stations.stationForTokenHash(HASH_A)).toBe('st-1');
    expect(await stations.stationForTokenHash('revoked')).toBeUndefined();
    expect(await stations.isActive('st-1')).toBe(true);
    await stations.upsertRegistration({ ...reg('st-1', 'revoked'), name: 'Renamed' });
    expect(await stations.isActive('st-1')).toBe(false);
    expect(await stations.tokenHash('st-nope')).toBeUndefined();
    expect(await stations.touch('st-nope', { lastSeen: '2026-01-01T00:00:00.000Z' })).toBeUndefined();

    await stations.register(reg('st-0', HASH_B));
    await stations.touch('st-0', { lastSeen: '2026-01-02T00:00:00.000Z', state: 'online', softwareVersion: '1.2.3' });
    const later = await stations.touch('st-0', { lastSeen: '2026-01-01T00:00:00.000Z', telemetry: { uptimeSec: 5 } as never });
    expect(later).toMatchObject({ id: 'st-0', lastSeen: '2026-01-02T00:00:00.000Z', state: 'online', softwareVersion: '1.2.3', telemetry: { uptimeSec: 5 } });
    expect((await stations.list()).map((s) => [s.id, s.name])).toEqual([['st-0', 'Station st-0'], ['st-1', 'Renamed']]);
    expect(await stations.registrations()).toEqual([reg('st-0', HASH_B), { ...reg('st-1', 'revoked'), name: 'Renamed' }]);
  });

  it('uploads: newest first, by class, counted since a cutoff', async () => {
    const { uploads } = await fresh();
    const u = (key: string, cls: string, createdAt: string) => ({ key, class: cls, name: key.split('/').pop() as string, bytes: 3_000_000_000, createdAt });
    await uploads.upsert(u('extracted_audio/gunshot/a.wav', 'gunshot', '2026-01-01T00:00:01.000Z'));
    await uploads.upsert(u('extracted_audio/gunshot/b.wav', 'gunshot', '2026-01-01T00:00:02.000Z'));
    await uploads.upsert(u('extracted_audio/background/c.wav', 'background', '2026-01-01T00:00:03.000Z'));
    expect(await uploads.has('extracted_audio/gunshot/a.wav')).toBe(true);
    expect(await uploads.list({ limit: 10, offset: 0 })).toMatchObject({ total: 3, items: [{ key: 'extracted_audio/background/c.wav' }, { key: 'extracted_audio/gunshot/b.wav' }, { key: 'extracted_audio/gunshot/a.wav' }] });
    expect(await uploads.list({ class: 'gunshot', limit: 1, offset: 1 })).toEqual({ total: 2, items: [u('extracted_audio/gunshot/a.wav', 'gunshot', '2026-01-01T00:00:01.000Z')] });
    expect(await uploads.countSince('2026-01-01T00:00:01.000Z')).toBe(2);
    expect(await uploads.countSince('')).toBe(3);
    await uploads.delete('extracted_audio/gunshot/a.wav');
    expect((await uploads.all()).map((x) => x.key)).toEqual(['extracted_audio/background/c.wav', 'extracted_audio/gunshot/b.wav']);
  });

  it('detections: filters, paging, pending clips, clip arrival, reviews', async () => {
    const { detections } = await fresh();
    await detections.applyEvent(ev('st-a', 'e1', '2026-01-01T00:00:01.000Z', { alert: true }), 'now');
    await detections.applyEvent(ev('st-b', 'e1', '2026-01-01T00:00:02.000Z', { label: 'chainsaw' }), 'now');
    await detections.applyEvent(ev('st-a', 'e2', '2026-01-01T00:00:03.000Z', { clipKey: '' }), 'now');
    await detections.applyAlert({
      v: 1, alertId: 'al', stationId: 'st-a', eventId: 'e3', label: 'gunshot', confidence: 0.95, startTime: '2026-01-01T00:00:04.000Z', shotCount: 2,
      delayed: false, clipKey: 'stations/st-a/2026/01/01/e3.wav', modelVersion: 'm1', raisedAt: 'x', sentAt: 'x',
    } as never, 'now');
    expect((await detections.byEventId('e1')).map((d) => d.stationId)).toEqual(['st-a', 'st-b']);
    const page = await detections.list({ limit: 2, offset: 0 });
    expect(page.total).toBe(4);
    expect(page.items.map((d) => `${d.stationId}/${d.id}`)).toEqual(['st-a/e3', 'st-a/e2']);
    expect((await detections.list({ station: 'st-a', alert: true, limit: 10, offset: 0 })).items.map((d) => d.id)).toEqual(['e3', 'e1']);
    expect((await detections.list({ label: 'chainsaw', from: '2026-01-01T00:00:02.000Z', to: '2026-01-01T00:00:02.000Z', limit: 10, offset: 0 })).total).toBe(1);
    expect(await detections.pendingClipKeys('2026-01-01T00:00:00.000Z', 10)).toEqual([
      'stations/st-a/2026/01/01/e3.wav', 'stations/st-b/2026/01/01/e1.wav', 'stations/st-a/2026/01/01/e1.wav',
    ]);
    const arrived = await detections.markClipAvailable('stations/st-a/2026/01/01/e1.wav', 'later');
    expect(arrived).toMatchObject([{ stationId: 'st-a', id: 'e1', clipAvailable: true, updatedAt: 'later' }]);
    expect(await detections.markClipAvailable('stations/st-a/2026/01/01/e1.wav', 'again')).toEqual([]);
    expect(await detections.hasSidecar('stations/st-a/2026/01/01/e1.wav')).toBe(false);
    expect(await detections.setReview('st-a', 'e1', 'background', '2026-02-01T00:00:00.000Z')).toMatchObject({ reviewedLabel: 'background' });
    expect(await detections.setReview('st-z', 'e1', 'background', '2026-02-01T00:00:00.000Z')).toBeUndefined();
    expect((await detections.reviewedWithClips()).map((d) => d.id)).toEqual(['e1']);
    expect(await detections.countReviewedSince('2026-01-31T00:00:00.000Z')).toBe(1);
    expect((await detections.list({ reviewed: false, limit: 10, offset: 0 })).total).toBe(3);
    expect(await detections.get('st-a', 'e3')).toMatchObject({ alert: true, shotCount: 2, confidence: 0.95, state: 'open' });
  });

  it('detections: restore keeps what is there and fills what is not', async () => {
    const { detections } = await fresh();
    const live = await detections.applyEvent(ev('st-a', 'e1', '2026-01-01T00:00:01.000Z'), 'now');
    await detections.restore({ ...live, alert: true, shotCount: 4, label: 'other' });
    await detections.restore({ ...live, stationId: 'st-b', scores: { gunshot: 0.5 } });
    expect(await detections.get('st-a', 'e1')).toMatchObject({ alert: true, shotCount: 4, label: 'gunshot' });
    expect(await detections.get('st-b', 'e1')).toMatchObject({ scores: { gunshot: 0.5 }, clipAvailable: false });
    expect((await detections.all()).map((d) => d.stationId)).toEqual(['st-a', 'st-b']);
  });

  it('jobs: a status never goes back to an older seq; the last data cutoff of succeeded jobs', async () => {
    const { jobs } = await fresh();
    await jobs.upsert(job('j1', 1));
    await jobs.upsert(job('j1', 3, { state: 'running' } as Partial<JobStatus>));
    await jobs.upsert(job('j1', 2, { state: 'failed' } as Partial<JobStatus>));
    expect(await jobs.get('j1')).toMatchObject({ state: 'running', seq: 3 });
    await jobs.upsert(job('j2', 2, { state: 'succeeded', result: { dataCutoff: '2026-01-05T00:00:00.000Z' } } as never));
    await jobs.upsert(job('j3', 4, { state: 'succeeded', result: { dataCutoff: '2026-01-04T00:00:00.000Z' } } as never));
    expect(await jobs.lastDataCutoff()).toBe('2026-01-05T00:00:00.000Z');
    expect((await jobs.active()).map((j) => j.id)).toEqual(['j1']);
    expect((await jobs.list(2)).map((j) => j.id)).toEqual(['j3', 'j2']);
    expect(await jobs.get('nope')).toBeUndefined();
  });

  it('releases: newest version first, the latest pointer set and cleared', async () => {
    const { releases } = await fresh();
    expect(await releases.latest()).toBeUndefined();
    await releases.upsert(release('2026.01.02-1', 'published'));
    await releases.upsert(release('2026.01.10-1', 'rejected'));
    await releases.upsert(release('2026.01.02-2', 'published'));
    await releases.setLatest('2026.01.02-2');
    expect(await releases.latest()).toBe('2026.01.02-2');
    expect((await releases.list()).map((r) => r.version)).toEqual(['2026.01.10-1', '2026.01.02-2', '2026.01.02-1']);
    expect(await releases.get('2026.01.10-1')).toEqual(release('2026.01.10-1', 'rejected'));
    await releases.setLatest(undefined);
    expect(await releases.latest()).toBeUndefined();
  });
});
