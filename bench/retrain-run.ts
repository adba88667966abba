/**
 * One retrain job measured in its own process (so peak RSS is the job's):
 *   node dist/bench/retrain-run.js <dataDir> <head|full> [maxSteps]
 * The cloud is configured as `ecosight-cloud retrain` would be (folder storage
 * in <dataDir>); prints one JSON line: seconds per stage, the peak resident
 * memory reached by the end of each stage (the stage where it grows is where
 * the memory goes), total wall and user CPU seconds, outcome, peak RSS, and a
 * summary of the result (thresholds, gate metrics) to compare runs by.
 */
import { loadCloudConfig } from '#shared/config/cloud-config.js';
import { createLogger } from '#shared/util/logger.js';
import { createCloud } from '../cloud/src/app.js';

async function main(): Promise<void> {
  const [dataDir, mode = 'head', maxSteps] = process.argv.slice(2);
  if (!dataDir || (mode !== 'head' && mode !== 'full')) throw new Error('usage: retrain-run.js <dataDir> <head|full> [maxSteps]');
  const config = loadCloudConfig({ ...process.env, DATA_DIR: dataDir, STORAGE: 'fs', MQTT_URL: '', LOG_LEVEL: 'warn' });
  const stageSec: Record<string, number> = {};
  const stagePeakRssMb: Record<string, number> = {};
  let stage = 'start';
  let stageStart = performance.now();
  const started = stageStart;
  const cloud = await createCloud({
    config, logger: createLogger({ name: 'retrain-bench', level: 'warn' }), role: 'cli',
    training: maxSteps ? { maxSteps: Number(maxSteps) } : undefined,
    jobEcho: (_line, status) => {
      const next = status.stage ?? stage;
      if (next === stage) return;
      const now = performance.now();
      stageSec[stage] = (stageSec[stage] ?? 0) + (now - stageStart) / 1000;
      stagePeakRssMb[stage] = peakRssMb();
      process.stderr.write(`retrain-run: ${next} after ${((now - started) / 1000).toFixed(1)} s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB\n`);
      [stage, stageStart] = [next, now];
    },
  });
  // A fixed job id: the split and every seed derive from it, so two runs on the
  // same originals (before and after a change) must print the same summary.
  cloud.services.jobStore.newId = () => 'job-retrain-bench';
  try {
    await cloud.start();
    const job = await cloud.services.retrain.start({ minSamples: 1, mode });
    await cloud.services.runner.idle();
    const final = await cloud.services.jobStore.read(job.id);
    const end = performance.now();
    stageSec[stage] = (stageSec[stage] ?? 0) + (end - stageStart) / 1000;
    stagePeakRssMb[stage] = peakRssMb();
    delete stageSec.start;
    delete stagePeakRssMb.start;
    process.stdout.write(JSON.stringify({
      mode, state: final?.state, outcome: final?.result?.outcome ?? null, error: final?.error ?? null,
      totalSec: round((end - started) / 1000), stageSec: Object.fromEntries(Object.entries(stageSec).map(([k, v]) => [k, round(v)])),
      userCpuSec: round(process.resourceUsage().userCPUTime / 1e6), stagePeakRssMb,
      peakRssMb: peakRssMb(), summary: summarise(final?.result?.report),
    }) + '\n');
  } finally {
    await cloud.stop();
  }
}

function peakRssMb(): number {
  return round(process.resourceUsage().maxRSS / 1024);
}

interface Metrics { gunshotRecall: number | null; falseAlarmsPerHour: number; accuracy: number | null; report?: { perClass?: Array<{ name: string; threshold: number }> } }

/** What a change that should not alter results must leave identical: thresholds and both models' gate metrics. */
function summarise(report: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (!report) return null;
  const m = report.metrics as Metrics;
  const b = report.baselineMetrics as Metrics;
  const brief = (x: Metrics) => ({ gunshotRecall: x.gunshotRecall, falseAlarmsPerHour: x.falseAlarmsPerHour, accuracy: x.accuracy });
  return {
    thresholds: Object.fromEntries((m.report?.perClass ?? []).map((c) => [c.name, c.threshold])),
    candidate: brief(m), current: brief(b), gate: (report.gate as { reasons: string[] }).reasons,
  };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

main().catch((err: unknown) => {
  process.stderr.write(`retrain-run failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
