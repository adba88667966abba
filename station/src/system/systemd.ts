import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Logger } from '#shared/util/logger.js';

type NotifyFn = (opts: { ready?: boolean; status?: string; pid?: number }) => Promise<unknown>;

/**
 * systemd notification (sd_notify) for Type=notify units. READY and STATUS go
 * through the `systemd-notify` npm package; WATCHDOG=1 and STOPPING=1, which
 * that package cannot express, go to the same `systemd-notify` binary as raw
 * assignments. Outside systemd (no NOTIFY_SOCKET) every call is a no-op; if
 * the binary is missing we log once and carry on.
 */
export class SystemdNotifier {
  private readonly enabled: boolean;
  private warned = false;
  private readonly notify: NotifyFn | undefined;

  constructor(private readonly env: NodeJS.ProcessEnv, private readonly logger: Logger) {
    this.enabled = Boolean(env.NOTIFY_SOCKET);
    if (this.enabled) {
      try {
        this.notify = createRequire(import.meta.url)('systemd-notify') as NotifyFn;
      } catch {
        this.notify = undefined;
      }
    }
  }

  get active(): boolean {
    return this.enabled;
  }

  /** Watchdog interval requested by the unit (WatchdogSec), or undefined when none. */
  watchdogIntervalMs(): number | undefined {
    const usec = Number(this.env.WATCHDOG_USEC);
    if (!this.enabled || !Number.isFinite(usec) || usec <= 0) return undefined;
    if (this.env.WATCHDOG_PID && Number(this.env.WATCHDOG_PID) !== process.pid) return undefined;
    return usec / 1000;
  }

  async ready(status: string): Promise<void> {
    if (!this.enabled) return;
    await this.viaPackage({ ready: true, status });
  }

  async status(status: string): Promise<void> {
    if (!this.enabled) return;
    await this.viaPackage({ status });
  }

  async watchdog(): Promise<void> {
    if (!this.enabled) return;
    await this.raw(['WATCHDOG=1']);
  }

  async stopping(status: string): Promise<void> {
    if (!this.enabled) return;
    await this.raw(['STOPPING=1', `STATUS=${status}`]);
  }

  private async viaPackage(opts: { ready?: boolean; status?: string }): Promise<void> {
    // The package spawns the binary with this process's environment; use it only when that is ours.
    if (!this.notify || process.env.NOTIFY_SOCKET !== this.env.NOTIFY_SOCKET) return this.raw([...(opts.ready ? ['READY=1'] : []), ...(opts.status ? [`STATUS=${opts.status}`] : [])]);
    try {
      await this.notify(opts);
    } catch (err) {
      this.warnOnce(err);
    }
  }

  private raw(assignments: string[]): Promise<void> {
    return new Promise((resolve) => {
      const child = spawn('systemd-notify', [`--pid=${process.pid}`, ...assignments], { stdio: 'ignore', env: this.env });
      child.on('error', (err) => {
        this.warnOnce(err);
        resolve();
      });
      child.on('close', () => resolve());
    });
  }

  private warnOnce(err: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.logger.warn({ err: String(err) }, 'systemd notification failed; continuing without it');
  }
}
