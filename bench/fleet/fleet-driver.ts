import type { FleetAction } from './fleet-schedule.js';
import type { FleetStation, FleetWire } from './fleet-station.js';

export interface DriveFigures {
  wallSec: number;
  actions: number;
  /** How far behind its schedule the driver fell at worst (the service or the driver could not keep up), ms. */
  maxLagMs: number;
}

/**
 * Plays the schedule in real time: each action starts when it is due unless
 * `maxInFlight` actions are already running, in which case it waits (and the
 * lag is measured). Returns when every action has finished.
 */
export async function driveFleet(actions: readonly FleetAction[], stations: readonly FleetStation[], wire: FleetWire, maxInFlight: number): Promise<DriveFigures> {
  const started = performance.now();
  let next = 0;
  let inFlight = 0;
  let maxLagMs = 0;
  let wake: (() => void) | undefined;
  const done = () => {
    inFlight--;
    wake?.();
  };
  while (next < actions.length || inFlight > 0) {
    const now = performance.now() - started;
    while (next < actions.length && actions[next].atMs <= now && inFlight < maxInFlight) {
      const a = actions[next++];
      maxLagMs = Math.max(maxLagMs, now - a.atMs);
      inFlight++;
      const station = stations[a.station];
      const work = a.kind === 'telemetry' ? wire.telemetry(station, started) : wire.detection(station);
      work.catch(() => undefined).finally(done);
    }
    const dueIn = next < actions.length ? actions[next].atMs - (performance.now() - started) : Infinity;
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, Math.max(1, Math.min(dueIn, 50)));
    });
    wake = undefined;
  }
  return { wallSec: (performance.now() - started) / 1000, actions: actions.length, maxLagMs: Math.round(maxLagMs) };
}
