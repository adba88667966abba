import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { RoundRobinProxy } from '#testkit/round-robin-proxy.js';
import { whiteNoise } from '#testkit/signals.js';
import { fileURLToPath } from 'node:url';
import { startCloudProcess, type CloudProcess } from '#testkit/cloud-process.js';
import { freePort } from '#testkit/ports.js';
import { driveFleet } from './fleet-driver.js';
import type { FleetReport, PhaseReport } from './fleet-report.js';
import { fleetSchedule, type FleetPlan } from './fleet-schedule.js';
import { FleetWire } from './fleet-station.js';
import { indexBytes, registerFleet, waitForIndexed } from './fleet-cloud.js';
import { LatencyRecorder } from './latency-recorder.js';

/**
 * One fleet run: a private Mosquitto, `instances` cloud processes on folder
 * storage (several only on a shared DATABASE_URL) behind a round-robin proxy,
 * `plan.stations` registered stations playing the schedule in real time, then
 * a bounded wait until what was uploaded is indexed. Removes everything after.
 */
export async function runFleet(plan: FleetPlan, instances: number, mqttConnections: number, maxInFlight: number, databaseUrl?: string): Promise<FleetReport> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ecosight-fleet-'));
  const adminKey = randomBytes(24).toString('hex');
  const broker = new TestMosquitto();
  const clouds: CloudProcess[] = [];
  let proxy: RoundRobinProxy | undefined;
  let wire: FleetWire | undefined;
  try {
    await broker.start();
    // Several instances sit behind the proxy, which must exist first: presigned URLs name it (PUBLIC_URL).
    const ports = await Promise.all(Array.from({ length: instances }, () => freePort()));
    if (instances > 1) {
      proxy = new RoundRobinProxy(ports.map((p) => `http://127.0.0.1:${p}`));
      await proxy.start();
    }
    for (const port of ports) {
      clouds.push(await startCloudProcess({
        DATA_DIR: dataDir, STORAGE: 'fs', API_KEY: adminKey, MQTT_URL: broker.url, ...(proxy ? { PUBLIC_URL: proxy.url } : {}),
        // The whole fleet comes from 127.0.0.1: the per-address limit would otherwise be what is measured.
        UPLOADS_PER_MINUTE: '100000000', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      }, { cliPath: CLOUD_CLI, port }));
    }
    const baseUrl = proxy?.url ?? clouds[0].baseUrl;
    const registerStarted = performance.now();
    const stations = await registerFleet(baseUrl, adminKey, plan.stations);
    const registerSec = (performance.now() - registerStarted) / 1000;
    const latency = new LatencyRecorder();
    wire = new FleetWire({ baseUrl: () => baseUrl, mqttUrl: broker.url, prefix: 'ecosight', connections: mqttConnections, clipBase: encodeWav16(whiteNoise(2, 0.2, 7), 16000) }, latency);
    await wire.start();
    const phase = async (name: PhaseReport['name'], phasePlan: FleetPlan): Promise<PhaseReport> => {
      const indexBefore = await indexBytes(dataDir, databaseUrl);
      const counts = (wire as FleetWire).beginPhase(new LatencyRecorder());
      const drive = await driveFleet(fleetSchedule(phasePlan), stations, wire as FleetWire, maxInFlight);
      const indexed = await waitForIndexed(baseUrl, adminKey, counts.uploadedEvents, 120_000);
      const indexAfter = await indexBytes(dataDir, databaseUrl);
      const stationDays = (phasePlan.stations * phasePlan.durationSec) / 86_400;
      const latencyNow = (wire as FleetWire).latency;
      const kinds = latencyNow.figures();
      const requests = Object.entries(kinds).filter(([k]) => !k.startsWith('mqtt')).reduce((sum, [, f]) => sum + f.count, 0);
      return {
        name, drive, kinds, errorKinds: Object.fromEntries(latencyNow.errorKinds),
        httpRequestsPerSec: round(requests / drive.wallSec), mqttMessagesPerSec: round(counts.mqttMessages / drive.wallSec),
        detections: counts.detections, uploaded: counts.uploadedEvents.length, indexed,
        perStationDay: {
          mqttMessages: round(counts.mqttMessages / stationDays), objectPuts: round(counts.objectPuts / stationDays),
          objectMb: round(counts.objectBytes / stationDays / 1e6), indexKb: round((indexAfter - indexBefore) / stationDays / 1024),
        },
      };
    };
    const phases = [await phase('typical', { ...plan, storm: null })];
    if (plan.storm) {
      const spread = plan.storm.spreadSec;
      phases.push(await phase('storm', { ...plan, durationSec: spread, storm: { ...plan.storm, atSec: 0 } }));
    }
    return {
      plan, instances, database: databaseUrl ? 'postgresql' : 'sqlite', registerSec: round(registerSec), phases,
      forwarded: proxy ? [...proxy.forwarded] : [],
    };
  } finally {
    await wire?.stop();
    await proxy?.stop();
    for (const c of clouds) await c.stop();
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const CLOUD_CLI = fileURLToPath(new URL('../../cloud/src/cli.js', import.meta.url));
const round = (x: number) => Math.round(x * 10) / 10;
