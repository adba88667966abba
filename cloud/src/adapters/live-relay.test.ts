import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudLiveTopic } from '#shared/mqtt/topics.js';
import { createLogger } from '#shared/util/logger.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { waitFor } from '#testkit/ports.js';
import { LiveHub, type LiveEvent } from './live-hub.js';
import { LiveRelay } from './live-relay.js';
import { MqttBridge } from './mqtt-bridge.js';

/** Two API instances' live hubs joined through a real Mosquitto. */
describe('LiveRelay', () => {
  const broker = new TestMosquitto();
  const logger = createLogger({ name: 'relay-test', level: 'silent' });
  const topic = cloudLiveTopic('ecosight');
  const instances: Array<{ hub: LiveHub; bridge: MqttBridge; relay: LiveRelay; seen: LiveEvent[] }> = [];

  beforeAll(async () => {
    await broker.start();
    for (let i = 0; i < 2; i++) {
      const hub = new LiveHub();
      const bridge = new MqttBridge({ url: broker.url }, logger);
      const relay = new LiveRelay(hub, bridge, topic, logger);
      const seen: LiveEvent[] = [];
      hub.subscribe((e) => seen.push(e));
      relay.start();
      bridge.start();
      instances.push({ hub, bridge, relay, seen });
    }
    await waitFor(async () => instances.every((x) => x.bridge.connected) || undefined, 10_000, 'both bridges to connect');
    // Subscriptions are made on connect; give the broker a moment to hold them.
    await new Promise((r) => setTimeout(r, 300));
  });

  afterAll(async () => {
    for (const x of instances) {
      x.relay.stop();
      await x.bridge.stop();
    }
    await broker.stop();
  });

  it('delivers what one instance publishes to the listeners of the other, once each', async () => {
    const [a, b] = instances;
    a.hub.publish('detection', { eventId: 'st-1.ev-1', label: 'gunshot' });
    await waitFor(async () => b.seen.length > 0 || undefined, 5_000, 'the other instance to hear it');
    await new Promise((r) => setTimeout(r, 300));
    expect(b.seen).toEqual([{ event: 'detection', data: { eventId: 'st-1.ev-1', label: 'gunshot' }, remote: true }]);
    // Its own message comes back from the broker and is not delivered a second time.
    expect(a.seen).toHaveLength(1);
    expect(b.relay.counts.delivered).toBe(1);
    expect(a.relay.counts.delivered).toBe(0);
  });

  it('refuses malformed or unknown messages on the topic and keeps relaying', async () => {
    const [a, b] = instances;
    const before = b.seen.length;
    const intruder = await mqtt.connectAsync(broker.url, { clientId: 'relay-intruder' });
    await intruder.publishAsync(topic, Buffer.from('not json'));
    await intruder.publishAsync(topic, Buffer.from(JSON.stringify({ v: 1, origin: 'x', event: 'shutdown', data: {} })));
    await intruder.publishAsync(topic, Buffer.from(JSON.stringify({ v: 1, origin: 'x', event: 'detection', data: {}, padding: 'x'.repeat(300_000) })));
    await intruder.endAsync();
    await waitFor(async () => b.relay.counts.refused >= 3 || undefined, 5_000, 'the messages to be refused');
    a.hub.publish('job', { id: 'j-1', state: 'running' });
    await waitFor(async () => b.seen.length > before || undefined, 5_000, 'the next real update');
    expect(b.seen.slice(before)).toEqual([{ event: 'job', data: { id: 'j-1', state: 'running' }, remote: true }]);
  });
});
