import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { ManualClock } from '#testkit/manual-clock.js';
import { waitFor } from '#testkit/ports.js';
import { writeWav } from '../helpers.js';

/** A service a scenario takes down and brings back (a broker, a bucket) on the steps in `down`. */
export interface Outage {
  down: ReadonlySet<number>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Switches each service that goes down or comes back at `step`; returns how many switches (faults) it made. */
export async function applyOutages(step: number, outages: readonly Outage[]): Promise<number> {
  let switched = 0;
  for (const o of outages) {
    if (o.down.has(step) === o.down.has(step - 1)) continue;
    switched++;
    if (o.down.has(step)) await o.stop();
    else await o.start();
  }
  return switched;
}

/**
 * The recorder drops a recording into the station's folder; returns once the
 * station has processed it. The simulated clock is first moved up to the real
 * time if it lags: the folder source compares file modification times with it.
 */
export async function dropRecording(dropDir: string, name: string, samples: Float32Array, clock: ManualClock, db: Database.Database): Promise<void> {
  writeWav(join(dropDir, name), samples);
  clock.advance(Math.max(0, Date.now() + 1000 - clock.now()));
  await waitFor(() => (db.prepare(`SELECT 1 FROM processed_files WHERE path LIKE ?`).get(`%${name}`) ? true : undefined), 30_000, `processing ${name}`);
}
