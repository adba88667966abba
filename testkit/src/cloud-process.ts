import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitFor } from './ports.js';

/** One `ecosight-cloud serve` process on 127.0.0.1, as it runs in production. */
export interface CloudProcess {
  baseUrl: string;
  port: number;
  child: ChildProcess;
  /** The last few KB of what it wrote to stderr (for error messages). */
  stderrTail(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface CloudProcessOptions {
  /** The built cloud CLI (dist/cloud/src/cli.js): the caller knows where it is relative to itself. */
  cliPath: string;
  /** A port to listen on (e.g. the one a killed instance had); default a free one. */
  port?: number;
  timeoutMs?: number;
}

/**
 * Starts the cloud service in its own process with `env` on top of the
 * caller's environment (PORT and HOST are set here) and waits until /status
 * answers.
 */
export async function startCloudProcess(env: Record<string, string>, options: CloudProcessOptions): Promise<CloudProcess> {
  const port = options.port ?? (await freePort());
  const timeoutMs = options.timeoutMs ?? 60_000;
  const cli = options.cliPath;
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: { ...process.env, ECOSIGHT_TF_BACKEND: process.env.ECOSIGHT_TF_BACKEND ?? 'wasm', LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await new Promise((r) => child.once('exit', r));
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`the cloud exited (${child.exitCode}): ${stderr}`);
      return (await fetch(`${baseUrl}/status`).catch(() => undefined))?.ok || undefined;
    }, timeoutMs, 'the cloud service to listen');
  } catch (err) {
    await stop('SIGKILL');
    throw err;
  }
  return { baseUrl, port, child, stderrTail: () => stderr, stop };
}
