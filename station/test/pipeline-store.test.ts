import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { StationConfigSchema } from '#shared/config/station-config.js';
import { validateConfig } from '#shared/config/validate.js';
import { decodeClip } from '#shared/audio/decode-clip.js';
import { saveTestModel } from '#testkit/test-model.js';
import { impulseTrain } from '#testkit/signals.js';
import { composeStation } from '../src/main.js';
import { openDatabase, integrityCheck } from '../src/store/database.js';
import { systemClock } from '../src/core/clock.js';
import { quietLogger, tempDir, writeWav } from './helpers.js';

let modelDir: string;
let wavPath: string;
beforeAll(async () => {
  modelDir = await saveTestModel();
  const signal = new Float32Array(16000 * 20);
  signal.set(impulseTrain(2, 0.4), 16000 * 3);
  signal.set(impulseTrain(1, 0.3), 16000 * 12);
  wavPath = writeWav(join(tempDir(), 'two-bursts.wav'), signal);
});

async function runStation(dataDir: string): Promise<number> {
  const config = validateConfig(StationConfigSchema, {
    stationId: 'st-test', dataDir, source: { type: 'file', path: wavPath },
    model: { dir: modelDir, backend: 'wasm' }, clips: { preRollSec: 0.5, postRollSec: 0.5 }, mqtt: { alertCooldownSec: 2 },
  }, 'test');
  const lifecycle = await composeStation(config, { exitWhenIdle: true, idleTimeoutMs: 5000, env: {}, clock: systemClock, logger: quietLogger() });
  return lifecycle.run();
}

function snapshot(dataDir: string) {
  const db = openDatabase(join(dataDir, 'station.db'));
  const result = {
    integrity: integrityCheck(db),
    detections: db.prepare(`SELECT id, label, status, start_sample, end_sample, alert_id, clip_key FROM detections ORDER BY start_sample`).all() as Array<Record<string, unknown>>,
    clips: db.prepare(`SELECT id, path, sha256, bytes, upload_state FROM clips ORDER BY id`).all() as Array<{ id: string; path: string; sha256: string; bytes: number; upload_state: string }>,
    alerts: db.prepare(`SELECT id, shot_count FROM alerts ORDER BY first_time_ms`).all() as Array<{ id: string; shot_count: number }>,
    outbox: db.prepare(`SELECT kind, state, dedupe_key FROM outbox ORDER BY id`).all() as Array<{ kind: string; state: string; dedupe_key: string }>,
  };
  db.close();
  return result;
}

describe('station pipeline into the store (file source, local mode)', () => {
  it('stores each burst as one closed detection with an atomic clip, alerts, and local outbox items', async () => {
    const dataDir = tempDir();
    expect(await runStation(dataDir)).toBe(0);
    const s = snapshot(dataDir);
    expect(s.integrity).toBe('ok');
    expect(s.detections).toHaveLength(2);
    expect(s.detections.every((d) => d.label === 'gunshot' && d.status === 'closed')).toBe(true);
    // Burst 1's first shot is at 3.1 s: the onset inside the first positive window is found to within 10 ms,
    // not just the window start (up to 0.96 s earlier).
    expect(Math.abs(Number(s.detections[0].start_sample) / 16000 - 3.1)).toBeLessThan(0.01);
    expect(Math.abs(Number(s.detections[1].start_sample) / 16000 - 12.1)).toBeLessThan(0.01);
    expect(s.alerts).toHaveLength(2);
    expect(s.alerts[0].shot_count).toBeGreaterThanOrEqual(4);
    expect(s.clips).toHaveLength(2);
    for (const clip of s.clips) {
      const bytes = readFileSync(clip.path);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(clip.sha256);
      expect(bytes.byteLength).toBe(clip.bytes);
      expect(clip.upload_state).toBe('local');
      const audio = await decodeClip(bytes);
      expect(audio.codec).toBe('flac');
      // pre-roll 0.5 s + event + post-roll 0.5 s
      expect(audio.durationSec).toBeGreaterThan(2);
    }
    expect(s.detections.map((d) => String(d.clip_key))).toEqual(
      s.detections.map((d) => expect.stringMatching(new RegExp(`^stations/st-test/\\d{4}/\\d{2}/\\d{2}/${String(d.id)}\\.flac$`))),
    );
    const kinds = s.outbox.map((o) => `${o.kind}:${o.state}`);
    expect(kinds.filter((k) => k === 'upload:local')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'alert:local')).toHaveLength(2);
    // No temp files were left in the clip folder.
    const files = readdirSync(join(dataDir, 'clips'), { recursive: true }).map(String);
    expect(files.filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('replaying the same recording (a restart after a crash) stores nothing twice', async () => {
    const dataDir = tempDir();
    await runStation(dataDir);
    const first = snapshot(dataDir);
    await runStation(dataDir);
    const second = snapshot(dataDir);
    expect(second.detections).toEqual(first.detections);
    expect(second.alerts).toEqual(first.alerts);
    expect(second.clips.map((c) => c.id)).toEqual(first.clips.map((c) => c.id));
    expect(second.outbox).toEqual(first.outbox);
    for (const c of second.clips) expect(existsSync(c.path)).toBe(true);
  });
});
