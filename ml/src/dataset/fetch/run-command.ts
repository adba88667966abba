import { spawn } from 'node:child_process';

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** A command exited non-zero or could not start; the message carries its stderr tail. */
export class CommandError extends Error {
  readonly exitCode: number | null;

  constructor(command: string, exitCode: number | null, detail: string) {
    super(`${command} ${exitCode === null ? 'could not run' : `exited with code ${exitCode}`}${detail ? `: ${detail}` : ''}`);
    this.exitCode = exitCode;
  }
}

/**
 * Runs a command without a shell, optionally feeding `input` on stdin; resolves
 * with its output, rejects with CommandError (last stderr lines) on failure.
 */
export function runCommand(file: string, args: readonly string[], options: { cwd?: string; input?: Uint8Array } = {}): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, stdio: [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    const shown = describeCommand(file, args);
    child.on('error', (e) => reject(new CommandError(shown, null, e.message)));
    if (options.input && child.stdin) {
      // sox may stop reading early (e.g. on a decode error); that is reported through its exit code.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) resolvePromise({ stdout, stderr });
      else reject(new CommandError(shown, code, tail(stderr)));
    });
  });
}

/** `apt-get download foo`, shortened: sox argument lists are long and sox repeats the path itself. */
function describeCommand(file: string, args: readonly string[]): string {
  const full = [file, ...args].join(' ');
  return full.length <= 120 ? full : `${full.slice(0, 117)}...`;
}

function tail(text: string): string {
  return text.trim().split('\n').filter((l) => l.trim() !== '').slice(-3).join(' | ');
}
