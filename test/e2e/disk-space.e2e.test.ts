/**
 * The disk holding wacast's data running out, seen in the dashboard: a warning on every page below
 * 1 GB free, and an alert saying campaigns hold (and what still goes on) below 250 MB. The
 * server's answer is what this test controls (the CI machine's disk is not filled for it); the
 * answer itself and the hold are tested in test/ops/disk-space.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Route } from 'playwright-core';
import { chromiumAvailable, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { startServer, type RunningServer } from './helpers/server.js';
import { createAdmin } from './helpers/session.js';

describe.skipIf(!chromiumAvailable)('dashboard: free disk space (browser)', () => {
  let server: RunningServer;
  let browser: TestBrowser;
  let disk: { freeBytes: number; level: 'ok' | 'low' | 'critical' } | 'real' = 'real';

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser(server.url);
    await createAdmin(browser.context, server);
    await browser.page.route('**/api/v1/storage', async (route: Route) => {
      const response = await route.fetch();
      const real = (await response.json()) as { engine: string; disk: Record<string, unknown> | null };
      // The real answer is checked for its shape; only the free space is made up.
      expect(real.disk).toMatchObject({ holdBelowBytes: 250e6 });
      if (disk === 'real') return route.fulfill({ response });
      await route.fulfill({ response, json: { ...real, disk: { ...real.disk, ...disk, totalBytes: 50e9, campaignsHeld: disk.level === 'critical' } } });
    });
  });
  afterAll(async () => {
    // The dashboard may be asking for the storage answer as the browser closes: the handler's
    // fetch then fails, which is no failure of the test.
    await browser?.page.unrouteAll({ behavior: 'ignoreErrors' });
    await browser?.close();
    await server?.stop();
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') await browser.screenshot(`disk-space-${context.task.name}`);
  });

  it('warns on every page when less than 1 GB is free, and says campaigns hold below 250 MB', async () => {
    const { page } = browser;
    disk = { freeBytes: 640e6, level: 'low' };
    await page.goto('/campaigns');
    const warning = page.getByRole('status').filter({ hasText: 'Only 640 MB of 50.0 GB is free on the disk that holds wacast\'s data' });
    await warning.waitFor();
    expect(await warning.textContent()).toContain('Below 250 MB, campaigns hold');

    await page.goto('/inbox');
    await warning.waitFor();

    disk = { freeBytes: 120e6, level: 'critical' };
    await page.reload();
    const alert = page.getByRole('alert').filter({ hasText: 'Campaigns are on hold: only 120 MB is free' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('until more than 250 MB is free');
    expect(await warning.count()).toBe(0);

    disk = 'real';
    await page.reload();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    expect(await alert.count()).toBe(0);
  });
});
