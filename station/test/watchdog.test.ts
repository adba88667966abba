import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#shared/model/backend.js';
import { loadModelPackage } from '#shared/model/model-package.js';
import { waitFor } from '#testkit/ports.js';
import { sine } from '#testkit/signals.js';
import { saveTestModel } from '#testkit/test-model.js';
import type { AudioSource, SourceEvent } from '../src/capture/audio-source.js';
import { buildStages } from '#shared/pipeline/stages.js';
import { PipelineRunner } from '../src/pipeline/runner.js';
import type { PipelineSink } from '../src/pipeline/sink.js';
import { openDatabase } from '../src/store/database.js';
import { Outbox } from '../src/store/outbox.js';
import { systemClock } from '../src/core/clock.js';
import { Heartbeat } from '../src/system/health.js';
import { StationLifecycle } from '../src/system/lifecycle.js';
import { SystemdNotifier } from '../src/system/systemd.js';
import { quietLogger, tempDir } from './helpers.js';
import { NotifySocket } from './notify-socket.js';

const socket = new NotifySocket();
beforeAll(async () => {
  await socket.start();
  await initBackend(quietLogger(), 'wasm');
});
afterAll(() => socket.stop());

/** A live-like source: 100 ms of audio every 100 ms until stopped. */
const liveSource: AudioSource = {
  kind: 'mic',
  stats: () => ({ droppedChunks: 0, restarts: 0, gaps: 0, lastAudioTimeMs: null }),
  async *events(signal: AbortSignal): AsyncGenerator<SourceEvent> {
    yield { type: 'segment-start', segment: { id: 'mic:test:1', kind: 'mic', source: 'mic:test', startTimeMs: Date.now(), sampleRateHz: 16000 } };
    for (let n = 0; !signal.aborted; n++) {
      await new Promise((r) => setTimeout(r, 100));
      yield { type: 'audio', startSample: n * 1600, samples: sine(200, 0.1, 16000, 0.05) };
    }
    yield { type: 'segment-end', reason: 'stopped' };
  },
};

describe('systemd watchdog and a wedged pipeline', () => {
  it('pings while the pipeline makes progress and stops pinging once it is stuck', async () => {
    const model = await loadModelPackage(await saveTestModel());
    const stages = buildStages(model, { hopSec: 0.48, maxEventSec: 30, maxBatch: 8 });
    let wedged = false;
    let release = (): void => undefined;
    const sink: PipelineSink = {
      segmentStart: () => undefined, audio: () => undefined, detection: () => undefined, segmentEnd: () => undefined,
      gap: () => undefined, rejected: () => undefined,
      // Simulates a stage that never returns (a deadlocked disk, a stuck driver call).
      windows: () => (wedged ? new Promise<void>((resolve) => { release = resolve; }) : undefined),
    };
    const heartbeat = new Heartbeat();
    const db = openDatabase(join(tempDir(), 'station.db'));
    const runner = new PipelineRunner(liveSource, stages, sink, heartbeat, () => Date.now());
    const lifecycle = new StationLifecycle(
      {
        db, outbox: new Outbox(db), runner, heartbeat, link: undefined, workers: [], services: [],
        systemd: new SystemdNotifier({ NOTIFY_SOCKET: socket.path, WATCHDOG_USEC: '300000', PATH: process.env.PATH }, quietLogger()),
        status: async () => 'test', clock: systemClock, logger: quietLogger(),
      },
      { exitWhenIdle: false, idleTimeoutMs: 1000, heartbeatStaleMs: 600, stopTimeoutMs: 1000 },
    );
    const running = lifecycle.run();
    await waitFor(() => socket.has('READY', '1') || undefined, 5000, 'READY');
    await waitFor(() => socket.count('WATCHDOG') >= 3 || undefined, 5000, 'pings while healthy');
    wedged = true;
    // Once the stuck stage has held the pipeline longer than the stale bound, pings stop.
    await new Promise((r) => setTimeout(r, 1500));
    const frozenAt = socket.count('WATCHDOG');
    await new Promise((r) => setTimeout(r, 1200));
    expect(socket.count('WATCHDOG')).toBe(frozenAt);
    wedged = false;
    release();
    await waitFor(() => socket.count('WATCHDOG') > frozenAt || undefined, 3000, 'pings again after recovery');
    await lifecycle.requestStop('test');
    release();
    expect(await running).toBe(0);
  }, 20_000);
});
