import { join } from 'node:path';
import { connect } from 'mqtt';
import { StationConfigSchema } from '#shared/config/station-config.js';
import { validateConfig } from '#shared/config/validate.js';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { whiteNoise } from '#testkit/signals.js';
import { addModelledGunfire } from '#testkit/gunfire.js';
import { createLogger } from '#shared/util/logger.js';
import { composeStation } from '../station/src/main.js';
import { systemClock } from '../station/src/core/clock.js';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';

export interface LatencyResult {
  /** Bursts of gunfire in the recording. */
  bursts: number;
  alerts: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** From the first shot's onset (the alert's startTime) to the message: what a ranger waits. */
  fromOnsetP50Ms: number;
  fromOnsetP99Ms: number;
}

/**
 * Alert latency on loopback: a station replays a recording in real time (as a
 * microphone would deliver it) with a modelled burst of automatic fire (60 m,
 * ml/src/synth) over a quiet noise floor every `spacingSec` (6 s: each burst
 * after the impulsive-texture gate's 5 s history of the one before, as single
 * incidents are); a subscriber on a local Mosquitto measures the time from the
 * end of the audio the decision needed (the alert's windowEndTime: the window
 * for the window model, 0.6 s after the onset for the two-stage detector) to
 * the message's arrival, and from the first shot's onset (startTime).
 */
export async function measureAlertLatency(modelDir: string, shots = 20, spacingSec = 6): Promise<LatencyResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ecosight-bench-'));
  const total = shots * spacingSec + 2;
  const audio = whiteNoise(total, 0.001, 3);
  for (let i = 0; i < shots; i++) {
    addModelledGunfire(audio, Math.round((1 + i * spacingSec) * 16000), `bench-burst-${i}`, { distanceM: 60, pattern: 'automatic', shotCount: 4, t60Sec: 1 }, 1.2);
  }
  const wav = join(dir, 'shots.wav');
  writeFileSync(wav, encodeWav16(audio, SAMPLE_RATE_HZ));
  const broker = new TestMosquitto();
  await broker.start();
  const latencies: number[] = [];
  const fromOnset: number[] = [];
  const subscriber = connect(broker.url);
  await new Promise<void>((resolve) => subscriber.on('connect', () => subscriber.subscribe('ecosight/bench/alert', { qos: 1 }, () => resolve())));
  subscriber.on('message', (_topic, payload) => {
    const received = Date.now();
    const alert = JSON.parse(payload.toString()) as { windowEndTime: string; startTime: string };
    latencies.push(received - Date.parse(alert.windowEndTime));
    fromOnset.push(received - Date.parse(alert.startTime));
  });
  const config = validateConfig(StationConfigSchema, {
    stationId: 'bench', dataDir: join(dir, 'data'), source: { type: 'file', path: wav, realtime: true },
    model: { dir: modelDir }, mqtt: { url: broker.url, alertCooldownSec: 0.5 }, clips: { preRollSec: 0.5, postRollSec: 0.5 },
  }, 'bench');
  const station = await composeStation(config, { exitWhenIdle: true, idleTimeoutMs: 10_000, env: {}, clock: systemClock, logger: createLogger({ name: 'bench', level: 'warn' }) });
  await station.run();
  await new Promise((r) => setTimeout(r, 300));
  await subscriber.endAsync();
  await broker.stop();
  latencies.sort((a, b) => a - b);
  fromOnset.sort((a, b) => a - b);
  const pick = (q: number, xs = latencies): number => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
  return { bursts: shots, alerts: latencies.length, p50Ms: pick(0.5), p99Ms: pick(0.99), maxMs: latencies.at(-1) ?? NaN, fromOnsetP50Ms: pick(0.5, fromOnset), fromOnsetP99Ms: pick(0.99, fromOnset) };
}
