import mqtt, { type MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { allStationsTopic, parseStationTopic, type StationTopicKind } from '#shared/mqtt/topics.js';
import type { Logger } from '#shared/util/logger.js';

export interface MqttSettings {
  url: string;
  prefix: string;
  /** Listen to station topics (the API); workers and CLI commands only publish. */
  subscribe: boolean;
  /**
   * Client id of the subscribing API: fixed, with a persistent session (clean:
   * false) and QoS 1, so what stations publish while the API restarts waits at
   * the broker. Publish-only processes use a throwaway id (sharing the fixed one
   * would disconnect the API). `{instance}` in it is replaced by the host name and a random suffix:
   * every instance of a replicated API then subscribes under its own id with a
   * clean session and gets every station message (ingest is idempotent).
   */
  clientId: string;
}

export type StationMessageHandler = (kind: StationTopicKind, stationId: string, payload: Buffer) => Promise<void>;

const KINDS: readonly StationTopicKind[] = ['event', 'alert', 'telemetry', 'status', 'logging'];

/**
 * The service's MQTT connection: listens to every station's event, alert,
 * logging, telemetry and status topics and publishes the retained model announcement.
 * The broker being down never blocks startup or requests; mqtt.js reconnects,
 * and a retained publish made while offline is sent on the next connect.
 */
export class MqttBridge {
  private readonly settings: MqttSettings;
  private readonly logger: Logger;
  private readonly handler: StationMessageHandler;
  private client: MqttClient | undefined;
  private readonly pendingRetained = new Map<string, Buffer>();
  private wasConnected = false;

  constructor(settings: MqttSettings, logger: Logger, handler: StationMessageHandler) {
    this.settings = settings;
    this.logger = logger;
    this.handler = handler;
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** The broker URL without credentials (logs, /status). */
  get safeUrl(): string {
    try {
      const u = new URL(this.settings.url);
      u.username = '';
      u.password = '';
      return u.toString();
    } catch {
      return '(unparseable MQTT_URL)';
    }
  }

  start(): void {
    if (this.client) return;
    const client = mqtt.connect(this.settings.url, {
      clientId: this.settings.subscribe ? this.settings.clientId.replace('{instance}', `${hostname()}-${randomBytes(3).toString('hex')}`) : `ecosight-cloud-${hostname()}-${process.pid}`,
      reconnectPeriod: 2_000,
      connectTimeout: 10_000,
      // Per-host ids change with every deploy: persistent sessions would pile up at the broker.
      clean: !this.settings.subscribe || this.settings.clientId.includes('{instance}'),
    });
    this.client = client;
    client.on('connect', () => {
      this.logger.info({ broker: this.safeUrl }, 'MQTT connected');
      this.wasConnected = true;
      for (const [topic, payload] of this.pendingRetained) this.sendRetained(topic, payload);
      if (!this.settings.subscribe) return;
      const topics = KINDS.map((k) => allStationsTopic(this.settings.prefix, k));
      client.subscribe(topics, { qos: 1 }, (err) => {
        if (err) this.logger.error({ err: err.message }, 'MQTT subscribe failed');
      });
    });
    client.on('close', () => {
      if (this.wasConnected) this.logger.warn({ broker: this.safeUrl }, 'MQTT connection lost; reconnecting');
      this.wasConnected = false;
    });
    client.on('error', (err) => this.logger.debug({ err: err.message }, 'MQTT error'));
    client.on('message', (topic, payload) => {
      const parsed = parseStationTopic(this.settings.prefix, topic);
      if (!parsed) return;
      this.handler(parsed.kind, parsed.stationId, payload).catch((err: Error) => {
        this.logger.error({ err: err.message, topic }, 'MQTT message handling failed');
      });
    });
  }

  /** Publishes a retained message now, or on the next connect if offline (latest per topic wins). */
  publishRetained(topic: string, payload: Buffer): void {
    this.pendingRetained.set(topic, payload);
    if (this.connected) this.sendRetained(topic, payload);
  }

  /**
   * Publishes a non-retained QoS 1 message. While offline mqtt.js queues it
   * in memory and sends it on reconnect (an incident is also in storage and
   * /api/incidents, so a restart that loses the queue loses no incident).
   */
  publish(topic: string, payload: Buffer): void {
    this.client?.publish(topic, payload, { qos: 1 }, (err) => {
      if (err) this.logger.warn({ err: err.message, topic }, 'MQTT publish failed');
    });
  }

  /** Waits (bounded) until retained messages made while offline are out; for short-lived processes. */
  async flush(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.pendingRetained.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return this.pendingRetained.size === 0;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync(false).catch(() => undefined);
  }

  private sendRetained(topic: string, payload: Buffer): void {
    this.client?.publish(topic, payload, { qos: 1, retain: true }, (err) => {
      if (err) {
        this.logger.warn({ err: err.message, topic }, 'MQTT retained publish failed; will retry on reconnect');
        return;
      }
      if (this.pendingRetained.get(topic) === payload) this.pendingRetained.delete(topic);
    });
  }
}
