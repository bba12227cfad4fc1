/**
 * Settings → Keywords: the defaults are shown, a keyword typed into both rules is refused next to
 * the list it was typed into, and changed opt-out keywords and confirmation survive a reload and
 * are what the API returns.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { startServer, type RunningServer } from './helpers/server.js';
import { createAdmin } from './helpers/session.js';
import { unlabelledControls } from './helpers/a11y.js';

const CONFIRMATION = 'Listo: no más mensajes. Responde START para volver.';

describe.skipIf(!chromiumAvailable)('dashboard: opt-out / opt-in keywords (browser)', () => {
  let server: RunningServer;
  let browser: TestBrowser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser(server.url);
    await createAdmin(browser.context, server);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') await browser.screenshot(`keywords-${context.task.name}`);
  });

  it('Settings → Keywords shows both rules with their defaults and how matching works', async () => {
    const { page } = browser;
    await page.goto('/');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Keywords' }).click();
    await page.waitForURL(/\/settings\/keywords$/);
    await page.getByRole('heading', { name: 'Keywords' }).waitFor();
    await page.getByRole('group', { name: 'Opt-out' }).waitFor();
    await page.getByRole('group', { name: 'Opt-in' }).waitFor();
    expect(await page.getByLabel('Opt-out keywords').inputValue()).toBe('STOP\nUNSUBSCRIBE\nSTOP PROMOTIONS');
    expect(await page.getByLabel('Opt-in keywords').inputValue()).toBe('START\nSUBSCRIBE');
    expect(await page.getByLabel('Opt-out confirmation').inputValue()).toBe('You have been unsubscribed. Reply START to subscribe again.');
    expect(await page.getByLabel('Opt-in confirmation').inputValue()).toBe('You have been subscribed again. Reply STOP to unsubscribe.');
    // The hint is tied to the field, so a screen reader reads it with the label.
    expect(await page.getByLabel('Opt-out keywords').getAttribute('aria-describedby')).toBeTruthy();
    await page.getByText('upper or lower case alike').first().waitFor();
    await page.getByText('Leave empty to turn opt-out off.').waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
  });

  it('refuses a keyword in both rules, next to the list it was typed into', async () => {
    const { page } = browser;
    const optOut = page.getByLabel('Opt-out keywords');
    await optOut.fill('STOP\nstart');
    await page.getByRole('button', { name: 'Save' }).click();
    const field = page.locator('.field', { has: optOut });
    await field.getByText('"START" cannot both opt out and opt in').waitFor();
    expect(await optOut.getAttribute('aria-invalid')).toBe('true');
    // Focus goes to the field to fix.
    await expect.poll(() => optOut.evaluate((element) => element === element.ownerDocument.activeElement)).toBe(true);
    expect(await page.getByLabel('Opt-in keywords').getAttribute('aria-invalid')).toBeNull();
  });

  it('saves new opt-out keywords and confirmation: shown normalised, kept after a reload, returned by the API', async () => {
    const { page } = browser;
    await page.getByLabel('Opt-out keywords').fill('stop\n  alto   ya \n\nno más');
    await page.getByLabel('Opt-out confirmation').fill(CONFIRMATION);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    expect(await page.getByLabel('Opt-out keywords').getAttribute('aria-invalid')).toBeNull();
    expect(await page.getByLabel('Opt-out keywords').inputValue()).toBe('STOP\nALTO YA\nNO MÁS');

    await page.reload();
    await expect.poll(() => page.getByLabel('Opt-out keywords').inputValue()).toBe('STOP\nALTO YA\nNO MÁS');
    expect(await page.getByLabel('Opt-out confirmation').inputValue()).toBe(CONFIRMATION);
    expect(await page.getByText('Saved.').count()).toBe(0);

    const response = await browser.context.request.get(`${server.url}/api/v1/settings/keywords`);
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual({
      optOut: { keywords: ['STOP', 'ALTO YA', 'NO MÁS'], reply: CONFIRMATION },
      optIn: { keywords: ['START', 'SUBSCRIBE'], reply: 'You have been subscribed again. Reply STOP to unsubscribe.' },
    });
  });

  it('warns when the opt-out list is emptied', async () => {
    const { page } = browser;
    await page.getByLabel('Opt-out keywords').fill('');
    await page.getByText('With no opt-out keywords, nobody can unsubscribe by replying.').waitFor();
    await page.getByLabel('Opt-out keywords').fill('STOP');
    expect(await page.getByText('With no opt-out keywords').count()).toBe(0);
    expect(browser.pageErrors.join('\n')).toBe('');
  });
});
