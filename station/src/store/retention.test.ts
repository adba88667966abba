import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.js';
import { AlertStore } from './alert-store.js';
import { openDatabase } from './database.js';
import { DetectionStore } from './detection-store.js';
import { Outbox } from './outbox.js';
import { StoreRetention } from './retention.js';
import { SegmentStore } from './segment-store.js';

const DAY_MS = 86_400_000;
const T0 = Date.parse('2026-11-01T00:00:00Z');

/** A real station.db in a temp dir, filled through the real stores. */
function station() {
  const dir = tempDir();
  const db = openDatabase(join(dir, 'station.db'));
  const detections = new DetectionStore(db);
  const outbox = new Outbox(db);
  const alerts = new AlertStore(db);
  new SegmentStore(db).open({ id: 'seg', kind: 'mic', source: 'hw:0', startTimeMs: T0, sampleRateHz: 16000 }, T0);
  /** One gunshot detection with its alert, clip file, event messages and upload, all at `atMs`. */
  const detection = (n: number, atMs: number, delivered: { events: boolean; alert: boolean; upload: boolean }) => {
    const id = `ev-${String(n).padStart(6, '0')}`;
    const path = join(dir, `${id}.wav`);
    writeFileSync(path, Buffer.alloc(2000));
    const alertId = `al-${id.slice(3)}`;
    db.transaction(() => {
      detections.insertOpen({
        id, segmentId: 'seg', label: 'gunshot', startTimeMs: atMs, endTimeMs: atMs + 960, startSample: 0, endSample: 15360, peakConfidence: 0.9,
        peakTimeMs: atMs, windowCount: 2, shotCount: 1, scores: { gunshot: 0.9, speech: 0.01 }, status: 'closed', modelVersion: '1', alertId: null,
        clipKey: `stations/st/${id}.wav`, source: 'hw:0',
      }, atMs);
      alerts.insert({ id: alertId, label: 'gunshot', detectionId: id, segmentId: 'seg', lastSample: 15360, firstTimeMs: atMs, lastTimeMs: atMs, shotCount: 1, confidence: 0.9, raisedAtMs: atMs });
      detections.setAlert(id, alertId);
      detections.insertClip({ id, detectionId: id, path, objectKey: `stations/st/${id}.wav`, bytes: 2000, sha256: 'x', durationSec: 3, priority: 9, uploadState: delivered.upload ? 'uploaded' : 'pending', createdAtMs: atMs });
      const items: Array<[string, string, boolean]> = [
        ['event', `event:${id}:start`, delivered.events], ['event', `event:${id}:end`, delivered.events],
        ['alert', `alert:${alertId}`, delivered.alert], ['upload', `upload:${id}`, delivered.upload],
      ];
      for (const [kind, key, done] of items) {
        outbox.enqueue(kind as 'event', key, { id, padding: 'p'.repeat(300) }, atMs);
        if (done) outbox.markDone((outbox.get(key) as { id: number }).id, atMs + 1000);
      }
    })();
    return { id, path, alertId };
  };
  const count = (table: string): number => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { db, outbox, detection, count };
}

const ALL = { events: true, alert: true, upload: true };

describe('station.db retention', () => {
  it('prunes settled rows older than the age, with the local copy of uploaded clips, and keeps every undelivered item', async () => {
    const s = station();
    const old = s.detection(1, T0, ALL);
    const oldUnsent = s.detection(2, T0, { events: true, alert: false, upload: true });
    const oldNotUploaded = s.detection(3, T0, { events: true, alert: true, upload: false });
    const recent = s.detection(4, T0 + 25 * DAY_MS, ALL);
    const result = await new StoreRetention(s.db, { maxAgeMs: 7 * DAY_MS, maxDbBytes: 0 }).prune(T0 + 30 * DAY_MS);

    expect(result).toMatchObject({ detections: 1, clipFiles: 1, alerts: 1 });
    expect(existsSync(old.path)).toBe(false);
    const left = (s.db.prepare(`SELECT id FROM detections ORDER BY id`).all() as Array<{ id: string }>).map((r) => r.id);
    expect(left).toEqual([oldUnsent.id, oldNotUploaded.id, recent.id]);
    // The undelivered items themselves: the alert still to publish, the clip still to upload (file and row).
    expect(s.outbox.get(`alert:${oldUnsent.alertId}`)?.state).toBe('pending');
    expect(s.outbox.get(`upload:${oldNotUploaded.id}`)?.state).toBe('pending');
    expect(existsSync(oldNotUploaded.path)).toBe(true);
    expect(s.db.prepare(`SELECT 1 FROM alerts WHERE id = ?`).get(oldUnsent.alertId)).toBeDefined();
    // Delivered messages of old detections go even while the detection stays for its other items.
    expect(s.outbox.get(`event:${oldUnsent.id}:start`)).toBeUndefined();
    expect(s.outbox.get(`event:${recent.id}:start`)?.state).toBe('done');
    expect(existsSync(recent.path)).toBe(true);
  });

  it('over the size bound prunes settled rows oldest first before their age, never undelivered ones', async () => {
    const s = station();
    for (let n = 0; n < 400; n++) s.detection(n, T0 + n * 60_000, n % 10 === 0 ? { events: false, alert: false, upload: false } : ALL);
    const retention = new StoreRetention(s.db, { maxAgeMs: 30 * DAY_MS, maxDbBytes: 0 });
    const before = retention.dbBytes();
    const bound = Math.round(before / 3);
    const result = await new StoreRetention(s.db, { maxAgeMs: 30 * DAY_MS, maxDbBytes: bound }).prune(T0 + DAY_MS);

    expect(result.dbBytes).toBeLessThanOrEqual(bound);
    expect(result.detections).toBeGreaterThan(0);
    // All 40 undelivered detections and their 160 outbox items are still there.
    expect(s.db.prepare(`SELECT COUNT(*) AS n FROM detections WHERE CAST(substr(id, 4) AS INTEGER) % 10 = 0`).get()).toEqual({ n: 40 });
    expect(s.db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'`).get()).toEqual({ n: 160 });
    // Oldest first: what settled detections remain are the newest ones.
    const kept = new Set((s.db.prepare(`SELECT id FROM detections`).all() as Array<{ id: string }>).map((r) => Number(r.id.slice(3))));
    const settled = [...Array(400).keys()].filter((n) => n % 10 !== 0);
    const pruned = settled.filter((n) => !kept.has(n));
    const stayed = settled.filter((n) => kept.has(n));
    expect(pruned.length).toBeGreaterThan(0);
    if (stayed.length > 0) expect(Math.max(...pruned)).toBeLessThan(Math.min(...stayed));
  });

  it('with a size bound the undelivered alone exceed, keeps them all and says how big the database is', async () => {
    const s = station();
    for (let n = 0; n < 50; n++) s.detection(n, T0, { events: false, alert: false, upload: false });
    const result = await new StoreRetention(s.db, { maxAgeMs: DAY_MS, maxDbBytes: 4096 }).prune(T0 + 100 * DAY_MS);
    expect(s.count('detections')).toBe(50);
    expect(s.count('outbox')).toBe(200);
    expect(result.dbBytes).toBeGreaterThan(4096);
  });
});
