import mqtt, { type MqttClient } from 'mqtt';
import { allStationsTopic, parseStationTopic, type StationTopicKind } from '#shared/mqtt/topics.js';
import type { Logger } from '#shared/util/logger.js';

export type StationMessageHandler = (kind: StationTopicKind, stationId: string, payload: Buffer) => Promise<void>;

const KINDS: readonly StationTopicKind[] = ['event', 'alert', 'telemetry', 'status', 'logging'];

export interface StationIngestSettings {
  url: string;
  prefix: string;
  /**
   * Fixed client id with a persistent session (clean: false) and QoS 1, so
   * what stations publish while no instance ingests (a restart, a failover)
   * waits at the broker for the next one. Only one process may hold it at a
   * time: the ingest leader (ingest-leadership.ts).
   */
  clientId: string;
}

/**
 * The cloud's subscription to every station's event, alert, logging,
 * telemetry and status topics, on a connection of its own so that it can be
 * started and stopped as this instance gains or loses the ingest leadership
 * while the publishing connection (mqtt-bridge.ts) stays up.
 */
export class StationIngestLink {
  private client: MqttClient | undefined;
  private subscribedNow = false;

  constructor(private readonly settings: StationIngestSettings, private readonly logger: Logger, private readonly handler: StationMessageHandler) {}

  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** Connected and subscribed: what stations publish from now on is ingested (and, with the persistent session, what they publish while it is down). */
  get subscribed(): boolean {
    return this.subscribedNow && this.connected;
  }

  get running(): boolean {
    return this.client !== undefined;
  }

  start(): void {
    if (this.client) return;
    const client = mqtt.connect(this.settings.url, { clientId: this.settings.clientId, reconnectPeriod: 2_000, connectTimeout: 10_000, clean: false });
    this.client = client;
    client.on('connect', () => {
      this.logger.info({ clientId: this.settings.clientId }, 'ingesting station topics');
      client.subscribe(KINDS.map((k) => allStationsTopic(this.settings.prefix, k)), { qos: 1 }, (err) => {
        if (err) this.logger.error({ err: err.message }, 'MQTT subscribe failed');
        else this.subscribedNow = true;
      });
    });
    client.on('error', (err) => this.logger.debug({ err: err.message }, 'MQTT ingest error'));
    client.on('message', (topic, payload) => {
      const parsed = parseStationTopic(this.settings.prefix, topic);
      if (!parsed) return;
      this.handler(parsed.kind, parsed.stationId, payload).catch((err: Error) => {
        this.logger.error({ err: err.message, topic }, 'MQTT message handling failed');
      });
    });
  }

  /** Disconnects and keeps the session at the broker (its queue fills until the next start, here or elsewhere). */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.subscribedNow = false;
    if (client) await client.endAsync(false).catch(() => undefined);
  }
}
