import { spawn } from 'node:child_process';
import type { StationConfig } from '#shared/config/station-config.js';
import { describeError } from '#shared/errors.js';
import { shippedModelDir } from '#shared/model/model-package.js';
import type { Logger } from '#shared/util/logger.js';
import { systemClock } from '../core/clock.js';
import { checkClock, checkConfig, checkDisk, checkMicrophone } from './doctor-local.js';
import { checkClipEncoder } from './doctor-clips.js';
import { checkModel } from './doctor-model.js';
import { checkBroker, checkBucket, checkCloud } from './doctor-remote.js';
import type { CheckContext, CheckOutcome, CommandResult, CommandRunner, DoctorCheck, DoctorCheckName, DoctorDeps, DoctorReport } from './doctor-types.js';

export type { CommandResult, CommandRunner, DoctorCheck, DoctorCheckName, DoctorDeps, DoctorReport, DoctorStatus } from './doctor-types.js';
export { resolveModelDir } from './doctor-model.js';

const CHECKS: ReadonlyArray<[DoctorCheckName, (ctx: CheckContext) => Promise<CheckOutcome>]> = [
  ['config', checkConfig],
  ['microphone', checkMicrophone],
  ['disk', checkDisk],
  ['clock', checkClock],
  ['clips', checkClipEncoder],
  ['broker', checkBroker],
  ['bucket', checkBucket],
  ['cloud', checkCloud],
  ['model', checkModel],
];

/**
 * Checks what a field station needs before it is left alone: config, microphone,
 * disk, clock, clip encoder, broker, bucket, cloud and model. Checks run concurrently, each
 * bounded by `checkTimeoutMs`; one that throws or times out fails on its own
 * without hiding the others. `only` runs a subset (the status page skips the
 * microphone and model checks, which a running daemon is using). Never throws.
 */
export async function runDoctor(config: StationConfig, deps: DoctorDeps, only?: readonly DoctorCheckName[]): Promise<DoctorReport> {
  const timeoutMs = deps.checkTimeoutMs ?? 8000;
  const ctx: CheckContext = { config, deps, timeoutMs };
  const startedAt = new Date(deps.clock.now()).toISOString();
  const selected = only ? CHECKS.filter(([name]) => only.includes(name)) : CHECKS;
  const checks = await Promise.all(selected.map(async ([name, check]): Promise<DoctorCheck> => {
    const started = performance.now();
    // The model check may load TensorFlow and compile kernels: allow it more time than a network round trip.
    const bound = name === 'model' ? timeoutMs * 4 : timeoutMs;
    const outcome = await withTimeout(check(ctx), bound).catch((err: unknown): CheckOutcome => ({ status: 'fail', detail: describeError(err) }));
    return { name, ...outcome, durationMs: Math.round(performance.now() - started) };
  }));
  return { stationId: config.stationId, startedAt, checks, ok: checks.every((c) => c.status !== 'fail') };
}

/** A plain-text pass/fail list for a terminal or a support ticket. */
export function formatDoctorReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = [`EcoSight station doctor: ${report.stationId} (${report.startedAt})`, ''];
  for (const c of report.checks) {
    const mark = c.skipped ? 'SKIP' : c.status.toUpperCase();
    lines.push(`  ${mark.padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}`);
  }
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const warned = report.checks.filter((c) => c.status === 'warn').length;
  const counts = `${failed} failed, ${warned} warning${warned === 1 ? '' : 's'}`;
  lines.push('', report.ok ? `OK (${counts})` : `NOT READY (${counts}): fix the FAIL lines, then run the doctor again`);
  return `${lines.join('\n')}\n`;
}

/** Production dependencies: real programs, the system clock, the shipped model. */
export function defaultDoctorDeps(logger: Logger): DoctorDeps {
  return { run: systemCommandRunner, clock: systemClock, logger, shippedModelDir: shippedModelDir() };
}

/** Runs a program without a shell; a missing program or a timeout is reported, not thrown. */
export const systemCommandRunner: CommandRunner = (command, args, { timeoutMs }) => new Promise<CommandResult>((resolve) => {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let timedOut = false;
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  child.once('error', (e: NodeJS.ErrnoException) => {
    clearTimeout(timer);
    resolve({ code: null, stdout: '', stderr: '', error: e.code === 'ENOENT' ? 'ENOENT' : e.message });
  });
  child.once('close', (code) => {
    clearTimeout(timer);
    resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ...(timedOut ? { timedOut } : {}) });
  });
});

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
