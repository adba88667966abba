/**
 * `npm run bench:ingest` (also a section of `npm run bench`): the ingest cost
 * model of issue 16. S3 requests and bytes, API calls and MQTT messages per
 * station per day, for a typical day and a storm of false alarms, the old
 * design (listing every minute) against confirmations (listing once a day),
 * with dollars at S3 Standard list prices. Every per-detection and per-run
 * figure is counted by ingest-measure.ts from the real station and cloud; only
 * the day's rates and the prices below are assumptions.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shippedModelDir } from '#shared/model/model-package.js';
import { measureIngest, type BatchCounts, type IngestMeasurement } from './ingest-measure.js';

/** Assumed S3 Standard list prices (us-east-1), USD. */
export const S3_PRICES = {
  /** PUT, COPY, POST, LIST: per 1,000 requests. */
  putListPer1000: 0.005,
  /** GET, HEAD and other reads: per 1,000 requests. */
  getHeadPer1000: 0.0004,
  /** Storage, first 50 TB: per GB-month. */
  storagePerGbMonth: 0.023,
} as const;

/** Keys one LIST request returns at most (S3's page size). */
const KEYS_PER_LIST_PAGE = 1000;
const MINUTES_PER_DAY = 1440;
const FLEET = 1000;

export interface Day {
  name: string;
  detectionsPerHour: number;
}

export const DAYS: Day[] = [
  { name: 'typical (3 detections/h)', detectionsPerHour: 3 },
  { name: 'storm (200 false alarms/h)', detectionsPerHour: 200 },
];

export interface DesignDay {
  design: 'listing every minute' | 'confirm + daily reconciliation';
  day: string;
  detections: number;
  put: number;
  list: number;
  getHead: number;
  bytesUp: number;
  bytesDown: number;
  apiCalls: number;
  mqttMessages: number;
  /** Request charges per station per month (30 days of this day), USD. */
  usdPerStationMonth: number;
  /** The same for a fleet of 1,000 stations. */
  usdFleetMonth: number;
}

/** Per-detection rates of one batch. */
function perDetection(b: BatchCounts) {
  const n = Math.max(1, b.clips);
  const s3 = (prefix: string) => Object.entries(b.s3).filter(([k]) => k.startsWith(prefix)).reduce((a, [, v]) => a + v, 0) / n;
  return {
    put: s3('PUT') + s3('POST'),
    getHead: s3('GET') + s3('HEAD'),
    list: s3('LIST'),
    bytesUp: b.bytesUp / n,
    bytesDown: b.bytesDown / n,
    api: Object.values(b.api).reduce((a, v) => a + v, 0) / n,
    mqtt: Object.values(b.mqtt).reduce((a, v) => a + v, 0) / n,
    /** Keys per detection in the station's day folder (its clip and its sidecar): the objects it PUT there. */
    objects: s3('PUT stations/'),
  };
}

/** One design over one day, from its measured batch. */
export function dayCost(m: IngestMeasurement, design: DesignDay['design'], day: Day): DesignDay {
  const batch = design === 'confirm + daily reconciliation' ? m.confirm : m.listing;
  const rate = perDetection(batch);
  const detections = day.detectionsPerHour * 24;
  // Each run lists `listsPerRun` folders (measured with < 1,000 keys each); a folder of a full day holds `objects` keys per detection.
  const pagesPerFolder = Math.max(1, Math.ceil((detections * rate.objects) / KEYS_PER_LIST_PAGE));
  const runsPerDay = design === 'listing every minute' ? MINUTES_PER_DAY : 1;
  // The batch's own first scan (old design) listed once; the day's runs are counted here instead.
  const list = runsPerDay * batch.listsPerRun * pagesPerFolder;
  const put = rate.put * detections;
  const getHead = rate.getHead * detections;
  // Telemetry every interval, and one connection a day (status online, then offline).
  const perTime = 86_400 / m.telemetryIntervalSec + batch.mqttPerConnection;
  const usdDay = ((put + list) * S3_PRICES.putListPer1000 + getHead * S3_PRICES.getHeadPer1000) / 1000;
  return {
    design, day: day.name, detections, put: Math.round(put), list: Math.round(list), getHead: Math.round(getHead),
    bytesUp: Math.round(rate.bytesUp * detections), bytesDown: Math.round(rate.bytesDown * detections),
    apiCalls: Math.round(rate.api * detections), mqttMessages: Math.round(rate.mqtt * detections + perTime),
    usdPerStationMonth: usdDay * 30, usdFleetMonth: usdDay * 30 * FLEET,
  };
}

export function costTable(m: IngestMeasurement): DesignDay[] {
  return DAYS.flatMap((day) => (['listing every minute', 'confirm + daily reconciliation'] as const).map((d) => dayCost(m, d, day)));
}

/** Prints the measured batch and the per-day table; returns the rows. */
export function printIngestCost(m: IngestMeasurement, write: (s: string) => void = (s) => process.stdout.write(s)): DesignDay[] {
  write(`\ningest cost, measured (station codec ${m.codec}, telemetry every ${m.telemetryIntervalSec} s)\n`);
  for (const [name, b] of [['confirmations', m.confirm], ['old cloud (404 to confirm, listing scan)', m.listing]] as const) {
    write(`  ${name}: ${b.clips} clips; S3 ${fmt(b.s3)}; API ${fmt(b.api)}; MQTT ${fmt(b.mqtt)} (+ ${b.mqttPerConnection} status per connection); `
      + `${(b.bytesUp / Math.max(1, b.clips) / 1024).toFixed(1)} KiB up per clip; indexed before any listing: ${b.indexedWithoutListing}; LIST per reconciliation run: ${b.listsPerRun}\n`);
  }
  const rows = costTable(m);
  write('\nper station per day (S3 Standard list prices: PUT/LIST $0.005, GET/HEAD $0.0004 per 1,000)\n');
  write('day                          design                           dets     PUT    LIST  GET+HEAD   MB up  KB down  API  MQTT  $/station/month  $/1000 stations/month\n');
  for (const r of rows) {
    write(`${r.day.padEnd(28)} ${r.design.padEnd(32)} ${String(r.detections).padStart(5)} ${String(r.put).padStart(7)} ${String(r.list).padStart(7)} ${String(r.getHead).padStart(9)} `
      + `${(r.bytesUp / 1e6).toFixed(1).padStart(7)} ${(r.bytesDown / 1e3).toFixed(0).padStart(8)} ${String(r.apiCalls).padStart(4)} ${String(r.mqttMessages).padStart(5)} `
      + `${r.usdPerStationMonth.toFixed(4).padStart(16)} ${r.usdFleetMonth.toFixed(2).padStart(22)}\n`);
  }
  return rows;
}

function fmt(counts: Record<string, number>): string {
  return Object.entries(counts).sort().map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
}

async function main(): Promise<void> {
  const modelDir = process.env.ECOSIGHT_MODEL_DIR ?? shippedModelDir();
  if (!existsSync(join(modelDir, 'model.json'))) throw new Error(`no model in ${modelDir}`);
  const m = await measureIngest(modelDir);
  const rows = printIngestCost(m);
  process.stdout.write(JSON.stringify({ measured: m, perStationPerDay: rows }) + '\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench:ingest failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
