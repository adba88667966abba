import { readFileSync } from 'node:fs';
import { connect, type IClientOptions, type IStore, type MqttClient } from 'mqtt';
import type { StationConfig } from '#shared/config/station-config.js';
import { describeError } from '#shared/errors.js';
import type { StationLocationFields } from '#shared/mqtt/location.js';
import { encodePayload, type StatusPayload } from '#shared/mqtt/payloads.js';
import { stationTopics, type StationTopics } from '#shared/mqtt/topics.js';
import type { Logger } from '#shared/util/logger.js';
import { inBackground } from '#shared/util/background.js';

export interface MqttLinkOptions {
  config: StationConfig['mqtt'];
  stationId: string;
  softwareVersion: string;
  modelVersion: () => string;
  /** Extra status fields (position, clock state), read at each publish. */
  statusFields?: () => StationLocationFields;
  /**
   * Durable outgoing store: with it the session is persistent (clean: false) and
   * QoS 2 publishes survive a restart mid-handshake (exactly-once alerts).
   */
  outgoingStore?: IStore;
}

/**
 * The station's broker connection: retained `online` status on connect, an
 * `offline` last will, automatic reconnection. Publishing QoS 1 resolves on
 * PUBACK; messages in flight when the link drops are re-sent by mqtt.js after
 * reconnecting, so callers never send them twice themselves.
 */
export class MqttLink {
  readonly topics: StationTopics;
  private client: MqttClient | undefined;
  private readonly connectListeners = new Set<() => void>();
  private readonly messageHandlers = new Map<string, (payload: Buffer) => void>();

  constructor(private readonly options: MqttLinkOptions, private readonly logger: Logger) {
    this.topics = stationTopics(options.config.prefix, options.stationId);
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  start(): void {
    const { config, stationId } = this.options;
    const client = connect(config.url, this.clientOptions());
    this.client = client;
    client.on('connect', () => {
      this.logger.info({ url: redactUrl(config.url) }, 'MQTT connected');
      inBackground(this.publishStatus('online'), this.logger, 'publishing status');
      for (const topic of this.messageHandlers.keys()) client.subscribe(topic, { qos: 1 });
      for (const l of this.connectListeners) l();
    });
    client.on('close', () => this.logger.debug('MQTT connection closed'));
    client.on('offline', () => this.logger.warn({ stationId }, 'MQTT broker unreachable; messages wait in the outbox'));
    client.on('error', (err) => this.logger.warn({ err: describeError(err) }, 'MQTT error'));
    client.on('message', (topic, payload) => this.messageHandlers.get(topic)?.(payload));
  }

  /** Called after every (re)connection. */
  onConnect(listener: () => void): void {
    this.connectListeners.add(listener);
  }

  /** Subscribes (now and after every reconnection) to an exact topic. */
  subscribe(topic: string, handler: (payload: Buffer) => void): void {
    this.messageHandlers.set(topic, handler);
    if (this.client?.connected) this.client.subscribe(topic, { qos: 1 });
  }

  /** Publishes; resolves when the broker acknowledged it (PUBACK for QoS 1, PUBCOMP for QoS 2). */
  async publish(topic: string, payload: Buffer | string, options: { qos?: 0 | 1 | 2; retain?: boolean } = {}): Promise<void> {
    const client = this.client;
    if (!client) throw new Error('MQTT link not started');
    await client.publishAsync(topic, payload, { qos: options.qos ?? 1, retain: options.retain ?? false });
  }

  async publishStatus(state: StatusPayload['state']): Promise<void> {
    const payload: StatusPayload & StationLocationFields = {
      v: 1, stationId: this.options.stationId, state, time: new Date().toISOString(),
      softwareVersion: this.options.softwareVersion, modelVersion: this.options.modelVersion(),
      ...(state === 'online' ? this.options.statusFields?.() : undefined),
    };
    try {
      await this.publish(this.topics.status, encodePayload(payload), { qos: 1, retain: true });
    } catch (err) {
      this.logger.debug({ err: describeError(err) }, 'status publish failed');
    }
  }

  /** Publishes `offline` (a clean goodbye; the will covers crashes) and disconnects. */
  async stop(timeoutMs: number): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    const goodbye = client.connected ? this.publishOn(client, 'offline') : Promise.resolve();
    await withTimeout(goodbye, timeoutMs);
    await withTimeout(client.endAsync(false), timeoutMs).catch(() => client.end(true));
    client.end(true);
  }

  private async publishOn(client: MqttClient, state: StatusPayload['state']): Promise<void> {
    const payload: StatusPayload & StationLocationFields = {
      v: 1, stationId: this.options.stationId, state, time: new Date().toISOString(),
      softwareVersion: this.options.softwareVersion, modelVersion: this.options.modelVersion(),
      ...(state === 'online' ? this.options.statusFields?.() : undefined),
    };
    await client.publishAsync(this.topics.status, encodePayload(payload), { qos: 1, retain: true }).catch(() => undefined);
  }

  private clientOptions(): IClientOptions {
    const { config, stationId } = this.options;
    const will: StatusPayload = { v: 1, stationId, state: 'offline', time: new Date().toISOString(), softwareVersion: this.options.softwareVersion };
    return {
      clientId: `ecosight-${stationId}`,
      protocolVersion: config.protocolVersion,
      username: config.username,
      password: config.password,
      ca: config.caFile ? readFileSync(config.caFile) : undefined,
      cert: config.certFile ? readFileSync(config.certFile) : undefined,
      key: config.keyFile ? readFileSync(config.keyFile) : undefined,
      rejectUnauthorized: config.rejectUnauthorized,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      keepalive: 30,
      // A persistent session lets the broker recognise a QoS 2 publish resent after a restart.
      clean: this.options.outgoingStore === undefined,
      outgoingStore: this.options.outgoingStore,
      properties: config.protocolVersion === 5 && this.options.outgoingStore ? { sessionExpiryInterval: 7 * 24 * 3600 } : undefined,
      queueQoSZero: false,
      will: { topic: this.topics.status, payload: encodePayload(will), qos: 1, retain: true },
    };
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
