import type { StationConfig } from '#shared/config/station-config.js';
import type { Logger } from '#shared/util/logger.js';
import type { Clock } from '../core/clock.js';

/** What an external program did. `error` is set when it could not run at all (e.g. ENOENT). */
export interface CommandResult {
  /** Exit code; null when killed (timeout) or never started. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** `ENOENT` when the program is not installed, else the spawn error's message. */
  error?: string;
  timedOut?: boolean;
}

/** Runs `command` with `args` (no shell), bounded by `timeoutMs`. Never rejects. */
export type CommandRunner = (command: string, args: readonly string[], options: { timeoutMs: number }) => Promise<CommandResult>;

export interface DoctorDeps {
  /** Runs arecord, timedatectl, chronyc. Tests inject one to play hardware that is not there. */
  run: CommandRunner;
  /** Wall clock in ms (its plausibility is one of the checks). */
  clock: Pick<Clock, 'now'>;
  logger: Logger;
  /** The model shipped with the app: used when model.dir is empty and no OTA model is installed. */
  shippedModelDir: string;
  /** Bound on each check, so a dead network never hangs the doctor. Default 8000 ms. */
  checkTimeoutMs?: number;
  /** Free space in the data dir below this fails. Default 100 MB. */
  minFreeMb?: number;
  /** Free space below this warns. Default 1024 MB. */
  warnFreeMb?: number;
}

export type DoctorStatus = 'pass' | 'warn' | 'fail';

export type DoctorCheckName = 'config' | 'microphone' | 'disk' | 'clock' | 'clips' | 'broker' | 'bucket' | 'cloud' | 'model';

/** One line of the report. A skipped check (not configured) passes with `skipped: true`. */
export interface DoctorCheck {
  name: DoctorCheckName;
  status: DoctorStatus;
  detail: string;
  skipped?: boolean;
  durationMs: number;
}

export interface DoctorReport {
  stationId: string;
  /** ISO 8601, from the injected clock. */
  startedAt: string;
  checks: DoctorCheck[];
  /** True when no check failed (warnings allowed). */
  ok: boolean;
}

/** What a single check function returns; the runner adds the name and timing. */
export type CheckOutcome = Pick<DoctorCheck, 'status' | 'detail' | 'skipped'>;

export interface CheckContext {
  config: StationConfig;
  deps: DoctorDeps;
  timeoutMs: number;
}

export const pass = (detail: string): CheckOutcome => ({ status: 'pass', detail });
export const warn = (detail: string): CheckOutcome => ({ status: 'warn', detail });
export const fail = (detail: string): CheckOutcome => ({ status: 'fail', detail });
export const skip = (detail: string): CheckOutcome => ({ status: 'pass', detail, skipped: true });
