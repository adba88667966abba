import { describeError } from '#shared/errors.js';
import { encodePayload } from '#shared/mqtt/payloads.js';
import type { Logger } from '#shared/util/logger.js';
import type { MqttLink } from '../actions/mqtt-link.js';
import type { Service } from '../core/service.js';
import type { SystemdNotifier } from './systemd.js';
import { collectTelemetry, statusLine, type TelemetrySources } from './telemetry.js';
import { inBackground } from '#shared/util/background.js';

/**
 * Every interval: publish a telemetry snapshot (QoS 0, only while connected:
 * a stale snapshot is worth nothing later) and refresh systemd's STATUS= line.
 */
export class TelemetryService implements Service {
  readonly name = 'telemetry';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sources: TelemetrySources,
    private readonly link: MqttLink | undefined,
    private readonly systemd: SystemdNotifier,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => inBackground(this.tick(), this.logger, 'telemetry'), this.intervalMs);
    this.timer.unref();
    this.link?.onConnect(() => inBackground(this.tick(), this.logger, 'telemetry'));
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    try {
      const t = await collectTelemetry(this.sources);
      await this.systemd.status(statusLine(t));
      if (this.link?.connected) await this.link.publish(this.link.topics.telemetry, encodePayload(t), { qos: 0 });
    } catch (err) {
      this.logger.debug({ err: describeError(err) }, 'telemetry tick failed');
    }
  }
}
