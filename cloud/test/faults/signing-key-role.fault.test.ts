/**
 * Issue 13 item 10 (second half): the key every station trusts stays off the
 * internet-facing API. With JOB_RUNNER=worker the API refuses to start holding
 * MODEL_SIGNING_KEY; without it, the API still takes retrain requests and the
 * worker - the only holder of the key - trains, signs and publishes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordScenario } from '#testkit/fault-report.js';
import { waitFor } from '#testkit/ports.js';
import { TestS3 } from '#testkit/s3rver.js';
import { generateSigningKeyPair, parsePublicKey } from '#shared/manifest/keys.js';
import { verifyManifest } from '#shared/release/manifest.js';
import { sharedTrainer } from '../../src/jobs/retrain/train-adapter.js';
import { loudWav, quietWav } from '../support/audio.js';
import { formBody } from '../support/multipart.js';
import { ADMIN_KEY, QUICK_TRAINING, startTestCloud, type TestCloud } from '../support/test-cloud.js';
import { writeTrainableBaseDir } from '../support/tiny-model.js';

const admin = { 'x-api-key': ADMIN_KEY };
const s3 = new TestS3('signing-role');
const keys = generateSigningKeyPair();
let env: Record<string, string>;
let shippedModelDir: string;
const started: TestCloud[] = [];

beforeAll(async () => {
  await s3.start();
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
  env = { STORAGE: 's3', JOB_RUNNER: 'worker', MIN_NEW_SAMPLES: '4', ...s3.env };
  shippedModelDir = await writeTrainableBaseDir();
});
afterAll(async () => {
  for (const c of started.reverse()) await c.stop();
  await s3.stop();
});

describe('MODEL_SIGNING_KEY belongs to the worker', () => {
  it('the API refuses the key; the worker alone signs what the API queued', async () => {
    const lost: string[] = [];
    // 1. An API configured with the key does not start.
    const keyed = await startTestCloud({ ...env, MODEL_SIGNING_KEY: keys.privateKey }, { shippedModelDir }).then((c) => {
      started.push(c);
      return c;
    }, (err: Error) => err);
    if (!(keyed instanceof Error)) lost.push('an API with JOB_RUNNER=worker started holding MODEL_SIGNING_KEY');
    else expect(keyed.message).toMatch(/MODEL_SIGNING_KEY.*worker/);
    // 2. A keyless API and a keyed worker: retrain is queued by the API, signed by the worker.
    const api = await startTestCloud({ ...env, MODEL_SIGNING_KEY: '' }, { shippedModelDir });
    started.push(api);
    const worker = await startTestCloud({ ...env, MODEL_SIGNING_KEY: keys.privateKey }, { role: 'worker', shippedModelDir, workerPollMs: 200, trainer: sharedTrainer({ ...QUICK_TRAINING }) });
    started.push(worker);
    for (const [cls, wav, name] of [['gunshot', loudWav(1.5, 1), 'a.wav'], ['gunshot', loudWav(1.5, 2), 'b.wav'], ['background', quietWav(1.5, 3), 'c.wav'], ['background', quietWav(1.5, 4), 'd.wav']] as const) {
      const { body, contentType } = formBody([{ name: 'class', value: cls }, { name: 'file', filename: name, content: wav }]);
      expect((await api.app.inject({ method: 'POST', url: '/upload', headers: { ...admin, 'content-type': contentType }, payload: body })).statusCode).toBe(200);
    }
    const status = (await api.app.inject({ method: 'GET', url: '/status', headers: admin })).json();
    if (status.publishing?.enabled !== true) lost.push(`the keyless API says publishing is off: ${JSON.stringify(status.publishing)}`);
    const res = await api.app.inject({ method: 'POST', url: '/retrain', headers: admin, payload: {} });
    if (res.statusCode !== 202) lost.push(`POST /retrain on the keyless API: ${res.statusCode} ${res.json().code}`);
    else {
      const jobId = res.json().job_id as string;
      const final = await waitFor(async () => {
        const j = (await api.app.inject({ method: 'GET', url: `/api/jobs/${jobId}`, headers: admin })).json();
        return j.state === 'succeeded' || j.state === 'failed' ? j : undefined;
      }, 60_000, 'the worker\'s job');
      if (final.result?.outcome !== 'published') lost.push(`the worker's job ended ${final.state} ${JSON.stringify(final.result ?? final.error)}`);
      const latest = (await api.app.inject({ method: 'GET', url: '/api/models/latest', headers: admin })).json();
      const manifest = (await api.app.inject({ method: 'GET', url: `/api/models/${latest.version}/manifest.json`, headers: admin })).json();
      try {
        verifyManifest(manifest, parsePublicKey(keys.publicKey));
      } catch (err) {
        lost.push(`the published manifest does not verify with the worker's key: ${(err as Error).message}`);
      }
    }
    recordScenario({
      scenario: 'cloud: signing key only on the worker', iterations: 1, faultsInjected: 1, itemsChecked: 4, itemsLost: lost.length,
      tried: 'API started with MODEL_SIGNING_KEY (JOB_RUNNER=worker); retrain via a keyless API', note: lost.join('; ') || undefined,
    });
    expect(lost).toEqual([]);
  }, 180_000);
});
