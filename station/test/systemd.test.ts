import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { saveTestModel } from '#testkit/test-model.js';
import { waitFor } from '#testkit/ports.js';
import { sine } from '#testkit/signals.js';
import { fakeRecorderBin, tempDir, writeWav } from './helpers.js';
import { NotifySocket } from './notify-socket.js';
import { StationProcess } from './station-process.js';

let modelDir: string;
let socket: NotifySocket;
beforeAll(async () => {
  modelDir = await saveTestModel();
});
afterEach(() => socket?.stop());

function micStation(dataDir: string, env: Record<string, string>): StationProcess {
  const wav = writeWav(join(dataDir, 'field.wav'), sine(300, 3, 16000, 0.1));
  return new StationProcess(dataDir, {
    stationId: 'st-sd', model: { dir: modelDir, backend: 'wasm' },
    source: { type: 'mic', device: 'hw:1,0', restartMinSec: 0.2, restartMaxSec: 0.5, stallTimeoutSec: 1 },
    mqtt: { telemetryIntervalSec: 1 },
  }, {
    PATH: `${fakeRecorderBin()}:${process.env.PATH}`, FAKE_ARECORD_WAV: wav, FAKE_ARECORD_STATE: join(dataDir, 'runs'),
    NOTIFY_SOCKET: socket.path, WATCHDOG_USEC: '600000', ...env,
  });
}

describe('systemd notifications on a real NOTIFY_SOCKET', () => {
  it('sends READY=1 only once audio flows, STATUS lines and watchdog pings, then STOPPING=1 on SIGTERM', async () => {
    socket = new NotifySocket();
    await socket.start();
    const dataDir = tempDir();
    // The recorder only starts sending audio after a pause: READY must wait for it.
    const station = micStation(dataDir, { FAKE_ARECORD_HANG_AFTER_SEC: '0' });
    station.start();
    await station.waitForLog(/recorder stopped; restarting/, 15_000);
    expect(socket.has('READY')).toBe(false);
    await waitFor(() => socket.has('READY', '1') || undefined, 15_000, 'READY=1');
    const readyAt = socket.firstIndex('READY');
    await station.waitForLog(/audio is flowing/, 5000);
    await waitFor(() => socket.count('WATCHDOG') >= 3 || undefined, 10_000, 'watchdog pings');
    await waitFor(() => socket.messages.some((m) => /model 0\.0\.1-test; queue/.test(m.assignments.STATUS ?? '')) || undefined, 10_000, 'a STATUS line');
    expect(readyAt).toBeGreaterThanOrEqual(0);
    station.kill('SIGTERM');
    expect(await station.wait()).toBe(0);
    const stopping = socket.firstIndex('STOPPING');
    expect(stopping).toBeGreaterThan(readyAt);
    expect(socket.messages[stopping].assignments.STOPPING).toBe('1');
  }, 40_000);

  it('keeps pinging the watchdog while a crashed recorder is being restarted (the pipeline is not wedged)', async () => {
    socket = new NotifySocket();
    await socket.start();
    const dataDir = tempDir();
    const station = micStation(dataDir, { FAKE_ARECORD_CRASH_AFTER_SEC: '1' });
    station.start();
    await station.waitForLog(/recorder stopped; restarting/, 15_000);
    const before = socket.count('WATCHDOG');
    await new Promise((r) => setTimeout(r, 2000));
    expect(socket.count('WATCHDOG')).toBeGreaterThan(before);
    station.kill('SIGTERM');
    await station.wait();
  }, 30_000);

  it('sends nothing and still runs when there is no NOTIFY_SOCKET', async () => {
    socket = new NotifySocket();
    const dataDir = tempDir();
    const station = micStation(dataDir, { NOTIFY_SOCKET: '' });
    station.start();
    await station.waitForLog(/audio is flowing/, 15_000);
    station.kill('SIGTERM');
    expect(await station.wait()).toBe(0);
  }, 30_000);
});
