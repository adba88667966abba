/**
 * `npm run bench`: speed and memory figures, printed as a table and, on the
 * last line, as JSON:
 *   {"realtimeFactor", "featuresRealtimeFactor", "peakRssMb", "alertLatencyMsP50", "alertLatencyMsP99", ...}
 * `--localisation` prints only issue 15's figures (location error, false incidents, onsets picked on the demo's audio).
 * The ingest cost section (issue 16; alone: `npm run bench:ingest`) prints S3 requests,
 * bytes, API calls and MQTT messages per station per day, listing vs confirmations.
 * The fleet table (issue 16) comes from a short `runFleet`; `npm run bench:fleet` runs longer or larger ones.
 * Targets (issues 2 and 4): realtimeFactor >= 300 on the wasm backend, one
 * core; peakRssMb < 200; alertLatencyMsP99 < 250 on loopback.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { shippedModelDir } from '#shared/model/model-package.js';
import { impulseTrain, seededRandom, whiteNoise } from '#testkit/signals.js';
import { busyRecording } from './busy-recording.js';
import { measureAlertLatency } from './alert-latency.js';
import { measureCloudLoad } from './cloud-load.js';
import { printIngestCost } from './ingest-cost.js';
import { measureIngest } from './ingest-measure.js';
import { printFleetReport, type FleetReport } from './fleet/fleet-report.js';
import { runFleet } from './fleet/run-fleet.js';
import { measureFalseIncidents, measureLocalisation } from './localisation-bench.js';
import { measureDemoOnsets, measureDemoStage2 } from './demo-onsets-bench.js';
import { loadShippedOnsetModel } from '#shared/detect/onset-model.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';

const here = fileURLToPath(new URL('.', import.meta.url));

function writeWav(name: string, audio: Float32Array): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ecosight-bench-')), name);
  writeFileSync(path, encodeWav16(audio, SAMPLE_RATE_HZ));
  return path;
}

function tenMinuteRecording(): string {
  const seconds = 600;
  const audio = whiteNoise(seconds, 0.01, 9);
  const rand = seededRandom(4);
  for (let t = 5; t < seconds - 5; t += 20 + rand() * 20) audio.set(impulseTrain(1, 0.25, 16000, 0.8, Math.round(t)), Math.round(t * 16000));
  return writeWav('ten-minutes.wav', audio);
}

/** Runs one measurement pinned to a single core when taskset is available. */
function measure(mode: 'features' | 'full', wav: string, modelDir: string): Record<string, number | string | boolean> {
  const script = join(here, 'pipeline-bench.js');
  const pin = spawnSync('taskset', ['--version']).status === 0 ? ['taskset', '-c', '0'] : [];
  const command = [...pin, process.execPath, script, mode, wav, modelDir];
  const out = execFileSync(command[0], command.slice(1), { encoding: 'utf8', env: { ...process.env, ECOSIGHT_TF_BACKEND: process.env.ECOSIGHT_TF_BACKEND ?? 'wasm' } });
  return JSON.parse(out.trim().split('\n').at(-1) as string) as Record<string, number | string | boolean>;
}

/** Issue 15's figures: location error against clock error and spacing, false incidents, onsets picked on the demo's audio. */
async function localisationReport(): Promise<Record<string, unknown>> {
  const rows = measureLocalisation();
  process.stdout.write('\nlocation error, 5 stations, shots inside the hull (m)\n');
  process.stdout.write('spacing  clock +/-   shots  median    p90\n');
  for (const r of rows) {
    process.stdout.write(`${String(r.spacingM).padStart(5)} m  ${String(r.clockErrorMs).padStart(5)} ms  ${String(r.shots).padStart(6)}  ${r.medianM.toFixed(1).padStart(6)}  ${r.p90M.toFixed(1).padStart(6)}\n`);
  }
  const falseRows = [1, 10].map((rate) => measureFalseIncidents(rate, 300));
  process.stdout.write('\nuncorrelated false alarms, 5 stations 450 m apart\n');
  for (const f of falseRows) {
    const raw = f.alerts / f.hours;
    process.stdout.write(`${f.perStationPerHour}/h per station (${raw.toFixed(1)}/h raw): corroborated by chance ${f.corroboratedPerHour.toFixed(4)}/h `
      + `(gain ${f.corroboratedPerHour > 0 ? (raw / f.corroboratedPerHour).toFixed(0) : '>' + String(f.alerts)}x), located (3+ stations fitting one point) ${f.locatedPerHour.toFixed(4)}/h over ${f.hours} h\n`);
  }
  const demoOnsets = measureDemoOnsets();
  process.stdout.write('\nonset picker on the demo\'s shots (3 stations x 3 shots x 50 minutes; a forest bed with bird-like calls)\n');
  for (const d of demoOnsets) {
    process.stdout.write(`from ${d.beforeSec.toFixed(1)} s before the shot: first onset at the shot (3 ms) ${d.atShot}/${d.stretches}, early ${d.early}, late ${d.late}, none ${d.none}\n`);
  }
  const onsetModel = await loadShippedOnsetModel();
  const demoStage2 = onsetModel ? measureDemoStage2(onsetModel) : undefined;
  if (demoStage2) {
    const q = (p: number) => demoStage2.scores[Math.floor(p * (demoStage2.scores.length - 1))]?.toFixed(3);
    const passing = demoStage2.scores.filter((x) => x >= demoStage2.threshold).length;
    process.stdout.write(`two-stage detector on the demo's shots (10 minutes): trigger at ${demoStage2.triggered}/${demoStage2.shots}; stage-2 score 10/50/90 % ${q(0.1)}/${q(0.5)}/${q(0.9)}, `
      + `${passing} at or over the threshold ${demoStage2.threshold.toFixed(3)}\n`);
  }
  return { localisation: rows, falseIncidents: falseRows, demoOnsets, demoStage2 };
}

async function main(): Promise<void> {
  if (process.argv.includes('--localisation')) {
    process.stdout.write(JSON.stringify(await localisationReport()) + '\n');
    return;
  }
  const modelDir = process.env.ECOSIGHT_MODEL_DIR ?? shippedModelDir();
  if (!existsSync(join(modelDir, 'model.json'))) throw new Error(`no model in ${modelDir}: the shipped model (models/) is needed for the benchmark`);
  const wav = tenMinuteRecording();
  const features = measure('features', wav, modelDir);
  const full = measure('full', wav, modelDir);
  // Issue 12's budget holds at the trigger rate of the validation forest audio: the same pipeline on audio that busy.
  const busy = measure('full', writeWav('ten-busy-minutes.wav', busyRecording(600)), modelDir);
  const latency = await measureAlertLatency(modelDir);
  const cloud = await measureCloudLoad();
  const rows: Array<[string, string]> = [
    ['recording', `${Number(full.audioSec).toFixed(0)} s at 16 kHz, ${full.windows} windows`],
    ['backend', `${full.backend}${full.simd ? ' (SIMD)' : ''}, one core`],
    ['features only', `${Number(features.realtimeFactor).toFixed(0)}x real time`],
    ['features + inference', `${Number(full.realtimeFactor).toFixed(0)}x real time (${Number(full.msPerWindow).toFixed(3)} ms/window)`],
    ['peak RSS (full pipeline)', `${Number(full.peakRssMb).toFixed(0)} MB`],
    ['busy audio (two-stage)', `${Number(busy.realtimeFactor).toFixed(0)}x real time, ${Number(busy.onsetTriggersPerHour).toFixed(0)} triggers/h (${Number(busy.onsetScoredPerHour).toFixed(0)}/h scored), peak RSS ${Number(busy.peakRssMb).toFixed(0)} MB`],
    ['alert latency (loopback)', `p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms over ${latency.alerts} alerts from ${latency.bursts} bursts; from the first shot's onset p50 ${latency.fromOnsetP50Ms} ms, p99 ${latency.fromOnsetP99Ms} ms`],
    ['cloud load (50 stations)', `${cloud.requestsPerSec} requests/s, p99 ${cloud.p99Ms} ms`],
    ['cloud load: uploads', `${cloud.uploads} acknowledged, ${cloud.lost} lost, ${cloud.errors5xx} 5xx`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  const localisation = await localisationReport();
  const fleet = await fleetReport();
  // Issue 16: S3 requests, bytes, API calls and MQTT messages per station per day, listing vs confirmations.
  const ingestCost = printIngestCost(await measureIngest(modelDir));
  process.stdout.write(JSON.stringify({
    ...localisation,
    fleet,
    ingestCost,
    realtimeFactor: round(Number(full.realtimeFactor)),
    featuresRealtimeFactor: round(Number(features.realtimeFactor)),
    peakRssMb: round(Number(full.peakRssMb)),
    busyRealtimeFactor: round(Number(busy.realtimeFactor)),
    busyTriggersPerHour: round(Number(busy.onsetTriggersPerHour)),
    busyPeakRssMb: round(Number(busy.peakRssMb)),
    alertLatencyMsP50: latency.p50Ms,
    alertLatencyMsP99: latency.p99Ms,
    alertFromOnsetMsP50: latency.fromOnsetP50Ms,
    alertFromOnsetMsP99: latency.fromOnsetP99Ms,
    cloudRequestsPerSec: cloud.requestsPerSec,
    cloudP99Ms: cloud.p99Ms,
  }) + '\n');
}

/** Issue 16's fleet table, short: 1,000 stations for a minute at real rates, then a storm (`npm run bench:fleet` for more). */
async function fleetReport(): Promise<FleetReport> {
  process.stdout.write('\n');
  const report = await runFleet({
    stations: 1000, durationSec: 60, telemetrySec: 60, detectionsPerHour: 3, storm: { atSec: 0, fraction: 0.2, perStation: 10, spreadSec: 30 }, seed: 16,
  }, 1, 16, 256);
  printFleetReport(report);
  return report;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
