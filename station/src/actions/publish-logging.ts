import { encodePayload, type LoggingAlertDraft, type LoggingAlertPayload } from '#shared/mqtt/payloads.js';
import type { SqliteOutgoingStore } from '../store/mqtt-outgoing-store.js';
import type { OutboxItem } from '../store/outbox.js';
import type { Clock } from '#shared/util/clock.js';
import type { MqttLink } from './mqtt-link.js';
import type { ActionResult, OutboxAction } from './outbox-worker.js';
import { DELAYED_AFTER_MS } from './publish-messages.js';

/**
 * Publishes logging alerts (`<prefix>/<stationId>/logging`, QoS 1, from the
 * outbox) with their original timestamps; `delayed` tells subscribers the
 * broker was unreachable when the message was raised. alertId + type let
 * subscribers drop QoS 1 redeliveries.
 */
export class PublishLoggingAlerts implements OutboxAction<LoggingAlertDraft> {
  constructor(private readonly link: MqttLink, private readonly store: SqliteOutgoingStore, private readonly clock: Clock) {}

  ready(): boolean {
    return this.link.connected;
  }

  async perform(item: OutboxItem<LoggingAlertDraft>): Promise<ActionResult> {
    const now = this.clock.now();
    const delayed = now - Date.parse(item.payload.raisedAt) > DELAYED_AFTER_MS || item.attempts > 0;
    const payload: LoggingAlertPayload = { ...item.payload, delayed, sentAt: new Date(now).toISOString() };
    const bytes = encodePayload(payload);
    this.store.expect(bytes, item.id);
    await this.link.publish(this.link.topics.logging, bytes, { qos: 1 });
    return { outcome: 'done' };
  }
}
