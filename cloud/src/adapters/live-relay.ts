import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '#shared/util/logger.js';
import { LIVE_EVENT_NAMES, type LiveEventName, type LiveHub } from './live-hub.js';
import type { MqttBridge } from './mqtt-bridge.js';

/** What one instance tells the others: an event of its live hub, and who it is. */
interface RelayedEvent {
  v: 1;
  origin: string;
  event: LiveEventName;
  data: unknown;
}

/** Largest relayed message accepted, bytes (live events are a detection, a job status...). */
const MAX_RELAYED_BYTES = 256 * 1024;

/**
 * Live updates across API instances: what this instance's hub publishes goes
 * to the broker's `<prefix>/_cloud/live` (QoS 0: a live update is worth
 * something now or never), and what the other instances publish there reaches
 * this instance's dashboards. Its own messages come back from the broker and
 * are recognised by their origin. Only the cloud may write the topic (the
 * broker ACL of `ecosight-cloud mqtt-acl`); messages are still checked.
 */
export class LiveRelay {
  readonly instanceId = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  /** Messages from other instances handed to this instance's listeners, and messages refused. */
  readonly counts = { delivered: 0, refused: 0 };

  constructor(private readonly hub: LiveHub, private readonly bridge: Pick<MqttBridge, 'listen' | 'publishVolatile'>, private readonly topic: string, private readonly logger: Logger) {}

  /** Before the bridge starts: its first connect subscribes. */
  start(): void {
    this.bridge.listen(this.topic, (payload) => this.onMessage(payload));
    this.hub.setRelay((e) => {
      const message: RelayedEvent = { v: 1, origin: this.instanceId, event: e.event, data: e.data };
      this.bridge.publishVolatile(this.topic, Buffer.from(JSON.stringify(message)));
    });
  }

  stop(): void {
    this.hub.setRelay(undefined);
  }

  private onMessage(payload: Buffer): void {
    const message = payload.byteLength <= MAX_RELAYED_BYTES ? parse(payload) : undefined;
    if (!message) {
      this.counts.refused++;
      this.logger.warn({ topic: this.topic, bytes: payload.byteLength }, 'refused a malformed live update from the broker');
      return;
    }
    if (message.origin === this.instanceId) return;
    this.counts.delivered++;
    this.hub.deliver({ event: message.event, data: message.data, remote: true });
  }
}

function parse(payload: Buffer): RelayedEvent | undefined {
  try {
    const m = JSON.parse(payload.toString('utf8')) as Partial<RelayedEvent>;
    const ok = m.v === 1 && typeof m.origin === 'string' && m.origin.length <= 200
      && typeof m.event === 'string' && (LIVE_EVENT_NAMES as readonly string[]).includes(m.event) && 'data' in m;
    return ok ? (m as RelayedEvent) : undefined;
  } catch {
    return undefined;
  }
}
