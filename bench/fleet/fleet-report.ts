import type { DriveFigures } from './fleet-driver.js';
import type { FleetPlan } from './fleet-schedule.js';
import type { KindFigures } from './latency-recorder.js';

export interface PhaseReport {
  /** typical: the plan's everyday rates; storm: the burst on top of them, over its spread. */
  name: 'typical' | 'storm';
  drive: DriveFigures;
  kinds: Record<string, KindFigures>;
  errorKinds: Record<string, number>;
  httpRequestsPerSec: number;
  mqttMessagesPerSec: number;
  detections: number;
  uploaded: number;
  /** Of a sample of the uploaded detections, how many the API lists with their clip, after how long. */
  indexed: { checked: number; found: number; waitedSec: number };
  /** Extrapolated per station-day from this phase's rates. */
  perStationDay: { mqttMessages: number; objectPuts: number; objectMb: number; indexKb: number };
}

export interface FleetReport {
  plan: FleetPlan;
  instances: number;
  database: 'sqlite' | 'postgresql';
  registerSec: number;
  phases: PhaseReport[];
  /** Requests each instance answered through the proxy (empty with one instance). */
  forwarded: number[];
}

export function printFleetReport(r: FleetReport): void {
  const w = (s: string) => process.stdout.write(s + '\n');
  const storm = r.plan.storm ? `; storm: ${Math.round(r.plan.storm.fraction * 100)} % of stations x ${r.plan.storm.perStation} detections in ${r.plan.storm.spreadSec} s` : '';
  w(`fleet: ${r.plan.stations} stations, ${r.plan.durationSec} s at real rates (${r.plan.detectionsPerHour} detections/h each, telemetry every ${r.plan.telemetrySec} s)${storm}`);
  w(`       ${r.instances} API instance(s) on ${r.database}, folder storage, Mosquitto; registration took ${r.registerSec} s`);
  for (const p of r.phases) printPhase(p, w);
  if (r.instances > 1) w(`requests per instance: ${r.forwarded.join(' / ')}`);
}

function printPhase(p: PhaseReport, w: (s: string) => void): void {
  w(`-- ${p.name}: ${p.drive.wallSec.toFixed(0)} s, ${p.httpRequestsPerSec} HTTP requests/s, ${p.mqttMessagesPerSec} MQTT messages/s, worst schedule lag ${p.drive.maxLagMs} ms`);
  w('   kind                  count  errors  429s   p50 ms   p99 ms   max ms');
  for (const [kind, f] of Object.entries(p.kinds)) {
    w(`   ${kind.padEnd(20)} ${String(f.count).padStart(6)} ${String(f.errors).padStart(7)} ${String(f.limited).padStart(5)} ${f.p50Ms.toFixed(1).padStart(8)} ${f.p99Ms.toFixed(1).padStart(8)} ${f.maxMs.toFixed(0).padStart(8)}`);
  }
  for (const [e, n] of Object.entries(p.errorKinds)) w(`   error x${n}: ${e}`);
  w(`   ${p.uploaded}/${p.detections} detections uploaded; ${p.indexed.found}/${p.indexed.checked} sampled uploads indexed with their clip after ${p.indexed.waitedSec} s`);
  w(`   per station-day at these rates: ${p.perStationDay.mqttMessages} MQTT messages, ${p.perStationDay.objectPuts} object PUTs (${p.perStationDay.objectMb} MB), index +${p.perStationDay.indexKb} KB`);
}
