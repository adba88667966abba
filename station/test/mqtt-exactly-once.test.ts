import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StationConfigSchema } from '#shared/config/station-config.js';
import { validateConfig } from '#shared/config/validate.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { waitFor } from '#testkit/ports.js';
import { MqttLink } from '../src/actions/mqtt-link.js';
import { openDatabase } from '../src/store/database.js';
import { SqliteOutgoingStore } from '../src/store/mqtt-outgoing-store.js';
import { Outbox } from '../src/store/outbox.js';
import { quietLogger, tempDir } from './helpers.js';
import { Subscriber } from './mqtt-subscriber.js';

const broker = new TestMosquitto();
beforeAll(() => broker.start());
afterAll(() => broker.stop());

function link(dbPath: string) {
  const db = openDatabase(dbPath);
  const outbox = new Outbox(db);
  const store = new SqliteOutgoingStore(db, (id, now) => outbox.markDone(id, now));
  const mqtt = validateConfig(StationConfigSchema, { mqtt: { url: broker.url } }, 'test').mqtt;
  const l = new MqttLink({ config: mqtt, stationId: 'st-x1', softwareVersion: 't', modelVersion: () => 'm', outgoingStore: store }, quietLogger());
  return { db, outbox, store, link: l };
}

describe('exactly-once alerts across a crash in the middle of a QoS 2 handshake', () => {
  it('resends the stored publish with its packet id after restart, and the subscriber gets it once', async () => {
    const dbPath = join(tempDir(), 'station.db');
    const sub = new Subscriber(broker.url, ['ecosight/st-x1/alert']);
    await sub.start();
    // First life: an alert is queued, handed to MQTT, and the process "dies" right after
    // the PUBLISH left: before the broker's PUBREC could be processed.
    const first = link(dbPath);
    first.outbox.enqueue('alert', 'alert:al-1', { alertId: 'al-1' }, Date.now());
    const item = first.outbox.due<{ alertId: string }>('alert', Date.now(), 1)[0];
    first.link.start();
    await waitFor(() => first.link.connected || undefined, 5000, 'connect');
    const bytes = Buffer.from(JSON.stringify({ v: 1, alertId: 'al-1', label: 'gunshot' }));
    const client = (first.link as unknown as { client: { stream: { pause(): void; destroy(): void }; end(force: boolean): void } }).client;
    // Stop reading the socket: the PUBLISH goes out, the broker's answer is never processed.
    client.stream.pause();
    first.store.expect(bytes, item.id);
    void first.link.publish(first.link.topics.alert, bytes, { qos: 2 }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    client.stream.destroy();
    client.end(true);
    expect(first.outbox.get('alert:al-1')?.state).toBe('handed');
    // The alert's publish is stored (the retained `online` status may be too, if its PUBACK was not read yet).
    expect(first.store.count()).toBeGreaterThanOrEqual(1);
    first.db.close();
    // Second life: same database, same client id. The stored packet goes out again with its id.
    const second = link(dbPath);
    second.link.start();
    await waitFor(() => (second.store.count() === 0 ? true : undefined), 10_000, 'handshake completed after restart');
    expect(second.outbox.get('alert:al-1')?.state).toBe('done');
    await new Promise((r) => setTimeout(r, 500));
    expect(sub.on('/alert').filter((a) => a.alertId === 'al-1')).toHaveLength(1);
    await second.link.stop(1000);
    second.db.close();
    await sub.stop();
  });
});
