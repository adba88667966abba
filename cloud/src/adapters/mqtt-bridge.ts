import mqtt, { type MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '#shared/util/logger.js';

export interface MqttSettings {
  url: string;
}

/**
 * The service's publishing MQTT connection (a throwaway client id, clean
 * session): the retained model announcement, incidents, and the live updates
 * between instances (`listen`). Station topics are ingested on a connection of
 * their own (station-ingest-link.ts), held by one instance at a time.
 * The broker being down never blocks startup or requests; mqtt.js reconnects,
 * and a retained publish made while offline is sent on the next connect.
 */
export class MqttBridge {
  private readonly settings: MqttSettings;
  private readonly logger: Logger;
  private client: MqttClient | undefined;
  private readonly pendingRetained = new Map<string, Buffer>();
  /** Extra subscriptions (made again on every connect), by topic. */
  private readonly listeners = new Map<string, (payload: Buffer) => void>();
  private wasConnected = false;

  constructor(settings: MqttSettings, logger: Logger) {
    this.settings = settings;
    this.logger = logger;
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
      clientId: `ecosight-cloud-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
      reconnectPeriod: 2_000,
      connectTimeout: 10_000,
      clean: true,
    });
    this.client = client;
    client.on('connect', () => {
      this.logger.info({ broker: this.safeUrl }, 'MQTT connected');
      this.wasConnected = true;
      for (const [topic, payload] of this.pendingRetained) this.sendRetained(topic, payload);
      if (this.listeners.size > 0) {
        client.subscribe([...this.listeners.keys()], { qos: 0 }, (err) => {
          if (err) this.logger.error({ err: err.message }, 'MQTT subscribe failed');
        });
      }
    });
    client.on('close', () => {
      if (this.wasConnected) this.logger.warn({ broker: this.safeUrl }, 'MQTT connection lost; reconnecting');
      this.wasConnected = false;
    });
    client.on('error', (err) => this.logger.debug({ err: err.message }, 'MQTT error'));
    client.on('message', (topic, payload) => this.listeners.get(topic)?.(payload));
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

  /**
   * Listens to one exact topic at QoS 0 (from the next connect on; call before
   * start()). For the cloud's own traffic between instances, not station topics.
   */
  listen(topic: string, handler: (payload: Buffer) => void): void {
    this.listeners.set(topic, handler);
  }

  /** Publishes at QoS 0, not retained, dropped while offline: live updates, which are only worth something now. */
  publishVolatile(topic: string, payload: Buffer): void {
    if (this.connected) this.client?.publish(topic, payload, { qos: 0 });
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
