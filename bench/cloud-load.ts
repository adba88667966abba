import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStationLoad } from '#testkit/station-load.js';
import { verifyStationLoad } from '#testkit/station-load-verify.js';
import { fileURLToPath } from 'node:url';
import { startCloudProcess } from '#testkit/cloud-process.js';

export interface CloudLoadFigures {
  /** Requests answered per second over the whole run (presign, PUTs and dashboard reads together). */
  requestsPerSec: number;
  /** 99th percentile request latency, ms. */
  p99Ms: number;
  errors5xx: number;
  /** Objects whose PUT was answered 200. */
  uploads: number;
  /** Acknowledged objects or detections missing or wrong afterwards (must be 0). */
  lost: number;
}

const STATIONS = 50;
const CYCLES_PER_STATION = 20;

/**
 * The cloud service as it runs in production (`ecosight-cloud serve`, its own
 * process, STORAGE=fs, the shipped model) on loopback, driven by autocannon:
 * 50 stations with their own tokens presigning and uploading a clip and its
 * sidecar, plus dashboard reads. Bounded: 50 x 20 loops of 6 requests, 45 s at most.
 */
export async function measureCloudLoad(): Promise<CloudLoadFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ecosight-bench-cloud-'));
  const adminKey = randomBytes(24).toString('hex');
  const cloud = await startCloudProcess({
    DATA_DIR: dataDir, STORAGE: 'fs', API_KEY: adminKey, MQTT_URL: '',
    // All 50 stations share 127.0.0.1 here; the per-IP upload limit would otherwise be what is measured.
    UPLOADS_PER_MINUTE: '1000000',
  }, { cliPath: fileURLToPath(new URL('../cloud/src/cli.js', import.meta.url)) });
  const baseUrl = cloud.baseUrl;
  try {
    const run = await runStationLoad({ baseUrl, adminKey, stations: STATIONS, cyclesPerStation: CYCLES_PER_STATION, maxDurationSec: 45 });
    const verdict = await verifyStationLoad(run, baseUrl, adminKey, async (key) => {
      try {
        return readFileSync(join(dataDir, 'objects', ...key.split('/')));
      } catch {
        return undefined;
      }
    });
    return {
      requestsPerSec: Math.round(run.requestsPerSec),
      p99Ms: run.p99Ms,
      errors5xx: run.errors5xx,
      uploads: run.acked.length,
      lost: verdict.lost.length,
    };
  } finally {
    await cloud.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
