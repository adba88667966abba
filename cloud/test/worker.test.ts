import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '#shared/manifest/keys.js';
import { waitFor } from '#testkit/ports.js';
import { TestS3 } from '#testkit/s3rver.js';
import { loudWav, quietWav } from './support/audio.js';
import { formBody } from './support/multipart.js';
import { sharedTrainer } from '../src/jobs/retrain/train-adapter.js';
import { recordingTrainer, type TrainCall } from './support/stub-engines.js';
import { ADMIN_KEY, QUICK_TRAINING, startTestCloud, type TestCloud } from './support/test-cloud.js';
import { writeTrainableBaseDir } from './support/tiny-model.js';

const admin = { 'x-api-key': ADMIN_KEY };

describe('JOB_RUNNER=worker: the API queues, a worker on another disk runs the job', () => {
  const s3 = new TestS3('worker-test');
  let api: TestCloud;
  let worker: TestCloud;
  const calls: TrainCall[] = [];
  beforeAll(async () => {
    await s3.start();
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
    const shippedModelDir = await writeTrainableBaseDir();
    const env = { STORAGE: 's3', JOB_RUNNER: 'worker', MIN_NEW_SAMPLES: '4', ...s3.env };
    // Only the worker holds the signing key (an API with JOB_RUNNER=worker refuses it).
    api = await startTestCloud({ ...env, MODEL_SIGNING_KEY: '' }, { shippedModelDir });
    worker = await startTestCloud({ ...env, MODEL_SIGNING_KEY: generateSigningKeyPair().privateKey }, {
      role: 'worker', shippedModelDir, workerPollMs: 200, trainer: recordingTrainer(sharedTrainer({ ...QUICK_TRAINING }), calls),
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await s3.stop();
  });

  it('moves the job through storage and the API sees the worker\'s release', async () => {
    for (const [cls, wav, name] of [['gunshot', loudWav(1.5, 1), 'a.wav'], ['gunshot', loudWav(1.5, 2), 'b.wav'], ['background', quietWav(1.5, 3), 'c.wav'], ['background', quietWav(1.5, 4), 'd.wav']] as const) {
      const { body, contentType } = formBody([{ name: 'class', value: cls }, { name: 'file', filename: name, content: wav }]);
      expect((await api.app.inject({ method: 'POST', url: '/upload', headers: { ...admin, 'content-type': contentType }, payload: body })).statusCode).toBe(200);
    }
    const res = await api.app.inject({ method: 'POST', url: '/retrain', headers: admin, payload: {} });
    expect(res.statusCode).toBe(202);
    const jobId = res.json().job_id as string;
    const dup = await api.app.inject({ method: 'POST', url: '/retrain', headers: admin, payload: { min_samples: 0 } });
    expect(dup.json()).toMatchObject({ statusCode: 409, job_id: jobId });

    const final = await waitFor(async () => {
      const j = (await api.app.inject({ method: 'GET', url: `/api/jobs/${jobId}` })).json();
      return j.state === 'succeeded' || j.state === 'failed' ? j : undefined;
    }, 30_000, 'worker job');
    expect(final).toMatchObject({ state: 'succeeded', runner: 'worker', result: { outcome: 'published' } });
    expect(final.claimedBy).toMatch(/:\d+$/);
    expect(final.log.some((l: { message: string }) => l.message.includes('refreshing the index'))).toBe(true);
    expect(calls).toHaveLength(1);

    const latest = (await api.app.inject({ method: 'GET', url: '/api/models/latest' })).json();
    expect(latest.version).toBe(final.result.version);
    expect((await api.app.inject({ method: 'GET', url: `/api/models/${latest.version}/model.json` })).statusCode).toBe(200);
  });
});
