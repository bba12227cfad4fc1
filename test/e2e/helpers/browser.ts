/**
 * Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core (which
 * never downloads a browser). Without Chromium the browser tests are skipped, except under
 * CI=true, where that is a failure.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from './build.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM_PATH);

if (!chromiumAvailable && process.env.CI === 'true') {
  throw new Error(`CI=true but Chromium is not installed at ${CHROMIUM_PATH}: the browser tests cannot run (install the Debian "chromium" package).`);
}

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions of the page: a test should end with none. */
  pageErrors: string[];
  /** Saves a screenshot under test-results/e2e/ (called when a test failed). */
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** A fresh Chromium (own user-data directory: no cookies, no saved passwords) with one page on `baseURL`. */
export async function launchBrowser(baseURL: string): Promise<TestBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'wacast-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
    baseURL,
    viewport: { width: 1280, height: 900 },
    timeout: 30_000,
  });
  // Two shared cores: be patient with the page, but fail well before vitest's own test timeout.
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return {
    context,
    page,
    pageErrors,
    async screenshot(name: string) {
      const dir = join(repoRoot, 'test-results', 'e2e');
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, `${name.replace(/[^a-z0-9-]+/gi, '-').slice(0, 80)}.png`), fullPage: true }).catch(() => undefined);
    },
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
