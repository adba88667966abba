import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const STATION_CLI = fileURLToPath(new URL('../../dist/station/src/cli.js', import.meta.url));

/** The real `ecosight-station` CLI (built by `tsc -b`) in a child process. */
export class StationProcess {
  readonly logs: string[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;

  constructor(readonly dataDir: string, private readonly config: Record<string, unknown>, private readonly env: Record<string, string> = {}) {}

  get configPath(): string {
    return join(this.dataDir, 'station.yaml');
  }

  start(args: string[] = []): void {
    writeFileSync(this.configPath, YAML.stringify({ dataDir: this.dataDir, ...this.config }));
    const child = spawn(process.execPath, [STATION_CLI, 'run', '--config', this.configPath, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ECOSIGHT_TF_BACKEND: 'wasm', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const collect = (b: Buffer): void => void this.logs.push(...b.toString().split('\n').filter(Boolean));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** Resolves with the exit code (null when killed by a signal). */
  wait(): Promise<number | null> {
    if (!this.exited) throw new Error('not started');
    return this.exited;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child?.kill(signal);
  }

  /** Parsed JSON log lines (the station logs pino JSON when not on a TTY). */
  entries(): Array<Record<string, unknown>> {
    return this.logs.flatMap((l) => {
      try {
        return [JSON.parse(l.replace(/^<\d>/, '')) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  async waitForLog(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.logs.find((l) => pattern.test(l));
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no log line matching ${pattern} within ${timeoutMs} ms; got:\n${this.logs.slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
