/**
 * `npm run bench:fleet [-- options]` (issue 16): a simulated fleet of
 * lightweight stations (telemetry, MQTT events, presign + clip + sidecar
 * uploads at real rates, then a storm that sets many off) against the cloud
 * service on 127.0.0.1 (one instance, or several behind a round-robin proxy on
 * one PostgreSQL database), a private Mosquitto and folder storage. Prints
 * sustained requests per second, latency per request kind, what the index
 * grows by per station-day, and the fleet's MQTT and bucket requests per
 * station-day; the last line is JSON. Stops by itself.
 */
import { parseArgs } from 'node:util';
import { TestPostgres } from '#testkit/postgres.js';
import { printFleetReport } from './fleet/fleet-report.js';
import type { FleetPlan } from './fleet/fleet-schedule.js';
import { runFleet } from './fleet/run-fleet.js';

const HELP = `Usage: npm run bench:fleet -- [options]
  --stations N            simulated stations (default 1000)
  --minutes M             length of the run at real rates (default 2)
  --instances K           API instances behind a round-robin proxy (default 1); K > 1 share one PostgreSQL
                          index: DATABASE_URL, else a private server started for the run
  --detections-per-hour R detections per station per hour on a typical day (default 3)
  --telemetry-sec S       telemetry period (default 60, the station's default)
  --storm-fraction F      share of stations a storm sets off (default 0.2; 0: no storm)
  --storm-per-station N   detections each of them raises (default 10)
  --storm-at-sec T        when the storm starts (default: half-way)
  --storm-spread-sec S    over how long (default 30)
  --postgres              the index on PostgreSQL even with one instance (DATABASE_URL, else a private server)
  --mqtt-connections N    MQTT connections the fleet shares (default 16)
  --max-in-flight N       actions running at once (default 256)
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stations: { type: 'string', default: '1000' }, minutes: { type: 'string', default: '2' }, instances: { type: 'string', default: '1' },
      'detections-per-hour': { type: 'string', default: '3' }, 'telemetry-sec': { type: 'string', default: '60' },
      'storm-fraction': { type: 'string', default: '0.2' }, 'storm-per-station': { type: 'string', default: '10' },
      'storm-at-sec': { type: 'string' }, 'storm-spread-sec': { type: 'string', default: '30' },
      'mqtt-connections': { type: 'string', default: '16' }, 'max-in-flight': { type: 'string', default: '256' }, postgres: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const durationSec = Number(values.minutes) * 60;
  const stormFraction = Number(values['storm-fraction']);
  const plan: FleetPlan = {
    stations: Number(values.stations), durationSec, telemetrySec: Number(values['telemetry-sec']), detectionsPerHour: Number(values['detections-per-hour']),
    storm: stormFraction > 0
      ? { atSec: Number(values['storm-at-sec'] ?? durationSec / 2), fraction: stormFraction, perStation: Number(values['storm-per-station']), spreadSec: Number(values['storm-spread-sec']) }
      : null,
    seed: 16,
  };
  const instances = Number(values.instances);
  // Several instances share one index: DATABASE_URL, or a private PostgreSQL server for the run.
  const server = (instances > 1 || values.postgres) && !process.env.DATABASE_URL ? new TestPostgres() : undefined;
  try {
    await server?.start();
    const databaseUrl = process.env.DATABASE_URL ?? (await server?.createDatabase());
    const report = await runFleet(plan, instances, Number(values['mqtt-connections']), Number(values['max-in-flight']), databaseUrl);
    printFleetReport(report);
    process.stdout.write(JSON.stringify(report) + '\n');
  } finally {
    await server?.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
