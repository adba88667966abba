import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { waitFor } from '#testkit/ports.js';
import { saveTestModel } from '#testkit/test-model.js';
import { makeTestCertificates } from '#testkit/tls.js';
import { connect, type MqttClient } from 'mqtt';
import { readFileSync } from 'node:fs';
import { scene } from './audio-scenes.js';
import { tempDir, writeWav } from './helpers.js';
import { StationProcess } from './station-process.js';

const certs = makeTestCertificates();
const broker = new TestMosquitto({ tls: certs, users: { station: 'st-pass-1', ranger: 'r-pass-2' } });
let modelDir: string;
beforeAll(async () => {
  await broker.start();
  modelDir = await saveTestModel();
});
afterAll(() => broker.stop());

/** A ranger's client over TLS with its own account, recording everything under ecosight/ and homeassistant/. */
async function ranger(): Promise<{ client: MqttClient; messages: Array<{ topic: string; payload: string; retain: boolean }> }> {
  const messages: Array<{ topic: string; payload: string; retain: boolean }> = [];
  const client = connect(broker.url, { username: 'ranger', password: 'r-pass-2', ca: readFileSync(certs.caFile), protocolVersion: 5, reconnectPeriod: 200 });
  client.on('message', (topic, payload, packet) => messages.push({ topic, payload: payload.toString(), retain: packet.retain }));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => client.subscribe(['ecosight/#', 'homeassistant/#'], { qos: 1 }, () => resolve()));
    client.once('error', reject);
  });
  return { client, messages };
}

function station(dataDir: string, wav: string, mqtt: Record<string, unknown>): StationProcess {
  return new StationProcess(dataDir, {
    stationId: 'st-tls', source: { type: 'file', path: wav, realtime: true }, model: { dir: modelDir, backend: 'wasm' },
    mqtt: { url: broker.url, caFile: certs.caFile, telemetryIntervalSec: 1, ...mqtt },
  });
}

describe('MQTT over TLS with accounts, MQTT 5, telemetry and Home Assistant discovery', () => {
  it('publishes alerts, telemetry and discovery over mqtts with username/password (MQTT 5)', async () => {
    const { client, messages } = await ranger();
    const dataDir = tempDir();
    const wav = writeWav(join(dataDir, 'shots.wav'), scene(4, [{ kind: 'shots', atSec: 1, durationSec: 1 }]));
    const st = station(dataDir, wav, { username: 'station', password: 'st-pass-1', protocolVersion: 5, homeAssistant: { enabled: true } });
    st.start(['--exit-when-idle', '--idle-timeout', '20']);
    expect(await st.wait()).toBe(0);
    await waitFor(() => messages.some((m) => m.topic === 'ecosight/st-tls/alert') || undefined, 5000, 'alert over TLS');
    const telemetry = messages.filter((m) => m.topic === 'ecosight/st-tls/telemetry').map((m) => JSON.parse(m.payload) as Record<string, unknown>);
    expect(telemetry.length).toBeGreaterThanOrEqual(1);
    for (const key of ['uptimeSec', 'queueDepth', 'pendingUploads', 'pendingAlerts', 'diskFreeBytes', 'clipBytes', 'cpuTempC', 'modelVersion', 'lastAudioTime', 'droppedWindows', 'gapCount']) {
      expect(telemetry[0]).toHaveProperty(key);
    }
    expect(telemetry[0].modelVersion).toBe('0.0.1-test');
    const discovery = messages.filter((m) => m.topic.startsWith('homeassistant/sensor/ecosight_st-tls/'));
    expect(discovery.map((m) => m.topic.split('/')[3]).sort()).toEqual(['disk_free', 'last_alert', 'last_detection', 'queue_depth']);
    for (const d of discovery) {
      const config = JSON.parse(d.payload) as { device: { identifiers: string[] }; state_topic: string; availability: { topic: string } };
      expect(config.device.identifiers).toEqual(['ecosight_st-tls']);
      expect(config.availability.topic).toBe('ecosight/st-tls/status');
      expect(config.state_topic).toMatch(/^ecosight\/st-tls\//);
    }
    await client.endAsync();
  }, 60_000);

  it('with a wrong password keeps running, keeps its alerts, and reports that the outbox could not drain', async () => {
    const dataDir = tempDir();
    const wav = writeWav(join(dataDir, 'shots.wav'), scene(3, [{ kind: 'shots', atSec: 0.5, durationSec: 1 }]));
    const st = station(dataDir, wav, { username: 'station', password: 'wrong' });
    st.start(['--exit-when-idle', '--idle-timeout', '3']);
    expect(await st.wait()).toBe(3);
    expect(st.logs.some((l) => /Not authorized|Bad username or password|connack/i.test(l))).toBe(true);
    expect(st.logs.join('\n')).not.toContain('wrong');
  }, 60_000);
});
