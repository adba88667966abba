import { connect, type MqttClient } from 'mqtt';

/** A real MQTT subscriber (a ranger's phone, a dashboard) recording what arrives. */
export class Subscriber {
  readonly messages: Array<{ topic: string; payload: Record<string, unknown>; retain: boolean; at: number }> = [];
  private client: MqttClient | undefined;

  /**
   * `persistentSession`: clean session off, as an alert subscriber should run:
   * the broker keeps its subscription and queues QoS 1 messages while it is
   * disconnected (a broker restart, the subscriber's own link loss).
   */
  constructor(private readonly url: string, private readonly topics: string[], private readonly options: { persistentSession?: boolean } = {}) {}

  async start(): Promise<void> {
    const client = connect(this.url, {
      reconnectPeriod: 100, connectTimeout: 5000, clientId: `sub-${Math.random().toString(16).slice(2)}`, clean: !this.options.persistentSession,
    });
    this.client = client;
    client.on('message', (topic, payload, packet) => {
      try {
        this.messages.push({ topic, payload: JSON.parse(payload.toString()) as Record<string, unknown>, retain: packet.retain, at: Date.now() });
      } catch {
        // not JSON: ignore
      }
    });
    client.on('connect', () => client.subscribe(this.topics, { qos: 1 }));
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => setTimeout(resolve, 100));
      client.once('error', reject);
    });
  }

  on(topicSuffix: string): Array<Record<string, unknown>> {
    return this.messages.filter((m) => m.topic.endsWith(topicSuffix)).map((m) => m.payload);
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true);
  }
}
