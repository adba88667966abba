import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's chromium package (CI: apt-get install -y chromium). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const hasChromium = (): boolean => existsSync(CHROMIUM_PATH);

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Content-Security-Policy violations and uncaught page errors seen so far. */
  problems: string[];
  close(): Promise<void>;
}

/**
 * Headless Chromium with a fresh profile, one page, and a watch on what a
 * strict CSP would block (reported on the console) and on uncaught errors.
 */
export async function launchChromium(): Promise<TestBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'ecosight-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (/content security policy|refused to (load|execute|apply|connect)/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * expect.poll with room for a loaded CI machine (2 cores, other suites running):
 * the page reacts in milliseconds, but a busy event loop can delay it by seconds.
 */
export function poll<T>(read: () => T | Promise<T>, timeoutMs = 10_000): ReturnType<typeof expect.poll<T | Promise<T>>> {
  return expect.poll(read, { timeout: timeoutMs, interval: 50 });
}
