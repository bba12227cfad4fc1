/**
 * Settings → Channels → WhatsApp → Rejected callbacks: a malformed callback sent over HTTP to the
 * account's delivery URL, and one with an unreadable Content-Type, show up in the account's dialog
 * with the time, endpoint, answer, reason and body — the body as text, never as HTML.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { startServer, type RunningServer } from './helpers/server.js';
import { apiPost, createAdmin } from './helpers/session.js';
import { unlabelledControls } from './helpers/a11y.js';

const HOSTILE = '<img src=x onerror="window.__pwned=1">';

describe.skipIf(!chromiumAvailable)('dashboard: rejected callbacks of a provider account (browser)', () => {
  let server: RunningServer;
  let browser: TestBrowser;
  let account: { id: string; inboundCallbackUrl: string; deliveryCallbackUrl: string };

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser(server.url);
    const session = await createAdmin(browser.context, server);
    account = await apiPost(browser.context, server, session, '/api/v1/providers', {
      type: 'gupshup',
      nickname: 'Gupshup main',
      credentials: {
        notificationUserId: '2000190001',
        notificationPassword: 'notification-secret',
        twoWayUserId: '2000190002',
        twoWayPassword: 'two-way-secret',
        appName: 'AcmeApp',
        mobileNumber: '+919876543210',
        facebookUrl: 'https://www.facebook.com/acme',
      },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') await browser.screenshot(`rejected-callbacks-${context.task.name}`);
  });

  it('shows a malformed delivery report and a 415 in the account\'s Rejected callbacks dialog', async () => {
    const body = JSON.stringify([{ externalId: 'ext-1', eventType: 'BOUNCED', note: HOSTILE }]);
    const malformed = await fetch(account.deliveryCallbackUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(malformed.status).toBe(400);
    const unreadable = await fetch(account.inboundCallbackUrl, { method: 'POST', headers: { 'content-type': 'not a media type' }, body: '{"mobile":"919876543210"}' });
    expect(unreadable.status).toBe(415);

    const { page } = browser;
    await page.goto('/settings/channels/whatsapp');
    await page.getByRole('button', { name: 'Rejected callbacks of Gupshup main' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rejected callbacks — Gupshup main' });
    await dialog.waitFor();
    const rows = dialog.getByRole('row');
    // Header, then per callback a summary row and a body row; newest first.
    await expect.poll(() => rows.count()).toBe(5);
    const newest = await rows.nth(1).textContent();
    expect(newest).toContain('Inbound');
    expect(newest).toContain('415');
    expect(newest).toContain('Content-Type header "not a media type" is empty or unreadable');
    const older = await rows.nth(3).textContent();
    expect(older).toContain('Delivery reports');
    expect(older).toContain('400');
    expect(older).toContain('eventType: expected SENT, DELIVERED, READ or FAILED, got "BOUNCED"');
    expect(older).toMatch(/\d{1,2}:\d{2}:\d{2}/);
    // The body exactly as received, as text.
    expect(await rows.nth(4).locator('pre').textContent()).toContain(body);
    expect(await dialog.locator('img').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await unlabelledControls(page)).toEqual([]);
  });

  it('shows a newer one after Refresh, and opens from the account page too', async () => {
    const { page } = browser;
    const dialog = page.getByRole('dialog', { name: 'Rejected callbacks — Gupshup main' });
    const later = await fetch(account.deliveryCallbackUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"externalId": ' });
    expect(later.status).toBe(400);
    await dialog.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => dialog.getByRole('row').count()).toBe(7);
    expect(await dialog.getByRole('row').nth(1).textContent()).toContain('not valid JSON');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await page.getByRole('link', { name: 'Edit Gupshup main' }).click();
    await page.getByRole('button', { name: 'Rejected callbacks' }).click();
    await dialog.waitFor();
    await expect.poll(() => dialog.getByRole('row').count()).toBe(7);
    expect(browser.pageErrors.join('\n')).toBe('');
  });
});
