import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordScenario } from '#testkit/fault-report.js';
import { waitFor } from '#testkit/ports.js';
import { sine } from '#testkit/signals.js';
import { saveTestModel } from '#testkit/test-model.js';
import { openDatabase } from '../../src/store/database.js';
import { fakeRecorderBin, tempDir, writeWav } from '../helpers.js';
import { NotifySocket } from '../notify-socket.js';
import { StationProcess } from '../station-process.js';

const WATCHDOG_USEC = 2_000_000;

describe('recorder failures: exits, hangs and garbage', () => {
  it('restarts the recorder each time, records every gap, and keeps the systemd watchdog fed throughout', async () => {
    const socket = new NotifySocket();
    await socket.start();
    const dataDir = tempDir();
    const wav = writeWav(join(dataDir, 'field.wav'), sine(300, 3, 16000, 0.1));
    const plan = ['crash:1', 'hang:1', 'garbage', 'crash:0.5', 'garbage', 'hang:0.3', 'ok'];
    const station = new StationProcess(dataDir, {
      stationId: 'st-rec', model: { dir: await saveTestModel(), backend: 'wasm' },
      source: { type: 'mic', device: 'hw:2,0', restartMinSec: 0.2, restartMaxSec: 0.4, stallTimeoutSec: 0.8 },
      systemd: { heartbeatStaleSec: 5 },
    }, {
      PATH: `${fakeRecorderBin()}:${process.env.PATH}`, FAKE_ARECORD_WAV: wav, FAKE_ARECORD_STATE: join(dataDir, 'runs'),
      FAKE_ARECORD_PLAN: plan.join(','), NOTIFY_SOCKET: socket.path, WATCHDOG_USEC: String(WATCHDOG_USEC),
    });
    station.start();
    // Wait until the healthy recorder (the last in the plan) has been running a while.
    await waitFor(() => station.logs.filter((l) => /recorder stopped; restarting/.test(l)).length >= plan.length - 1 || undefined, 60_000, 'all planned failures');
    await new Promise((r) => setTimeout(r, 2000));
    station.kill('SIGTERM');
    expect(await station.wait()).toBe(0);
    socket.stop();
    const db = openDatabase(join(dataDir, 'station.db'));
    const gaps = db.prepare(`SELECT reason, duration_ms FROM source_gaps ORDER BY id`).all() as Array<{ reason: string; duration_ms: number }>;
    db.close();
    // Watchdog pings never paused longer than systemd would tolerate.
    const pings = socket.messages.filter((m) => 'WATCHDOG' in m.assignments).map((m) => m.atMs);
    let longestPauseMs = 0;
    for (let i = 1; i < pings.length; i++) longestPauseMs = Math.max(longestPauseMs, pings[i] - pings[i - 1]);
    const reasons = gaps.map((g) => g.reason);
    const expectedKinds = [/exited with (error )?code 1/, /no audio/, /not audio/];
    const missingKinds = expectedKinds.filter((k) => !reasons.some((r) => k.test(r))).length;
    recordScenario({
      scenario: 'recorder exits / hangs / garbage', iterations: 1, faultsInjected: plan.length - 1,
      itemsChecked: gaps.length + pings.length, itemsLost: missingKinds + (longestPauseMs >= WATCHDOG_USEC / 1000 ? 1 : 0),
    });
    // Gaps: every failure whose recorder had delivered audio before is followed by a recorded gap.
    expect(gaps.length).toBeGreaterThanOrEqual(4);
    expect(missingKinds).toBe(0);
    expect(gaps.every((g) => g.duration_ms > 0)).toBe(true);
    expect(socket.has('READY', '1')).toBe(true);
    expect(pings.length).toBeGreaterThan(5);
    expect(longestPauseMs).toBeLessThan(WATCHDOG_USEC / 1000);
  }, 120_000);
});
