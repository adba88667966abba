import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '#shared/model/model-package.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { waitFor } from '#testkit/ports.js';
import { loudWav, quietWav } from '../support/audio.js';
import { ADMIN_KEY, startTestCloud, type TestCloud } from '../support/test-cloud.js';
import { writeTrainableBaseDir } from '../support/tiny-model.js';
import { hasChromium, launchChromium, poll, type TestBrowser } from '#testkit/chromium.js';
import { activeElementId, horizontalOverflow, isSameDocument, loadedMedia, markDocument, recordedJobStates, recordJobPanel, storedApiKey } from './page-probes.js';
import { TestStation } from './test-station.js';

const PREFIX = 'ecodash';
const MODEL = '2026.01.01-1';
const SCREENSHOT = join(repositoryRoot(), 'test-results', 'dashboard.png');
const UI_DIR = join(repositoryRoot(), 'cloud', 'src', 'ui');
const title = hasChromium()
  ? 'dashboard in headless Chromium: upload -> live detection -> review -> retrain'
  : 'dashboard browser test SKIPPED: /usr/bin/chromium is missing (apt-get install -y chromium)';

describe.skipIf(!hasChromium())(title, () => {
  const broker = new TestMosquitto();
  let cloud: TestCloud;
  let base: string;
  let browser: TestBrowser;
  let page: Page;
  let station: TestStation;
  const files = mkdtempSync(join(tmpdir(), 'ecosight-dash-files-'));
  const api = async (path: string) => (await cloud.app.inject({ method: 'GET', url: path })).json();

  beforeAll(async () => {
    await broker.start();
    cloud = await startTestCloud(
      { MQTT_URL: broker.url, MQTT_PREFIX: PREFIX, MIN_NEW_SAMPLES: '4' },
      // The real trainer (QUICK_TRAINING settings) on a base with the real architecture.
      { uiDir: UI_DIR, shippedModelDir: await writeTrainableBaseDir(MODEL) },
    );
    base = await cloud.app.listen({ port: 0, host: '127.0.0.1' });
    await waitFor(() => cloud.services.ingestLink?.subscribed || undefined, 10_000, 'cloud MQTT connection');
    station = new TestStation('st-dash', base);
    await station.register(ADMIN_KEY);
    await station.connect(broker.url, PREFIX);
    writeFileSync(join(files, 'shot-1.wav'), loudWav(1.5, 31));
    writeFileSync(join(files, 'shot-2.wav'), loudWav(1.5, 32));
    writeFileSync(join(files, 'wind-1.wav'), quietWav(1.5, 41));
    writeFileSync(join(files, 'wind-2.wav'), quietWav(1.5, 42));
    writeFileSync(join(files, 'notes.wav'), 'these are field notes, not audio\n'.repeat(20));
    browser = await launchChromium();
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await station?.close();
    await cloud?.stop();
    await broker.stop();
    rmSync(files, { recursive: true, force: true });
  });

  it('serves the page under the strict CSP and works read-only, then takes the admin key', async () => {
    const res = await page.goto(base);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("script-src-attr 'none'");
    await poll(() => page.textContent('#status-model')).toBe(MODEL);
    await poll(() => page.textContent('#status-live')).toBe('connected');
    await poll(() => page.locator('#upload-class option').allTextContents()).toEqual(['Choose a class…', 'background', 'chainsaw', 'gunshot']);
    await poll(() => page.locator('#model-list > li').count()).toBe(1);
    expect(await page.isVisible('#live-empty')).toBe(true);
    expect(await page.textContent('#key-state')).toContain('No key');

    // Without a key, a change explains what is missing instead of failing silently.
    await page.click('#retrain-submit');
    expect(await page.textContent('#retrain-message')).toContain('needs the admin API key');
    expect(await page.evaluate(activeElementId)).toBe('api-key');

    await page.fill('#api-key', ADMIN_KEY);
    await page.click('#key-save');
    await poll(() => page.textContent('#key-state')).toContain('Key set');
    expect(await page.evaluate(storedApiKey)).toBe(ADMIN_KEY);
  });

  it('uploads WAVs through the form and lists them; a text file shows the service\'s message', async () => {
    await page.selectOption('#upload-class', 'gunshot');
    await page.setInputFiles('#upload-file', join(files, 'notes.wav'));
    await page.click('#upload-submit');
    await poll(() => page.textContent('#upload-message')).toContain('Upload refused: not a usable audio file');
    expect(await page.getAttribute('#upload-message', 'role')).toBe('alert');

    for (const [cls, name] of [['gunshot', 'shot-1.wav'], ['gunshot', 'shot-2.wav'], ['background', 'wind-1.wav'], ['background', 'wind-2.wav']]) {
      await page.selectOption('#upload-class', cls);
      await page.setInputFiles('#upload-file', join(files, name));
      await page.click('#upload-submit');
      await poll(() => page.textContent('#upload-message')).toContain(`File uploaded successfully: ${name} stored as extracted_audio/${cls}/`);
      await poll(async () => (await page.locator('#uploads .upload-name').allTextContents()).some((t) => t.endsWith(name))).toBe(true);
    }
    const listed = await api('/api/uploads');
    expect(listed.total).toBe(4);
    expect((listed.items as Array<{ class: string }>).map((u) => u.class).sort()).toEqual(['background', 'background', 'gunshot', 'gunshot']);
    expect(await page.locator('#uploads li').count()).toBe(4);
  });

  it('shows a station\'s detection live (alert, spectrogram, audio, health) and reviews it in one click', async () => {
    await page.evaluate(markDocument);
    const now = Date.now();
    const startTime = new Date(now - 3_000).toISOString();
    const eventId = 'ev-dash-1';
    const clipKey = `stations/st-dash/${startTime.slice(0, 4)}/${startTime.slice(5, 7)}/${startTime.slice(8, 10)}/${eventId}.flac`;
    await station.publish('status', { v: 1, stationId: 'st-dash', state: 'online', time: new Date(now).toISOString(), softwareVersion: '0.1.0', modelVersion: MODEL });
    await station.publish('telemetry', {
      v: 1, stationId: 'st-dash', time: new Date(now).toISOString(), uptimeSec: 600, queueDepth: 2, pendingUploads: 1, pendingAlerts: 0,
      diskFreeBytes: 25e9, clipBytes: 4096, cpuTempC: 47.5, modelVersion: MODEL, lastAudioTime: new Date(now).toISOString(), droppedWindows: 0, gapCount: 0,
    });
    const row = page.locator('#stations-table tbody tr', { hasText: 'st-dash' });
    await poll(() => row.textContent()).toContain('Healthy');
    const rowText = await row.textContent();
    expect(rowText).toContain('2uploads 1, alerts 0');
    expect(rowText).toContain('25 GBCPU 47.5 °C');
    expect(rowText).toContain(`${MODEL}software 0.1.0`);

    const event = {
      v: 1 as const, stationId: 'st-dash', eventId, label: 'gunshot', confidence: 0.74, startTime, peakTime: startTime, windowCount: 1,
      clipKey, modelVersion: MODEL, source: 'mic', alert: false, delayed: false,
    };
    await station.publish('event', { ...event, type: 'start' });
    const card = page.locator(`#detections li[data-id="${eventId}"]`);
    await card.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await card.locator('.det-label').textContent()).toBe('gunshot');
    expect(await card.locator('.det-conf').textContent()).toBe('74 %');
    expect(await card.locator('.det-station').textContent()).toBe('st-dash');
    expect(await card.textContent()).toContain('In progress');
    expect(await card.textContent()).toContain('Clip not uploaded yet');
    // No clip yet: it cannot become training data, so review waits for it.
    expect(await card.locator('button.review-button').first().isDisabled()).toBe(true);

    await station.publish('alert', {
      v: 1, alertId: 'al-dash-1', stationId: 'st-dash', label: 'gunshot', confidence: 0.93, startTime, windowEndTime: startTime, shotCount: 2,
      delayed: false, clipKey, modelVersion: MODEL, eventId, raisedAt: new Date(now - 2_000).toISOString(), sentAt: new Date(now - 2_000).toISOString(),
    });
    await poll(() => card.getAttribute('class')).toContain('is-alert');
    await poll(() => card.locator('.badge-alert').textContent()).toBe('Alert · 2 shots');
    expect(await page.textContent('#alert-banner')).toContain('gunshot alert at st-dash: 93 %, 2 shots');

    // FLAC, the station's default codec: Chromium plays it and the cloud draws its spectrogram.
    await station.uploadClip({ eventId, label: 'gunshot', confidence: 0.93, startTime, shotCount: 2 }, loudWav(2, 77), MODEL, 'flac');
    await station.publish('event', { ...event, type: 'end', confidence: 0.93, endTime: new Date(now - 1_000).toISOString(), windowCount: 3, shotCount: 2 });
    // The spectrogram and the audio really load (the CSP lets them), pushed in without a reload.
    const media = (await (await page.waitForFunction(loadedMedia, eventId, { timeout: 10_000 })).jsonValue()) as ReturnType<typeof loadedMedia>;
    expect(media?.durationSec).toBeCloseTo(2, 1);
    expect(media?.img).toBe(`/api/detections/${eventId}/spectrogram.png?station=st-dash`);
    expect(media?.audio).toBe(`/api/detections/${eventId}/audio?station=st-dash`);
    // The clip's media can load before the 'end' event reaches the page (they arrive on separate pushes).
    await poll(() => card.getAttribute('class')).not.toContain('is-open');

    // One click corrects the label; the API agrees and the card says so.
    const correct = card.locator('button[data-label="background"]');
    await poll(() => correct.isEnabled()).toBe(true);
    expect(await correct.textContent()).toBe('Correct to background');
    await correct.click();
    await poll(() => card.locator('.review-state').textContent()).toBe('Corrected to background.');
    expect(await correct.getAttribute('aria-pressed')).toBe('true');
    const reviewed = await api(`/api/detections/${eventId}`);
    expect(reviewed).toMatchObject({ reviewed: true, reviewedLabel: 'background', label: 'gunshot' });
    // Changed my mind: confirming is one click too.
    await card.locator('button[data-label="gunshot"]').click();
    await poll(() => card.locator('.review-state').textContent()).toBe('Confirmed as gunshot.');
    expect((await api(`/api/detections/${eventId}`)).reviewedLabel).toBe('gunshot');

    await page.check('input[name="live-filter"][value="unreviewed"]');
    expect(await card.isHidden()).toBe(true);
    expect(await page.textContent('#live-empty')).toContain('Nothing left to review');
    await page.check('input[name="live-filter"][value="all"]');
    expect(await page.evaluate(isSameDocument)).toBe(true);
  });

  it('refuses a retrain with too few new samples and shows why', async () => {
    await page.fill('#retrain-min', '50');
    await page.click('#retrain-submit');
    await poll(() => page.textContent('#retrain-message')).toContain('Retraining refused: only 5 new labelled samples since the last retrain; at least 50 needed');
    expect(await page.isHidden('#job')).toBe(true);
  });

  it('retrains with live progress and shows the new model with metrics and a confusion matrix', async () => {
    await page.fill('#retrain-min', '');
    await page.evaluate(recordJobPanel);
    await page.click('#retrain-submit');
    await poll(() => page.textContent('#job-state'), 40_000).toMatch(/^(Finished|Failed)/);
    const jobId = (await page.textContent('#job-title'))?.replace('Job ', '') as string;
    const job = await api(`/api/jobs/${jobId}`);
    expect(job.state, `job error: ${job.error}`).toBe('succeeded');
    const { outcome, version } = job.result as { outcome: 'published' | 'rejected'; version: string };
    // The page states the job's real outcome (the gate decides; with this data it normally publishes).
    expect(await page.textContent('#job-state')).toEqual(outcome === 'published'
      ? `Finished: model ${version} published`
      : expect.stringContaining(`Finished: model ${version} rejected by the gate`));
    const states = await page.evaluate(recordedJobStates);
    const percents = states.map((s) => Number(s.split('|')[0]));
    // Progress moved through intermediate values in order, as the job's stream reported them.
    expect(percents.some((p) => p > 0 && p < 100)).toBe(true);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(states.some((s) => s.includes('Running: train'))).toBe(true);
    expect(await page.getAttribute('#job-progress', 'value')).toBe('100');
    expect(await page.locator('#job-stages li.done').allTextContents()).toEqual(
      ['collect (done)', 'load (done)', 'augment (done)', 'features (done)', 'train (done)', 'onset (done)', 'evaluate (done)', 'publish (done)']);
    expect(await page.locator('#job-log li').count()).toBeGreaterThan(3);

    const latest = await api('/api/models');
    const newest = page.locator('#model-list > li').first();
    await poll(() => newest.getAttribute('data-version')).toBe(version);
    await poll(() => page.locator('#model-list > li').count()).toBe(2);
    const text = await newest.textContent();
    expect(text).toContain(`Parent${MODEL}`);
    if (outcome === 'published') {
      expect(latest.latest).toBe(version);
      expect(text).toContain('PublishedCurrent');
      expect(text).toContain('Gate passed');
      await poll(() => page.textContent('#status-model')).toBe(version);
    } else {
      expect(text).toContain('Rejected');
      expect(text).toContain('Gate failed');
    }
    // The confusion matrix shows exactly what the API reports for this version.
    const release = latest.items[0] as { metrics: { confusionMatrix: { labels: string[]; counts: number[][] } } };
    const matrix = newest.locator('table.confusion');
    expect(await matrix.locator('thead th').allTextContents()).toEqual(release.metrics.confusionMatrix.labels);
    expect(release.metrics.confusionMatrix.labels).toEqual(expect.arrayContaining(['background', 'chainsaw', 'gunshot']));
    const counts = (await matrix.locator('tbody td').allTextContents()).map(Number);
    expect(counts).toEqual(release.metrics.confusionMatrix.counts.flat());
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    mkdirSync(join(repositoryRoot(), 'test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const png = readFileSync(SCREENSHOT);
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(20_000);

    // Phone width: one column, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(horizontalOverflow);
    expect(overflow.width, overflow.culprits.join(', ')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: SCREENSHOT.replace('.png', '-phone.png'), fullPage: true });
    expect(browser.problems).toEqual([]);
  });
});
