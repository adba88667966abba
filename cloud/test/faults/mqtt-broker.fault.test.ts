import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import type { AlertPayload, LoggingAlertPayload, StatusPayload } from '#shared/mqtt/payloads.js';
import { cloudLiveTopic, modelAnnounceTopic, stationTopics } from '#shared/mqtt/topics.js';
import { recordScenario } from '#testkit/fault-report.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { freePort, waitFor } from '#testkit/ports.js';
import { main } from '../../src/cli.js';
import { ADMIN_KEY, startTestCloud, type TestCloud } from '../support/test-cloud.js';
import { Findings } from './support/findings.js';

const PREFIX = 'ecosight';
const admin = { 'x-api-key': ADMIN_KEY };

/** Tries to connect; resolves to the client, or to the refusal. */
async function login(url: string, username: string | undefined, password: string | undefined, clientId: string) {
  try {
    return await mqtt.connectAsync(url, { username, password, clientId, reconnectPeriod: 0, connectTimeout: 3_000 });
  } catch (err) {
    return (err as Error).message || 'refused';
  }
}

function alert(stationId: string, eventId: string, shotCount: number): AlertPayload {
  const t = new Date(Date.now() - 30_000).toISOString();
  return { v: 1, alertId: `al-${eventId}`, stationId, eventId, label: 'gunshot', confidence: 0.9, startTime: t, shotCount, raisedAt: t, delayed: false, clipKey: '' } as AlertPayload;
}

/**
 * Issue 13 item 9: the broker (with the files `ecosight-cloud mqtt-acl` writes)
 * confines each station to its own topics, the cloud believes registered stations
 * only, and its persistent session keeps what stations publish while it restarts.
 */
describe('MQTT: who may speak for a station', () => {
  let cloud: TestCloud | undefined;
  let broker: TestMosquitto | undefined;
  afterAll(async () => {
    await cloud?.stop();
    await broker?.stop();
  });

  it('a Mosquitto with the generated ACL, registered stations only, and a persistent cloud session', async () => {
    const f = new Findings();
    const port = await freePort();
    const cloudUrl = `mqtt://ecosight-cloud:cloud-secret-pw@127.0.0.1:${port}`;
    cloud = await startTestCloud({ MQTT_URL: cloudUrl, MQTT_PREFIX: PREFIX });
    const dataDir = cloud.config.dataDir;
    const tokens: Record<string, string> = {};
    for (const id of ['st-a', 'st-b', 'st-c']) {
      tokens[id] = (await cloud.app.inject({ method: 'POST', url: '/api/stations', headers: admin, payload: { id } })).json().token;
    }
    await cloud.app.inject({ method: 'DELETE', url: '/api/stations/st-c/token', headers: admin });

    // The generator, as an operator runs it.
    const out = await mkdtemp(join(tmpdir(), 'ecosight-acl-'));
    const saved = { ...process.env };
    Object.assign(process.env, { DATA_DIR: dataDir, MQTT_URL: cloudUrl, MQTT_PREFIX: PREFIX, API_KEY: ADMIN_KEY, LOG_LEVEL: 'silent' });
    let code: number;
    try {
      code = await main(['mqtt-acl', '--out', out]);
    } finally {
      process.env = saved;
    }
    expect(code).toBe(0);
    broker = new TestMosquitto({ persistence: true, authFiles: { passwords: readFileSync(join(out, 'passwd'), 'utf8'), acl: readFileSync(join(out, 'acl'), 'utf8') } });
    broker.port = port;
    await broker.start();
    await waitFor(() => cloud?.services.ingestLink?.subscribed || undefined, 15_000, 'cloud connected to the locked broker');

    // Who may connect at all.
    for (const [what, user, password] of [
      ['anonymous', undefined, undefined], ['wrong password', 'st-a', 'est_wrong'], ["B's token as A", 'st-a', tokens['st-b']],
      ['revoked station', 'st-c', tokens['st-c']], ['unregistered station', 'st-x', 'anything'],
    ] as const) {
      f.attacks++;
      const c = await login(broker.url, user, password, `probe-${what.replace(/\W/g, '')}`);
      f.check(`${what} cannot connect`, typeof c === 'string', 'connected');
      if (typeof c !== 'string') await c.endAsync();
    }
    const a = await login(broker.url, 'st-a', tokens['st-a'], 'station-st-a');
    const b = await login(broker.url, 'st-b', tokens['st-b'], 'station-st-b');
    if (typeof a === 'string' || typeof b === 'string') throw new Error(`honest stations cannot connect: ${String(a)} ${String(b)}`);

    // A forges B's alert and status, and a model announcement.
    const forged = alert('st-b', 'st-b.ev-forged', 40);
    await a.publishAsync(stationTopics(PREFIX, 'st-b').alert, JSON.stringify(forged), { qos: 1 });
    const offline: StatusPayload = { v: 1, stationId: 'st-b', state: 'offline', time: new Date().toISOString() } as StatusPayload;
    await a.publishAsync(stationTopics(PREFIX, 'st-b').status, JSON.stringify(offline), { qos: 1, retain: true });
    await a.publishAsync(modelAnnounceTopic(PREFIX), JSON.stringify({ v: 1, version: '../../clips', manifestUrl: 'http://evil/' }), { qos: 1, retain: true });
    f.attacks += 3;
    // ... and a live update as if from another cloud instance (the dashboards would show it).
    const liveSeen: string[] = [];
    cloud.services.live.subscribe((e) => liveSeen.push(JSON.stringify(e)));
    await a.publishAsync(cloudLiveTopic(PREFIX), JSON.stringify({ v: 1, origin: 'forger', event: 'incident', data: { forgedBy: 'st-a' } }), { qos: 1 });
    f.attacks++;
    // A's own logging alert is allowed (its fifth topic).
    const logging: LoggingAlertPayload = {
      v: 1, type: 'start', alertId: 'st-a.log-1', stationId: 'st-a', label: 'chainsaw', startTime: new Date().toISOString(), lastHeardTime: new Date().toISOString(),
      durationSec: 20, presentSec: 20, peakConfidence: 0.9, meanConfidence: 0.8, onsetClipKey: null, onsetEventId: null, modelVersion: 'test', caveat: null,
      raisedAt: new Date().toISOString(), delayed: false, sentAt: new Date().toISOString(),
    };
    await a.publishAsync(stationTopics(PREFIX, 'st-a').logging, JSON.stringify(logging), { qos: 1 });
    // A honest message from A, as the marker that everything before it was processed.
    await a.publishAsync(stationTopics(PREFIX, 'st-a').alert, JSON.stringify(alert('st-a', 'st-a.ev-honest', 1)), { qos: 1 });
    await waitFor(() => cloud?.services.repos.detections.get('st-a', 'st-a.ev-honest'), 10_000, "A's honest alert");
    f.check("A's forged alert for B not ingested", (await cloud.services.repos.detections.get('st-b', 'st-b.ev-forged')) === undefined);
    f.check("A's forged offline status for B not ingested", (await cloud.services.repos.stations.get('st-b'))?.state !== 'offline');
    f.check("A's forged live update never reaches the dashboards", !liveSeen.some((e) => e.includes('forgedBy')));
    const loggingIngested = await waitFor(() => cloud?.services.repos.logging.get('st-a.log-1'), 10_000, "A's logging alert").catch(() => undefined);
    f.check("A's own logging alert is ingested", loggingIngested !== undefined);
    const announced = await new Promise<string>((resolve) => {
      b.on('message', (_t, p) => resolve(p.toString()));
      b.subscribe(modelAnnounceTopic(PREFIX), { qos: 1 });
    });
    f.check('the retained announcement is still the cloud\'s', !announced.includes('../../clips'), announced.slice(0, 120));

    // Anyone else on an open path: unknown station ids are counted and dropped, never stored.
    const before = (await cloud.services.repos.stations.list()).length;
    for (let i = 0; i < 200; i++) {
      const id = `st-spam-${i}`;
      await cloud.services.ingestor.onStationMessage('status', id, Buffer.from(JSON.stringify({ v: 1, stationId: id, state: 'online', time: new Date().toISOString() })));
    }
    f.attacks += 200;
    const after = (await cloud.services.repos.stations.list()).length;
    f.check('no rows for unregistered stations', after === before, `${after - before} new rows`);
    await cloud.services.ingestor.onStationMessage('alert', 'st-c', Buffer.from(JSON.stringify(alert('st-c', 'st-c.ev-1', 1))));
    f.check('a revoked station is not believed', (await cloud.services.repos.detections.get('st-c', 'st-c.ev-1')) === undefined);

    // What A publishes while the cloud restarts is delivered when it is back (persistent session).
    await cloud.stop();
    cloud = undefined;
    await a.publishAsync(stationTopics(PREFIX, 'st-a').alert, JSON.stringify(alert('st-a', 'st-a.ev-while-down', 2)), { qos: 1 });
    cloud = await startTestCloud({ MQTT_URL: cloudUrl, MQTT_PREFIX: PREFIX, DATA_DIR: dataDir });
    f.attacks++;
    const got = await waitFor(() => cloud?.services.repos.detections.get('st-a', 'st-a.ev-while-down'), 15_000, 'alert sent while the cloud was down').catch(() => undefined);
    f.check('alert published during the restart is ingested', got !== undefined);
    await a.endAsync();
    await b.endAsync();
    recordScenario({
      scenario: 'MQTT: forged stations and restarts', iterations: 1, faultsInjected: f.attacks, itemsChecked: f.checks, itemsLost: f.problems.length,
      tried: 'anonymous/wrong/revoked logins, A publishing as B and as the cloud, 200 unknown ids, cloud restart mid-stream',
    });
    expect(f.problems).toEqual([]);
  });
});
