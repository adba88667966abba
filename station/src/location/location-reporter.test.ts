import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '#shared/util/logger.js';
import type { SegmentInfo } from '../core/segment.js';
import { GpsdClient } from './gpsd-client.js';
import { LocationReporter } from './location-reporter.js';

const logger = createLogger({ name: 'test', level: 'silent' });
const CONFIG_POSITION = { latitude: -1.5, longitude: 29.6, altitudeM: 1800, source: 'config' as const, accuracyM: 3 };

function segment(kind: SegmentInfo['kind'], startTimeMs: number): SegmentInfo {
  return { id: `${kind}:x`, kind, source: 'x', startTimeMs, sampleRateHz: 16000 };
}

/** A gpsd speaking its JSON protocol on a local port (no GPS receiver on CI machines). */
function fakeGpsd(reports: object[]): Promise<{ server: Server; port: number; watch: Promise<string> }> {
  let gotWatch: (s: string) => void = () => undefined;
  const watch = new Promise<string>((r) => (gotWatch = r));
  const server = createServer((socket: Socket) => {
    socket.write(`${JSON.stringify({ class: 'VERSION', release: '3.25' })}\n`);
    socket.once('data', (d) => {
      gotWatch(d.toString());
      for (const r of reports) socket.write(`${JSON.stringify(r)}\n`);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, watch })));
}

describe('LocationReporter', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('stamps onsets from a recorder file name with the configured recorder clock error', async () => {
    const reporter = new LocationReporter(
      { configPosition: CONFIG_POSITION, recorderClockErrorMs: 1, airTemperatureC: 24, clockCheckIntervalMs: 60_000 },
      undefined, async () => undefined, () => 0, logger,
    );
    await reporter.start();
    const start = Date.UTC(2026, 11, 4, 9, 30, 0);
    const fields = reporter.alertFields(segment('folder', start), [16000 * 12 + 5]);
    expect(fields.shotOnsetsMs).toHaveLength(1);
    expect(fields.shotOnsetsMs?.[0]).toBeCloseTo(start + 12000 + 0.3125, 2);
    expect(fields.position).toEqual(CONFIG_POSITION);
    expect(fields.clock).toMatchObject({ synchronized: true, estimatedErrorMs: 1, timeBase: 'file-name' });
    expect(fields.airTemperatureC).toBe(24);
    await reporter.stop();
  });

  it('reports the system clock for live audio and learns the sound card drift', async () => {
    let now = 1_000_000;
    const chrony = '50505300,PPS,1,1.0,0.000000100,0,0,2.5,0,0,0.000001000,0.000002000,16.0,Normal\n';
    const reporter = new LocationReporter(
      { configPosition: undefined, recorderClockErrorMs: undefined, airTemperatureC: undefined, clockCheckIntervalMs: 60_000 },
      undefined, async (file) => (file === 'chronyc' ? chrony : undefined), () => now, logger,
    );
    await reporter.start();
    const mic = segment('mic', 1_000_000);
    for (let s = 0; s < 16000 * 300; s += 1600) {
      now = 1_000_000 + ((s + 1600) / 16000) * 1000 * (1 + 100e-6) + 2;
      reporter.audio(mic, s, 1600);
    }
    const clock = reporter.clockFor(mic);
    expect(clock).toMatchObject({ synchronized: true, source: 'gps-pps', systemDriftPpm: 2.5, timeBase: 'capture' });
    expect(Math.abs((clock.audioDriftPpm ?? 0) - 100)).toBeLessThan(1);
    expect(reporter.stationFields().position).toBeUndefined();
    await reporter.stop();
  });

  it('takes the position from gpsd when enabled, the config until a fix arrives', async () => {
    const gpsd = await fakeGpsd([
      { class: 'TPV', mode: 1 },
      { class: 'TPV', mode: 3, lat: -1.4999, lon: 29.6001, altHAE: 1795.5, epx: 3, epy: 4 },
    ]);
    server = gpsd.server;
    const client = new GpsdClient({ host: '127.0.0.1', port: gpsd.port }, logger);
    const reporter = new LocationReporter(
      { configPosition: CONFIG_POSITION, recorderClockErrorMs: undefined, airTemperatureC: undefined, clockCheckIntervalMs: 60_000 },
      client, async () => undefined, () => 0, logger,
    );
    expect(reporter.position()).toEqual(CONFIG_POSITION);
    await reporter.start();
    expect(await gpsd.watch).toContain('?WATCH={"enable":true,"json":true}');
    for (let i = 0; i < 100 && reporter.position()?.source !== 'gpsd'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(reporter.position()).toEqual({ latitude: -1.4999, longitude: 29.6001, altitudeM: 1795.5, source: 'gpsd', accuracyM: 5 });
    await reporter.stop();
  });
});
