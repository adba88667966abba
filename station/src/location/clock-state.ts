import { execFile } from 'node:child_process';
import type { ClockState } from '#shared/mqtt/location.js';

/** The system clock as the NTP/GPS daemon reports it (the audio part of ClockState is added per segment). */
export type SystemClockState = Pick<ClockState, 'synchronized' | 'source' | 'estimatedErrorMs' | 'systemDriftPpm'>;

/** Runs a program and gives its stdout, or undefined when it is missing or fails (optional features degrade softly). */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<string | undefined>;

export const runCommand: CommandRunner = (file, args) => new Promise((resolve) => {
  execFile(file, [...args], { timeout: 2000, env: { ...process.env, LC_ALL: 'C' } }, (err, stdout) => resolve(err ? undefined : stdout));
});

export const UNKNOWN_CLOCK: SystemClockState = { synchronized: null, source: 'unknown', estimatedErrorMs: null, systemDriftPpm: null };

/**
 * `chronyc -c tracking` (CSV): reference id, name, stratum, ref time, system
 * time offset (s), last offset, RMS offset, frequency (ppm), residual freq,
 * skew, root delay (s), root dispersion (s), update interval, leap status.
 * chrony's own bound on the clock's error is root dispersion + root delay / 2;
 * the current offset from true time (still being slewed out) adds to it.
 */
export function parseChronyTracking(csv: string): SystemClockState | undefined {
  const f = csv.trim().split('\n')[0]?.split(',') ?? [];
  if (f.length < 14) return undefined;
  const num = (i: number) => Number(f[i]);
  const [offsetS, freqPpm, rootDelayS, rootDispersionS] = [num(4), num(7), num(10), num(11)];
  if (![offsetS, freqPpm, rootDelayS, rootDispersionS].every(Number.isFinite)) return undefined;
  const leap = f[13].trim();
  const synchronized = leap !== 'Not synchronised' && num(2) > 0 && num(2) < 16;
  const refName = `${f[0]} ${f[1]}`.toUpperCase();
  // A PPS or GPS refclock shows up by name (or hex of "PPS"/"GPS" as the reference id).
  const gps = /\bPPS|\bGPS|50505300|47505300|^50505330/.test(refName);
  return {
    synchronized,
    source: gps ? 'gps-pps' : 'ntp',
    estimatedErrorMs: synchronized ? round((Math.abs(offsetS) + rootDispersionS + rootDelayS / 2) * 1000) : null,
    systemDriftPpm: round(freqPpm),
  };
}

/** `timedatectl show`: says whether the clock is synchronised, not how well. */
export function parseTimedatectl(text: string): SystemClockState | undefined {
  const m = /^NTPSynchronized=(yes|no)$/m.exec(text);
  if (!m) return undefined;
  return { synchronized: m[1] === 'yes', source: m[1] === 'yes' ? 'ntp' : 'none', estimatedErrorMs: null, systemDriftPpm: null };
}

/** Asks chrony first (it knows its error bound), then systemd's timedated. */
export async function readSystemClock(run: CommandRunner = runCommand): Promise<SystemClockState> {
  const chrony = await run('chronyc', ['-c', 'tracking']);
  const fromChrony = chrony ? parseChronyTracking(chrony) : undefined;
  if (fromChrony) return fromChrony;
  const timedatectl = await run('timedatectl', ['show']);
  return (timedatectl ? parseTimedatectl(timedatectl) : undefined) ?? UNKNOWN_CLOCK;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
