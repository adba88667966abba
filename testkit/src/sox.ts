import { execFileSync } from 'node:child_process';

/** Runs sox with the given arguments (tests use it to write real WAV files). Throws on failure. */
export function sox(args: string[]): void {
  execFileSync('sox', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** True when the sox binary is installed (CI installs it from apt). */
export function hasSox(): boolean {
  try {
    execFileSync('sox', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
