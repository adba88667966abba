/**
 * Issue 5's end-to-end path with both halves real: a station process (the
 * built CLI) and the cloud service on 127.0.0.1, Mosquitto between them.
 * upload -> station detection (presigned upload + MQTT) -> review -> retrain ->
 * publish (signed) -> the station pulls, verifies and switches to the new model.
 */
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { waitFor } from '#testkit/ports.js';
import { sharedTrainer } from '../cloud/src/jobs/retrain/train-adapter.js';
import { loudWav, quietWav } from '../cloud/test/support/audio.js';
import { formBody } from '../cloud/test/support/multipart.js';
import { ADMIN_KEY, QUICK_TRAINING, startTestCloud, type TestCloud } from '../cloud/test/support/test-cloud.js';
import { writeTrainableBaseDir } from '../cloud/test/support/tiny-model.js';
import { scene } from '../station/test/audio-scenes.js';
import { tempDir, writeWav } from '../station/test/helpers.js';
import { StationProcess } from '../station/test/station-process.js';

const broker = new TestMosquitto();
let cloud: TestCloud;
let baseUrl: string;
let baseModel: string;
const admin = { 'x-api-key': ADMIN_KEY };

beforeAll(async () => {
  await broker.start();
  baseModel = await writeTrainableBaseDir('2026.01.01-1');
  cloud = await startTestCloud({ MIN_NEW_SAMPLES: '5', MQTT_URL: broker.url }, { trainer: sharedTrainer({ ...QUICK_TRAINING }), shippedModelDir: baseModel });
  baseUrl = await cloud.app.listen({ port: 0, host: '127.0.0.1' });
  cloud.config.publicUrl = baseUrl;
});
afterAll(async () => {
  await cloud.stop();
  await broker.stop();
});

async function api(method: string, url: string, body?: unknown, headers: Record<string, string> = admin): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}${url}`, {
    method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

describe('upload -> review -> retrain -> publish -> a station pulls and verifies the new model', () => {
  it('runs the whole loop with a real station process and the real cloud', async () => {
    // Training data through the public upload route: enough that the held-out split of a job
    // (seeded by its id) always has a few clips of each kind to set and check thresholds on.
    for (let i = 0; i < 10; i++) {
      for (const [cls, wav] of [['gunshot', loudWav(1.5, 30 + i)], ['background', quietWav(1.5, 60 + i)]] as const) {
        const { body, contentType } = formBody([{ name: 'class', value: cls }, { name: 'file', filename: `${cls}-${i}.wav`, content: wav }]);
        const res = await fetch(`${baseUrl}/upload`, { method: 'POST', headers: { ...admin, 'content-type': contentType }, body });
        expect(res.status).toBe(200);
      }
    }
    // A registered station, uploading through presigned URLs with its token and listening for models.
    const reg = await api('POST', '/api/stations', { id: 'st-e2e' });
    expect(reg.status).toBe(201);
    const dataDir = tempDir();
    const drop = join(dataDir, 'drop');
    writeWav(join(drop, '20261126_120000.wav'), scene(12, [{ kind: 'shots', atSec: 3, durationSec: 1.5 }, { kind: 'steady', atSec: 7, durationSec: 3 }]));
    const station = new StationProcess(dataDir, {
      stationId: 'st-e2e', model: { dir: baseModel, backend: 'wasm' }, detection: { classes: { gunshot: { threshold: 0.05 }, chainsaw: { threshold: 0.05 } } },
      source: { type: 'folder', path: drop, stableSec: 0 }, mqtt: { url: broker.url, telemetryIntervalSec: 1 },
      upload: { presignUrl: baseUrl, token: String(reg.json.token), retryMinSec: 0.2, retryMaxSec: 1 },
      ota: { url: baseUrl, publicKey: cloud.publicKey, pollIntervalSec: 5 },
    });
    station.start();
    try {
      // The station's detections reach the cloud (MQTT event + clip and sidecar through presigned PUTs).
      const detection = await waitFor(async () => {
        const list = await api('GET', '/api/detections?station=st-e2e');
        const items = (list.json.items as Array<Record<string, unknown>> | undefined) ?? [];
        return items.find((d) => d.clipAvailable === true && d.label === 'gunshot');
      }, 60_000, 'the station\'s gunshot detection in the cloud');
      // Review: a person confirms the burst of shots, which makes the clip training data. (Relabelling
      // it "background" would contradict the uploaded gunshots; whenever the split then put it in the
      // evaluation set, the candidate's "false alarms" on it made the gate reject the candidate.)
      const reviewed = await api('PATCH', `/api/detections/${String(detection.id ?? detection.eventId)}`, { label: 'gunshot' });
      expect(reviewed.status).toBe(200);
      expect(reviewed.json).toMatchObject({ reviewed: true, reviewedLabel: 'gunshot' });
      // Retrain and publish.
      const job = await api('POST', '/retrain', { min_samples: 5 });
      expect(job.status).toBe(202);
      const finished = await waitFor(async () => {
        const j = await api('GET', `/api/jobs/${String(job.json.job_id)}`);
        return j.json.finishedAt ? j.json : undefined;
      }, 240_000, 'the retrain job');
      expect(finished, `the job's report: ${JSON.stringify(finished.result).slice(0, 1500)}`).toMatchObject({ state: 'succeeded', result: { outcome: 'published' } });
      const newVersion = String((finished.result as { version: string }).version);
      expect(newVersion).not.toBe('2026.01.01-1');
      await waitFor(async () => ((await api('GET', '/api/models/latest', undefined, {})).json.version === newVersion ? true : undefined), 10_000, 'the new release as latest');
      // The station learns of it (retained MQTT announcement or poll), verifies the signature and hashes, validates, switches.
      await station.waitForLog(new RegExp(`model update verified and installed.*${newVersion.replace(/\./g, '\\.')}|${newVersion.replace(/\./g, '\\.')}.*model update verified and installed`), 60_000);
      expect(readlinkSync(join(dataDir, 'models', 'current'))).toBe(newVersion);
      // Its telemetry now reports the new model.
      await waitFor(async () => {
        const stations = await api('GET', '/api/stations');
        const st = ((stations.json.items as Array<Record<string, unknown>> | undefined) ?? []).find((s) => s.id === 'st-e2e');
        return st && JSON.stringify(st).includes(newVersion) ? true : undefined;
      }, 20_000, 'station health showing the new model');
    } finally {
      station.kill('SIGTERM');
      await station.wait();
    }
  }, 420_000);
});
