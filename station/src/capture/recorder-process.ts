import { createRequire } from 'node:module';
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

/** Which program node-record-lpcm16 runs; all emit raw signed 16-bit little-endian mono. */
export type RecorderName = 'arecord' | 'sox' | 'rec';

export interface RecorderHandlers {
  onData(bytes: Buffer): void;
  /** The process ended (exit code, or the error that stopped it). Called once. */
  onExit(reason: string): void;
}

export interface RecorderHandle {
  /** Kills the recorder (SIGTERM, then SIGKILL after a grace period). */
  kill(): void;
  readonly pid: number | undefined;
}

interface LpcmRecording {
  process: ChildProcess;
  stream(): Readable;
  stop(): void;
}

/**
 * Starts one recorder process through node-record-lpcm16 (raw 16 kHz mono
 * s16le on stdout). Supervision (stall detection, restart, gaps) lives in the
 * mic source; this only adapts the library's events to two callbacks.
 */
export function startRecorder(recorder: RecorderName, device: string, sampleRateHz: number, handlers: RecorderHandlers): RecorderHandle {
  const require = createRequire(import.meta.url);
  const lpcm = require('node-record-lpcm16') as { record(options: object): LpcmRecording };
  let ended = false;
  const finish = (reason: string): void => {
    if (ended) return;
    ended = true;
    handlers.onExit(reason);
  };
  const recording = lpcm.record({
    sampleRate: sampleRateHz,
    channels: 1,
    recorder,
    device: device || undefined,
    audioType: 'raw',
  });
  const child = recording.process;
  const stream = recording.stream();
  stream.on('data', (chunk: Buffer | string) => handlers.onData(typeof chunk === 'string' ? Buffer.from(chunk, 'binary') : chunk));
  stream.on('error', (err: unknown) => finish(typeof err === 'string' ? err.split('\n')[0] : String(err)));
  child.on('error', (err) => finish(`${recorder} could not start: ${err.message}`));
  child.on('close', (code, signal) => finish(signal ? `${recorder} killed by ${signal}` : `${recorder} exited with code ${code}`));
  return {
    pid: child.pid,
    kill: () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      timer.unref();
      child.once('close', () => clearTimeout(timer));
    },
  };
}
