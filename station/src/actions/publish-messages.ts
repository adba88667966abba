import { encodePayload, type AlertPayload } from '#shared/mqtt/payloads.js';
import type { AlertStore } from '../store/alert-store.js';
import type { SqliteOutgoingStore } from '../store/mqtt-outgoing-store.js';
import type { OutboxItem } from '../store/outbox.js';
import type { Clock } from '../core/clock.js';
import type { QueuedAlert, QueuedEvent } from './message-payloads.js';
import type { MqttLink } from './mqtt-link.js';
import type { ActionResult, OutboxAction } from './outbox-worker.js';

/** A message sent this long after it was raised is marked `delayed`. */
export const DELAYED_AFTER_MS = 2000;

/**
 * Publishes alerts (QoS 1, from the outbox) with their original timestamps;
 * `delayed` tells subscribers the broker was unreachable when it was raised.
 * The stable alertId lets subscribers drop QoS 1 redeliveries.
 */
export class PublishAlerts implements OutboxAction<QueuedAlert> {
  constructor(
    private readonly link: MqttLink,
    private readonly alerts: AlertStore,
    private readonly store: SqliteOutgoingStore,
    private readonly clock: Clock,
  ) {}

  ready(): boolean {
    return this.link.connected;
  }

  async perform(item: OutboxItem<QueuedAlert>): Promise<ActionResult> {
    const now = this.clock.now();
    const raisedAt = Date.parse(item.payload.raisedAt);
    const delayed = now - raisedAt > DELAYED_AFTER_MS || item.attempts > 0;
    // The shot count may have grown while the alert waited for the broker.
    const shotCount = this.alerts.get(item.payload.alertId)?.shotCount ?? item.payload.shotCount;
    const payload: AlertPayload = { ...item.payload, shotCount, delayed, sentAt: new Date(now).toISOString() };
    const bytes = encodePayload(payload);
    // QoS 2 through the durable store: once stored, the MQTT layer owns delivery (exactly once).
    this.store.expect(bytes, item.id);
    await this.link.publish(this.link.topics.alert, bytes, { qos: 2 });
    this.alerts.markPublished(item.payload.alertId, this.clock.now(), delayed);
    return { outcome: 'done' };
  }
}

/** Publishes event lifecycle messages (`start` / `update` / `end`). */
export class PublishEvents implements OutboxAction<QueuedEvent> {
  constructor(private readonly link: MqttLink, private readonly store: SqliteOutgoingStore, private readonly clock: Clock) {}

  ready(): boolean {
    return this.link.connected;
  }

  async perform(item: OutboxItem<QueuedEvent>): Promise<ActionResult> {
    const delayed = this.clock.now() - item.createdAtMs > DELAYED_AFTER_MS;
    const bytes = encodePayload({ ...item.payload, delayed });
    this.store.expect(bytes, item.id);
    await this.link.publish(this.link.topics.event, bytes, { qos: 1 });
    return { outcome: 'done' };
  }
}
