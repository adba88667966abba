import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '#shared/model/model-package.js';
import { loudWav, quietWav } from '../support/audio.js';
import { ADMIN_KEY, startTestCloud, type TestCloud } from '../support/test-cloud.js';
import { hasChromium, launchChromium, poll, type TestBrowser } from '#testkit/chromium.js';
import { loadedMedia } from './page-probes.js';
import { TestStation } from './test-station.js';

const MODEL = '2026.01.01-1';
const UI_DIR = join(repositoryRoot(), 'cloud', 'src', 'ui');
const title = hasChromium()
  ? 'private dashboard (PUBLIC_DASHBOARD=false) in headless Chromium'
  : 'private dashboard browser test SKIPPED: /usr/bin/chromium is missing (apt-get install -y chromium)';

/** Waits until the card's spectrogram and audio have really loaded; returns their src attributes. */
async function mediaOf(page: Page, id: string): Promise<{ img: string; audio: string }> {
  const handle = await page.waitForFunction(loadedMedia, id, { timeout: 10_000 });
  return (await handle.jsonValue()) as { img: string; audio: string };
}

describe.skipIf(!hasChromium())(title, () => {
  let cloud: TestCloud;
  let base: string;
  let browser: TestBrowser;
  let page: Page;
  let station: TestStation;

  beforeAll(async () => {
    cloud = await startTestCloud({ PUBLIC_DASHBOARD: 'false' }, { uiDir: UI_DIR });
    base = await cloud.app.listen({ port: 0, host: '127.0.0.1' });
    station = new TestStation('st-priv', base);
    await station.register(ADMIN_KEY);
    await station.uploadClip({ eventId: 'ev-priv-1', label: 'gunshot', confidence: 0.88, startTime: new Date(Date.now() - 60_000).toISOString(), shotCount: 1 }, loudWav(1.5, 5), MODEL, 'opus'); // Opus: Chromium plays the blob of an Ogg Opus clip
    browser = await launchChromium();
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await cloud?.stop();
  });

  it('says it is private and shows nothing without the key; a wrong key is reported', async () => {
    await page.goto(base);
    await poll(() => page.textContent('#page-message')).toContain('This dashboard is private on this service (PUBLIC_DASHBOARD=false)');
    expect(await page.getAttribute('#page-message', 'role')).toBe('alert');
    // /status is always public: the header still works.
    await poll(() => page.textContent('#status-model')).toBe(MODEL);
    expect(await page.locator('#detections li').count()).toBe(0);

    await page.fill('#api-key', 'not-the-key');
    await page.click('#key-save');
    await poll(() => page.textContent('#key-state')).toBe('The service refused the admin key: invalid API key. Enter it again.');
  });

  it('with the key: lists, loads clip media as blob: URLs (the CSP allows them) and pushes new detections', async () => {
    await page.fill('#api-key', ADMIN_KEY);
    await page.click('#key-save');
    await poll(() => page.textContent('#status-live')).toBe('connected');
    expect(await page.isHidden('#page-message')).toBe(true);
    const first = await mediaOf(page, 'ev-priv-1');
    // <img> and <audio> cannot send x-api-key: the page fetched them with it and made object URLs.
    expect(first.img).toMatch(/^blob:/);
    expect(first.audio).toMatch(/^blob:/);

    // The live stream is authenticated too: a new clip appears without a reload.
    await station.uploadClip({ eventId: 'ev-priv-2', label: 'chainsaw', confidence: 0.7, startTime: new Date().toISOString(), shotCount: null }, quietWav(1.5, 6), MODEL);
    const second = await mediaOf(page, 'ev-priv-2');
    expect(second.img).toMatch(/^blob:/);
    expect(await page.locator('#detections li').first().getAttribute('data-id')).toBe('ev-priv-2');
    await page.locator('#detections li[data-id="ev-priv-2"] button[data-label="chainsaw"]').click();
    await poll(async () => (await cloud.app.inject({ method: 'GET', url: '/api/detections/ev-priv-2', headers: { 'x-api-key': ADMIN_KEY } })).json().reviewedLabel).toBe('chainsaw');
    expect(browser.problems).toEqual([]);
  });
});
