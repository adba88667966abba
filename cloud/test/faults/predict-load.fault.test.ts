import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { recordScenario } from '#testkit/fault-report.js';
import { whiteNoise } from '#testkit/signals.js';
import { loudWav } from '../support/audio.js';
import { formBody } from '../support/multipart.js';
import { startTestCloud, type TestCloud } from '../support/test-cloud.js';
import { Findings } from './support/findings.js';

const PARALLEL = 24;

/**
 * Issue 13 item 13: many parallel large /predict requests must not each decode
 * in memory at once; the excess is told to come back (503 + Retry-After), memory
 * stays bounded, and an honest client is still served.
 */
describe('/predict under a flood of large files', () => {
  let cloud: TestCloud;
  let base: string;
  beforeAll(async () => {
    cloud = await startTestCloud({ UPLOADS_PER_MINUTE: '100000', PREDICT_CONCURRENCY: '2', PREDICT_QUEUE: '2', MAX_UPLOAD_MB: '50', MAX_PREDICT_SEC: '300' });
    base = await cloud.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => cloud.stop());

  it('bounds concurrent decodes, answers 503 with Retry-After, and still serves an honest client', async () => {
    const f = new Findings();
    const big = formBody([{ name: 'file', filename: 'long.wav', content: encodeWav16(whiteNoise(180, 0.3, 5), 16000) }]);
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const answers = await Promise.all(Array.from({ length: PARALLEL }, async () => {
      const res = await fetch(`${base}/predict`, { method: 'POST', headers: { 'content-type': big.contentType }, body: big.body });
      await res.arrayBuffer();
      return { status: res.status, retryAfter: res.headers.get('retry-after') };
    }));
    f.attacks += PARALLEL;
    const gate = cloud.services.predictGate.stats;
    // The honest client: a short file, retrying as told.
    const small = formBody([{ name: 'file', filename: 'short.wav', content: loudWav(1.5) }]);
    let honest = 0;
    for (let attempt = 0; attempt < 10 && honest !== 200; attempt++) {
      const res = await fetch(`${base}/predict`, { method: 'POST', headers: { 'content-type': small.contentType }, body: small.body });
      honest = res.status;
      await res.arrayBuffer();
      if (res.status === 503) await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)));
    }
    clearInterval(sampler);
    const busy = answers.filter((a) => a.status === 503);
    const growthMb = (peak - rss0) / 2 ** 20;
    // How many arrive while slots are taken depends on the machine's pace; what may not vary is the
    // bound the service itself saw (2 decoding, 2 waiting) and that every refusal says when to retry.
    f.check('at most PREDICT_CONCURRENCY decode at once', gate.peakRunning <= 2 && gate.peakWaiting <= 2, `peak ${gate.peakRunning} running, ${gate.peakWaiting} waiting`);
    f.check('the excess is refused with 503 + Retry-After', busy.length > 0 && busy.length === gate.refused && busy.every((a) => Number(a.retryAfter) > 0), answers.map((a) => a.status).join(','));
    f.check('everything else is answered', answers.every((a) => a.status === 200 || a.status === 503), answers.map((a) => a.status).join(','));
    f.check('memory stays bounded', growthMb < 600, `RSS grew ${growthMb.toFixed(0)} MB`);
    f.check('an honest client is served', honest === 200, `last answer ${honest}`);
    const tooLong = formBody([{ name: 'file', filename: 'x.wav', content: encodeWav16(whiteNoise(320, 0.1, 2), 16000) }]);
    f.refused('audio over MAX_PREDICT_SEC', await cloud.app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': tooLong.contentType }, payload: tooLong.body }), [413]);
    recordScenario({
      scenario: 'Predict: parallel large files', iterations: 1, faultsInjected: f.attacks, itemsChecked: f.checks, itemsLost: f.problems.length,
      tried: `${PARALLEL} parallel 3-minute WAVs, then an honest client`, note: `RSS grew ${growthMb.toFixed(0)} MB; ${busy.length} of ${PARALLEL} refused`,
    });
    expect(f.problems).toEqual([]);
  });
});
