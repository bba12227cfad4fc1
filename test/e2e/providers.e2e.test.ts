/**
 * The seed's steps, literally: Settings → Channels → WhatsApp → + Provider → Gupshup → fill every
 * field → Save → the callback URLs are shown and the password is masked. Then edit, rotate and
 * delete. Runs once the provider API (`POST /api/v1/providers/callback-urls` and friends) is in
 * the build; until then it is skipped, not faked.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { startServer, type RunningServer } from './helpers/server.js';
import { apiPost, createAdmin, type AdminSession } from './helpers/session.js';
import { unlabelledControls } from './helpers/a11y.js';
import { atWidth, pageOverflow, showsWholeValue } from './helpers/layout.js';
import { GUPSHUP_CREDENTIALS } from './helpers/sandbox-account.js';


const NOTIFICATION_PASSWORD = 'Notif-Secret-4821';
const TWO_WAY_PASSWORD = 'TwoWay-Secret-9377';

describe.skipIf(!chromiumAvailable)('dashboard: Gupshup provider account, the seed flow (browser)', () => {
  let server: RunningServer;
  let browser: TestBrowser;
  let session: AdminSession;
  let inboundBeforeSave = '';
  let deliveryBeforeSave = '';

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser(server.url);
    session = await createAdmin(browser.context, server);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') await browser.screenshot(`providers-${context.task.name}`);
  });

  it('Settings → Channels → WhatsApp → + Provider offers Nexmo (preselected) and Gupshup', async () => {
    const { page } = browser;
    await page.goto('/');
    // Unscoped, non-exact lookups on purpose: each name must lead to exactly one control.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('link', { name: 'Channels' }).click();
    await page.getByRole('link', { name: 'WhatsApp' }).click();
    await page.waitForURL(/\/settings\/channels\/whatsapp$/);
    await page.getByText('No provider accounts yet').waitFor();
    // A real link (opens in a new tab, announced as a link), styled as a button.
    expect(await page.getByRole('link', { name: '+ Provider' }).getAttribute('href')).toBe('/settings/channels/whatsapp/new');
    await page.getByRole('link', { name: '+ Provider' }).click();

    const provider = page.getByLabel('Provider');
    expect(await provider.inputValue()).toBe('nexmo');
    expect(await provider.locator('option').allTextContents()).toEqual(['Nexmo', 'Gupshup']);
    for (const label of ['Nickname', 'Application ID', 'Private key', 'API key', 'API secret', 'Signature secret', 'WhatsApp number']) {
      await page.getByLabel(label).waitFor();
    }
    await expect.poll(() => page.getByLabel('Inbound message callback URL').inputValue()).toMatch(`${server.url}/hooks/nexmo/`);
    expect(await unlabelledControls(page)).toEqual([]);
  });

  it('shows the Gupshup callback URLs before the first save, read-only and copyable', async () => {
    const { page } = browser;
    await page.getByLabel('Provider').selectOption({ label: 'Gupshup' });
    const inbound = page.getByLabel('Inbound message callback URL');
    const delivery = page.getByLabel('Delivery reports callback URL');
    await expect.poll(() => inbound.inputValue()).toMatch(new RegExp(`^${escape(server.url)}/hooks/gupshup/`));
    inboundBeforeSave = await inbound.inputValue();
    deliveryBeforeSave = await delivery.inputValue();
    expect(deliveryBeforeSave.startsWith(`${server.url}/hooks/gupshup/`)).toBe(true);
    expect(tokenOf(inboundBeforeSave)).toBe(tokenOf(deliveryBeforeSave));
    expect(inboundBeforeSave).not.toBe(deliveryBeforeSave);
    expect(await inbound.isEditable()).toBe(false);
    expect(await delivery.isEditable()).toBe(false);
    await page.getByRole('button', { name: 'Copy inbound URL' }).waitFor();
    await page.getByRole('button', { name: 'Copy delivery URL' }).waitFor();
    // Each URL is on screen whole: what tells them apart is their end (…/inbound, …/delivery).
    expect([await showsWholeValue(inbound), await showsWholeValue(delivery)]).toEqual([true, true]);
    await atWidth(page, 800, async () => {
      expect([await showsWholeValue(inbound), await showsWholeValue(delivery)]).toEqual([true, true]);
    });
  });

  it('fills every Gupshup field by its label and saves: URLs kept, passwords masked', async () => {
    const { page } = browser;
    await page.getByLabel('Nickname').fill('Gupshup promo');
    await page.getByLabel('Notification account user ID').fill('2000190001');
    await page.getByLabel('Notification account password').fill(NOTIFICATION_PASSWORD);
    await page.getByLabel('Two-way account user ID').fill('2000190002');
    await page.getByLabel('Two-way account password').fill(TWO_WAY_PASSWORD);
    await page.getByLabel('App name').fill('AcmeApp');
    // A number the server refuses: its message sits next to the field until the field is changed.
    await page.getByLabel('Mobile Number').fill('12');
    await page.getByRole('button', { name: 'Save' }).click();
    const mobileError = page.locator('.field', { has: page.getByLabel('Mobile Number') }).locator('.field__error');
    await expect.poll(() => mobileError.textContent()).toMatch(/^must be a phone number/);
    await page.getByLabel('Mobile Number').fill('+919876543210');
    await expect.poll(() => mobileError.count()).toBe(0);
    expect(await page.getByText('Some fields need attention').count()).toBe(0);
    await page.getByLabel('Facebook URL').fill('https://www.facebook.com/acme');
    expect(await page.getByLabel('Auto reply message').count()).toBe(0);
    await page.getByLabel('Auto reply for users not tracked').check();
    await page.getByLabel('Auto reply message').fill('Thanks for writing! We will get back to you soon.');
    expect(await unlabelledControls(page)).toEqual([]);
    await page.getByRole('button', { name: 'Save' }).click();

    await page.getByText('Provider account saved.').waitFor();
    expect(page.url()).toMatch(/\/settings\/channels\/whatsapp\/[^/]+$/);
    expect(await page.getByLabel('Inbound message callback URL').inputValue()).toBe(inboundBeforeSave);
    expect(await page.getByLabel('Delivery reports callback URL').inputValue()).toBe(deliveryBeforeSave);
    const notification = await page.getByLabel('Notification account password').inputValue();
    const twoWay = await page.getByLabel('Two-way account password').inputValue();
    expect(notification).toMatch(/^•+/);
    expect(twoWay).toMatch(/^•+/);
    expect(notification).not.toContain(NOTIFICATION_PASSWORD);
    expect(await page.getByLabel('Notification account password').isEditable()).toBe(false);
    // Non-secret values come back as entered.
    expect(await page.getByLabel('Notification account user ID').inputValue()).toBe('2000190001');
    expect(await page.getByLabel('Auto reply for users not tracked').isChecked()).toBe(true);
    const html = await page.content();
    expect(html).not.toContain(NOTIFICATION_PASSWORD);
    expect(html).not.toContain(TWO_WAY_PASSWORD);
  });

  it('lists the account as the default, with its rate', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: '← All provider accounts' }).click();
    const row = page.getByRole('row', { name: /Gupshup promo/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Default');
    expect(await row.textContent()).toContain('80 msg/s');
    expect(await row.textContent()).toContain('Gupshup');
  });

  it('edits without re-entering secrets, replaces one, and rotates the callback URLs', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Edit Gupshup promo' }).click();
    await page.getByLabel('Messages per second').fill('40');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Changes saved.').waitFor();
    expect(await page.getByLabel('Messages per second').inputValue()).toBe('40');
    expect(await page.getByLabel('Notification account password').inputValue()).toMatch(/^•+/);
    // The notice was about the values saved: a further edit, not saved yet, makes it go.
    await page.getByLabel('Messages per second').fill('41');
    await expect.poll(() => page.getByText('Changes saved.').count()).toBe(0);
    await page.getByLabel('Messages per second').fill('40');

    const field = page.locator('.field', { has: page.getByLabel('Two-way account password') });
    await field.getByRole('button', { name: 'Replace' }).click();
    await page.getByLabel('Two-way account password').fill('A-new-two-way-secret-1234');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByLabel('Two-way account password').inputValue()).toMatch(/^•+/);

    await page.getByRole('button', { name: 'Rotate callback URLs' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate' }).click();
    await expect.poll(() => page.getByLabel('Inbound message callback URL').inputValue()).not.toBe(inboundBeforeSave);
    expect(await page.getByLabel('Inbound message callback URL').inputValue()).toMatch(new RegExp(`^${escape(server.url)}/hooks/gupshup/`));
  });

  it('deletes the account after confirmation', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Delete Gupshup promo?').waitFor();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(/\/settings\/channels\/whatsapp$/);
    await page.getByText('No provider accounts yet').waitFor();
    expect(browser.pageErrors.join('\n')).toBe('');
  });

  it('keeps the list of several accounts, each with its actions, inside its column at 1280 and at 800 pixels', async () => {
    const { page } = browser;
    for (const nickname of ['Gupshup promo', 'Gupshup transactional with a long nickname']) {
      await apiPost(browser.context, server, session, '/api/v1/providers', { type: 'gupshup', nickname, credentials: GUPSHUP_CREDENTIALS });
    }
    await page.reload();
    // The second account is not the default: its row has the most actions, Mark as default among them.
    const row = page.getByRole('row', { name: /transactional/ });
    await row.getByRole('button', { name: /^Mark .* as default$/ }).waitFor();
    const fits = async () => {
      const [table, add] = [await page.getByRole('table', { name: 'Provider accounts' }).boundingBox(), await page.getByRole('link', { name: '+ Provider' }).boundingBox()];
      return table!.x + table!.width <= add!.x + add!.width + 1;
    };
    expect(await fits()).toBe(true);
    expect(await pageOverflow(page)).toBe(0);
    await atWidth(page, 800, async () => {
      await expect.poll(() => pageOverflow(page)).toBe(0);
      expect(await fits()).toBe(true);
    });
  });

  it('clears an optional stored secret: a Vonage account moves from its private key to its API key and secret, and drops its signature secret', async () => {
    const { page } = browser;
    const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const account = await apiPost<{ id: string }>(browser.context, server, session, '/api/v1/providers', {
      type: 'nexmo',
      nickname: 'Vonage moving',
      credentials: { applicationId: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab', privateKey, apiKey: 'a1b2c3d', apiSecret: 'vonage-secret-4321', signatureSecret: 'sig-secret-abcdefgh', whatsappNumber: '447700900001' },
    });
    await page.goto(`/settings/channels/whatsapp/${account.id}`);
    const fieldOf = (label: string) => page.locator('.field', { has: page.getByLabel(label, { exact: true }) });
    const signature = page.getByLabel('Signature secret');
    await expect.poll(() => signature.inputValue()).toMatch(/^•+/);

    // Clear, then think better of it: the mask comes back and nothing is sent.
    await fieldOf('Signature secret').getByRole('button', { name: 'Clear' }).click();
    expect(await signature.inputValue()).toBe('');
    await fieldOf('Signature secret').getByText('Removed when you save.').waitFor();
    await fieldOf('Signature secret').getByRole('button', { name: 'Keep current' }).click();
    await expect.poll(() => signature.inputValue()).toMatch(/^•+/);

    await fieldOf('Signature secret').getByRole('button', { name: 'Clear' }).click();
    await fieldOf('Private key').getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Application ID').fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Changes saved.').waitFor();
    // Gone: no mask, an empty field to type a new one into; the API secret is still stored.
    await expect.poll(() => page.getByLabel('Private key').inputValue()).toBe('');
    expect(await page.getByLabel('Private key').isEditable()).toBe(true);
    expect(await signature.inputValue()).toBe('');
    expect(await signature.isEditable()).toBe(true);
    expect(await page.getByLabel('API secret').inputValue()).toMatch(/^•+/);
    const saved = (await (await browser.context.request.get(`${server.url}/api/v1/providers/${account.id}`)).json()) as { credentials: Record<string, string> };
    expect(saved.credentials).toMatchObject({ applicationId: '', privateKey: '', signatureSecret: '', apiKey: 'a1b2c3d', apiSecret: expect.stringMatching(/^•+/) });
    await page.reload();
    await expect.poll(() => page.getByLabel('Private key').inputValue()).toBe('');

    // The account cannot lose both ways of signing in: the server says so next to the field, and keeps it.
    await fieldOf('API secret').getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await fieldOf('API secret').getByText('is required: give an Application ID with its Private key, or an API key with its API secret').waitFor();
    const kept = (await (await browser.context.request.get(`${server.url}/api/v1/providers/${account.id}`)).json()) as { credentials: Record<string, string> };
    expect(kept.credentials.apiSecret).toMatch(/^•+/);
    expect(browser.pageErrors.join('\n')).toBe('');
  });

  it('switching a self-serve account to Enterprise says the stored API key goes, and saving removes it', async () => {
    const { page } = browser;
    const account = await apiPost<{ id: string }>(browser.context, server, session, '/api/v1/providers', {
      type: 'gupshup',
      nickname: 'Gupshup self-serve to Enterprise',
      credentials: { mode: 'selfserve', apiKey: 'selfserve-key-abcdef12', appName: 'AcmeApp', mobileNumber: '+919000000001' },
    });
    await page.goto(`/settings/channels/whatsapp/${account.id}`);
    await expect.poll(() => page.getByLabel('API key').inputValue()).toBe('••••ef12');
    const warning = page.getByText('Saving in Enterprise mode removes the stored API key (••••ef12)');
    expect(await warning.count()).toBe(0);

    await page.getByLabel('Gupshup mode').selectOption('enterprise');
    await warning.waitFor();
    // The field is hidden in Enterprise mode: the warning is the only sign the key was there.
    expect(await page.getByLabel('API key').count()).toBe(0);
    // Changing one's mind brings the key back, untouched.
    await page.getByLabel('Gupshup mode').selectOption('selfserve');
    await expect.poll(() => warning.count()).toBe(0);
    await page.getByLabel('Gupshup mode').selectOption('enterprise');
    await warning.waitFor();

    await page.getByLabel('Notification account user ID').fill(GUPSHUP_CREDENTIALS.notificationUserId);
    await page.getByLabel('Notification account password').fill(GUPSHUP_CREDENTIALS.notificationPassword);
    await page.getByLabel('Two-way account user ID').fill(GUPSHUP_CREDENTIALS.twoWayUserId);
    await page.getByLabel('Two-way account password').fill(GUPSHUP_CREDENTIALS.twoWayPassword);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Changes saved.').waitFor();
    await expect.poll(() => warning.count()).toBe(0);
    const saved = (await (await browser.context.request.get(`${server.url}/api/v1/providers/${account.id}`)).json()) as { credentials: Record<string, string> };
    expect(saved.credentials).toMatchObject({ mode: 'enterprise', apiKey: '', notificationPassword: expect.stringMatching(/^•+/) });
    // Back in self-serve, the key field is empty: a new key must be entered.
    await page.getByLabel('Gupshup mode').selectOption('selfserve');
    expect(await page.getByLabel('API key').inputValue()).toBe('');
    expect(await page.getByLabel('API key').isEditable()).toBe(true);
    expect(browser.pageErrors.join('\n')).toBe('');
  });

  it('offers no Clear for a secret the account needs (Gupshup Enterprise passwords)', async () => {
    const { page } = browser;
    const account = await apiPost<{ id: string }>(browser.context, server, session, '/api/v1/providers', { type: 'gupshup', nickname: 'Gupshup needs passwords', credentials: GUPSHUP_CREDENTIALS });
    await page.goto(`/settings/channels/whatsapp/${account.id}`);
    const field = page.locator('.field', { has: page.getByLabel('Two-way account password') });
    await field.getByRole('button', { name: 'Replace' }).waitFor();
    expect(await field.getByRole('button', { name: 'Clear' }).count()).toBe(0);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The token segment of /hooks/<provider>/<token>/<kind>. */
function tokenOf(url: string): string {
  return new URL(url).pathname.split('/')[3] ?? '';
}
