import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordScenario } from '#testkit/fault-report.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { waitFor } from '#testkit/ports.js';
import { saveTestModel } from '#testkit/test-model.js';
import { integrityCheck, openDatabase } from '../../src/store/database.js';
import { scene } from '../audio-scenes.js';
import { tempDir, writeWav } from '../helpers.js';
import { Subscriber } from '../mqtt-subscriber.js';
import { StationProcess } from '../station-process.js';

const broker = new TestMosquitto();
const mounts: string[] = [];
beforeAll(() => broker.start());
afterAll(async () => {
  for (const m of mounts) execFileSync('umount', ['-l', m]);
  await broker.stop();
});

/** A real full disk: a small tmpfs mounted over the clip folder (needs root, which CI has). */
function mountSmallDisk(dir: string, size: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  mounts.push(dir);
}

describe('disk full under the clip folder', () => {
  it('keeps running, still sends every alert, keeps every detection, and frees space lowest priority first', async () => {
    const modelDir = await saveTestModel();
    const dataDir = tempDir();
    mountSmallDisk(join(dataDir, 'clips'), '700k');
    const events = Array.from({ length: 8 }, (_, i) => ({ kind: (i % 2 === 0 ? 'steady' : 'shots') as 'steady' | 'shots', atSec: 1 + i * 6, durationSec: i % 2 === 0 ? 3 : 1 }));
    const wav = writeWav(join(dataDir, 'mixed.wav'), scene(50, events));
    const sub = new Subscriber(broker.url, ['ecosight/st-full/alert']);
    await sub.start();
    const station = new StationProcess(dataDir, {
      stationId: 'st-full', source: { type: 'file', path: wav }, model: { dir: modelDir, backend: 'wasm' },
      clips: { preRollSec: 1, postRollSec: 1 }, mqtt: { url: broker.url, alertCooldownSec: 1 }, logLevel: 'info',
    });
    station.start(['--exit-when-idle', '--idle-timeout', '20']);
    expect(await station.wait()).toBe(0);
    await waitFor(() => sub.on('/alert').length >= 4 || undefined, 5000, 'four alerts');
    await sub.stop();
    const db = openDatabase(join(dataDir, 'station.db'));
    const integrity = integrityCheck(db);
    const detections = db.prepare(`SELECT label, status FROM detections`).all() as Array<{ label: string; status: string }>;
    const clips = db.prepare(`SELECT c.path, c.deleted_at_ms, d.label FROM clips c JOIN detections d ON d.id = c.detection_id ORDER BY c.created_at_ms`).all() as Array<{ path: string; deleted_at_ms: number | null; label: string }>;
    const deletions = db.prepare(`SELECT label, reason FROM clip_deletions ORDER BY id`).all() as Array<{ label: string; reason: string }>;
    db.close();
    const gunshotClips = clips.filter((c) => c.label === 'gunshot');
    const lostGunshotClips = gunshotClips.filter((c) => c.deleted_at_ms !== null || !existsSync(c.path)).length;
    recordScenario({
      scenario: 'disk full (700 KB tmpfs)', iterations: 1, faultsInjected: deletions.length + 1,
      itemsChecked: detections.length + clips.length + 4, itemsLost: lostGunshotClips + Math.max(0, 4 - new Set(sub.on('/alert').map((a) => a.alertId)).size),
    });
    expect(integrity).toBe('ok');
    expect(detections).toHaveLength(8);
    expect(detections.every((d) => d.status === 'closed')).toBe(true);
    expect(new Set(sub.on('/alert').map((a) => a.alertId)).size).toBe(4);
    expect(gunshotClips).toHaveLength(4);
    expect(lostGunshotClips).toBe(0);
    expect(deletions.length).toBeGreaterThan(0);
    expect(deletions.every((d) => d.label === 'chainsaw' && /disk full|quota/.test(d.reason))).toBe(true);
    expect(station.logs.some((l) => /clips deleted to make room.*disk full|disk full.*clips deleted to make room/.test(l))).toBe(true);
  }, 120_000);
});
