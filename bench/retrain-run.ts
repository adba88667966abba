/**
 * One retrain job measured in its own process (so peak RSS is the job's):
 *   node dist/bench/retrain-run.js <dataDir> <head|full>
 * The cloud is configured as `ecosight-cloud retrain` would be (folder storage
 * in <dataDir>); prints one JSON line: seconds per stage, total, outcome and
 * peak resident memory.
 */
import { loadCloudConfig } from '#shared/config/cloud-config.js';
import { createLogger } from '#shared/util/logger.js';
import { createCloud } from '../cloud/src/app.js';

async function main(): Promise<void> {
  const [dataDir, mode = 'head'] = process.argv.slice(2);
  if (!dataDir || (mode !== 'head' && mode !== 'full')) throw new Error('usage: retrain-run.js <dataDir> <head|full>');
  const config = loadCloudConfig({ ...process.env, DATA_DIR: dataDir, STORAGE: 'fs', MQTT_URL: '', LOG_LEVEL: 'warn' });
  const stageSec: Record<string, number> = {};
  let stage = 'start';
  let stageStart = performance.now();
  const started = stageStart;
  const cloud = await createCloud({
    config, logger: createLogger({ name: 'retrain-bench', level: 'warn' }), role: 'cli',
    jobEcho: (_line, status) => {
      const next = status.stage ?? stage;
      if (next === stage) return;
      const now = performance.now();
      stageSec[stage] = (stageSec[stage] ?? 0) + (now - stageStart) / 1000;
      process.stderr.write(`retrain-run: ${next} after ${((now - started) / 1000).toFixed(1)} s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB\n`);
      [stage, stageStart] = [next, now];
    },
  });
  try {
    await cloud.start();
    const job = await cloud.services.retrain.start({ minSamples: 1, mode });
    await cloud.services.runner.idle();
    const final = await cloud.services.jobStore.read(job.id);
    const end = performance.now();
    stageSec[stage] = (stageSec[stage] ?? 0) + (end - stageStart) / 1000;
    delete stageSec.start;
    process.stdout.write(JSON.stringify({
      mode, state: final?.state, outcome: final?.result?.outcome ?? null, error: final?.error ?? null,
      totalSec: round((end - started) / 1000), stageSec: Object.fromEntries(Object.entries(stageSec).map(([k, v]) => [k, round(v)])),
      peakRssMb: round(process.resourceUsage().maxRSS / 1024),
    }) + '\n');
  } finally {
    await cloud.stop();
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

main().catch((err: unknown) => {
  process.stderr.write(`retrain-run failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
