import { describeError } from '#shared/errors.js';
import type { Logger } from '#shared/util/logger.js';
import type { MqttLink } from '../actions/mqtt-link.js';
import type { OutboxWorker } from '../actions/outbox-worker.js';
import type { PipelineRunner } from '../pipeline/runner.js';
import type { Db } from '../core/db.js';
import type { Service } from '../core/service.js';
import type { Outbox } from '../store/outbox.js';
import type { Clock } from '../core/clock.js';
import type { Heartbeat } from './health.js';
import type { SystemdNotifier } from './systemd.js';
import { inBackground } from '#shared/util/background.js';

export interface LifecycleParts {
  db: Db;
  outbox: Outbox;
  runner: PipelineRunner;
  heartbeat: Heartbeat;
  systemd: SystemdNotifier;
  link: MqttLink | undefined;
  workers: OutboxWorker<unknown>[];
  services: Service[];
  status: () => Promise<string>;
  clock: Clock;
  logger: Logger;
}

export interface LifecycleOptions {
  /** Finish when the source is exhausted and the outbox has drained. */
  exitWhenIdle: boolean;
  idleTimeoutMs: number;
  heartbeatStaleMs: number;
  stopTimeoutMs: number;
}

/** Exit codes of `ecosight-station run`. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_OUTBOX_NOT_DRAINED = 3;

/**
 * Starts the parts in dependency order and stops them in reverse: the source
 * first, then the network, the database last. READY=1 is sent once audio
 * flows; watchdog pings go out only while the pipeline's heartbeat is fresh.
 */
export class StationLifecycle {
  private readonly sourceStop = new AbortController();
  private readonly servicesStop = new AbortController();
  private stopping = false;
  private watchdogTimer: NodeJS.Timeout | undefined;

  constructor(private readonly parts: LifecycleParts, private readonly options: LifecycleOptions) {}

  /** What the pipeline has processed so far (tests, benchmarks). */
  get counters(): PipelineRunner['counters'] {
    return this.parts.runner.counters;
  }

  /** Version of the model classifying right now. */
  get modelVersion(): string {
    return this.parts.runner.modelVersion;
  }

  async run(): Promise<number> {
    const p = this.parts;
    p.link?.start();
    for (const w of p.workers) w.start();
    for (const s of p.services) await s.start(this.servicesStop.signal);
    this.startWatchdog();
    inBackground(p.heartbeat.firstAudio().then(async () => {
      await p.systemd.ready(await p.status().catch(() => 'running'));
      p.logger.info('audio is flowing; station ready');
    }), p.logger, 'readiness notification');
    let code = EXIT_OK;
    try {
      await p.runner.run(this.sourceStop.signal);
      if (this.options.exitWhenIdle && !this.stopping) code = await this.drain();
    } catch (err) {
      p.logger.fatal({ err: describeError(err) }, 'pipeline stopped with an error');
      code = EXIT_FAILURE;
    }
    await this.shutdown();
    return code;
  }

  /** SIGTERM/SIGINT: stop taking audio, finish what is in hand, then shut down. */
  async requestStop(reason: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.parts.logger.info({ reason }, 'stopping');
    await this.parts.systemd.stopping(`stopping: ${reason}`);
    this.sourceStop.abort();
  }

  private async drain(): Promise<number> {
    const p = this.parts;
    const deadline = p.clock.now() + this.options.idleTimeoutMs;
    p.logger.info({ idleTimeoutSec: this.options.idleTimeoutMs / 1000 }, 'source exhausted; draining the outbox');
    for (const w of p.workers) w.wake();
    while (p.clock.now() < deadline) {
      const counts = p.outbox.counts();
      const pending = counts.pending.alert + counts.pending.event + counts.pending.upload + counts.pending.confirm + counts.pending.logging;
      if (pending === 0 && p.workers.every((w) => w.busy === 0)) return EXIT_OK;
      await new Promise((r) => setTimeout(r, 100));
    }
    p.logger.error({ outbox: p.outbox.counts() }, 'outbox did not drain before the idle timeout; it is kept for the next run');
    return EXIT_OUTBOX_NOT_DRAINED;
  }

  private async shutdown(): Promise<void> {
    const p = this.parts;
    clearInterval(this.watchdogTimer);
    this.servicesStop.abort();
    const grace = this.options.stopTimeoutMs;
    for (const s of [...p.services].reverse()) await Promise.resolve(s.stop()).catch((err: unknown) => p.logger.warn({ service: s.name, err: describeError(err) }, 'service stop failed'));
    await Promise.all(p.workers.map((w) => w.stop(grace / 2)));
    await p.link?.stop(Math.min(2000, grace / 4));
    p.db.close();
  }

  private startWatchdog(): void {
    const p = this.parts;
    const interval = p.systemd.watchdogIntervalMs();
    if (!interval) return;
    this.watchdogTimer = setInterval(() => {
      if (p.heartbeat.isFresh(p.clock.now(), this.options.heartbeatStaleMs)) inBackground(p.systemd.watchdog(), p.logger, 'watchdog ping');
      else p.logger.error('pipeline heartbeat is stale; withholding watchdog ping so systemd restarts the station');
    }, Math.max(100, interval / 2));
    this.watchdogTimer.unref();
  }
}
