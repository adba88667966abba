import { createRandom } from '#shared/util/random.js';

/** What a simulated fleet does, at real rates (nothing is time-compressed). */
export interface FleetPlan {
  stations: number;
  /** Length of the run, s. */
  durationSec: number;
  /** Telemetry period of every station, s (the station's default is 60). */
  telemetrySec: number;
  /** Detections per station per hour on a typical day (each: MQTT start/end events, presign, clip + sidecar PUTs). */
  detectionsPerHour: number;
  /** The storm: at `atSec`, `fraction` of the stations each raise `perStation` detections spread over `spreadSec`. */
  storm: { atSec: number; fraction: number; perStation: number; spreadSec: number } | null;
  seed: number;
}

export type FleetActionKind = 'telemetry' | 'detection';

export interface FleetAction {
  atMs: number;
  station: number;
  kind: FleetActionKind;
  /** True for the storm's detections. */
  storm: boolean;
}

/**
 * Every action of the run in time order: telemetry on a fixed period with a
 * random phase per station, detections as a Poisson process per station,
 * plus the storm's burst. Deterministic for a seed.
 */
export function fleetSchedule(plan: FleetPlan): FleetAction[] {
  const rand = createRandom(plan.seed);
  const actions: FleetAction[] = [];
  const endMs = plan.durationSec * 1000;
  const perMs = plan.detectionsPerHour / 3_600_000;
  for (let s = 0; s < plan.stations; s++) {
    for (let t = rand.uniform(0, plan.telemetrySec * 1000); t < endMs; t += plan.telemetrySec * 1000) actions.push({ atMs: t, station: s, kind: 'telemetry', storm: false });
    if (perMs > 0) {
      for (let t = -Math.log(1 - rand.next()) / perMs; t < endMs; t += -Math.log(1 - rand.next()) / perMs) {
        actions.push({ atMs: t, station: s, kind: 'detection', storm: false });
      }
    }
  }
  const storm = plan.storm;
  if (storm) {
    const hit = Math.round(plan.stations * storm.fraction);
    for (let s = 0; s < hit; s++) {
      for (let k = 0; k < storm.perStation; k++) {
        const t = (storm.atSec + rand.uniform(0, storm.spreadSec)) * 1000;
        if (t < endMs) actions.push({ atMs: t, station: s, kind: 'detection', storm: true });
      }
    }
  }
  return actions.sort((a, b) => a.atMs - b.atMs);
}
