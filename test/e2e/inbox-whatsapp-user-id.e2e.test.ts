/**
 * The Inbox for a Vonage sender known only by their WhatsApp user id (a username, number not
 * shared): the conversation is listed and opened under the id, says who it is with, shows the
 * text literally, and an agent's reply reaches the user through the sandbox; once the user shares
 * their number, the open conversation moves to it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.server.js';
import { launchBrowser, type TestBrowser } from './helpers/browser.js';
import { startServer, type RunningServer } from './helpers/server.js';
import { apiPost, createAdmin, type AdminSession } from './helpers/session.js';
import { describeWithRoutes } from './helpers/probe.js';
import { waitFor } from '../helpers/fake-provider.js';

const CREDENTIALS = {
  applicationId: 'dddddddd-eeee-4fff-8aaa-0123456789ab',
  apiKey: 'e2ekey01',
  apiSecret: 'e2e-vonage-secret',
  signatureSecret: 'e2e-signature-secret',
  whatsappNumber: '447700900401',
};
const STRANGER = '919833333333';
const MARKUP = 'hello <b>there</b><img src="x" onerror="window.__userId = 1">';

await describeWithRoutes(
  'dashboard: Inbox conversation with a sender known only by WhatsApp user id (browser + sandbox)',
  [
    { method: 'GET', url: '/api/v1/inbox' },
    { method: 'POST', url: '/hooks/nexmo/:token/inbound' },
  ],
  () => {
    let sandbox: Sandbox;
    let server: RunningServer;
    let browser: TestBrowser;
    let session: AdminSession;
    let userId: string;

    beforeAll(async () => {
      sandbox = await startSandbox({ knobs: { dlrDelayMs: { min: 20, max: 80 }, readShare: 1 } });
      server = await startServer({ env: { ...sandbox.env } });
      browser = await launchBrowser(server.url);
      session = await createAdmin(browser.context, server);
      const keys = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
      const account = await apiPost<{ id: string; inboundCallbackUrl: string; deliveryCallbackUrl: string }>(browser.context, server, session, '/api/v1/providers', {
        type: 'nexmo',
        nickname: 'Vonage sandbox',
        credentials: { ...CREDENTIALS, privateKey: keys.privateKey },
      });
      sandbox.addAccounts([
        {
          provider: 'vonage',
          id: 'vonage-e2e',
          ...CREDENTIALS,
          publicKey: keys.publicKey,
          statusUrl: account.deliveryCallbackUrl,
          inboundUrl: account.inboundCallbackUrl,
          webhookVersion: 'v1',
        },
      ]);
      const sent = sandbox.inbound({ account: 'vonage-e2e', from: STRANGER, name: 'Stranger', text: MARKUP, username: true, hidePhone: true });
      userId = (sent.payload as { from: string }).from;
      expect(await sent.delivery).toMatchObject({ delivered: true, status: 200 });
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      await sandbox?.close();
    });
    afterEach(async (context) => {
      if (context.task.result?.state === 'fail') await browser.screenshot(`inbox-user-id-${context.task.name}`);
    });

    it('lists and opens the conversation under the id, says who it is with, and shows the text literally', async () => {
      const { page } = browser;
      await page.goto('/inbox');
      const listed = page.getByTestId('conversations').getByRole('link', { name: /Unknown sender/ });
      await expect.poll(() => listed.count(), { timeout: 15_000 }).toBe(1);
      expect(await listed.textContent()).toContain(userId);
      await listed.click();
      await expect.poll(() => page.locator('.conversation-header').textContent(), { timeout: 15_000 }).toContain(
        'Known only by their WhatsApp user id: they use a username and have not shared their number',
      );
      expect(await page.locator('.conversation-header').textContent()).toContain(userId);
      expect(await page.getByTestId('message-in').getByTestId('message-text').textContent()).toBe(MARKUP);
      expect(await page.locator('[data-testid="messages"] img, [data-testid="messages"] b').count()).toBe(0);
      expect(await page.evaluate('window.__userId')).toBeUndefined();
    });

    it('sends an agent reply to the id; the user gets it and the ticks follow', async () => {
      const { page } = browser;
      await page.getByLabel('Your reply').fill('Hi! How can we help?');
      await page.getByRole('button', { name: 'Send reply' }).click();
      await waitFor(() => sandbox.messages({ account: 'vonage-e2e', kind: 'session', to: STRANGER }).some((message) => message.body === 'Hi! How can we help?'), 15_000, 'the reply at the sandbox');
      const outbound = page.getByTestId('message-out');
      await expect.poll(() => outbound.getByTestId('ticks').textContent(), { timeout: 15_000 }).toContain('Read');
      expect(page.url()).toContain(encodeURIComponent(userId));
      expect(browser.pageErrors.join('\n')).toBe('');
    });

    it('moves the open conversation to the number once the user shares it, the earlier messages with it', async () => {
      const { page } = browser;
      const shared = sandbox.inbound({ account: 'vonage-e2e', from: STRANGER, name: 'Stranger', text: 'my number is on this one', username: true });
      expect(await shared.delivery).toMatchObject({ delivered: true, status: 200 });
      await expect.poll(() => page.url(), { timeout: 15_000 }).toContain(encodeURIComponent(`+${STRANGER}`));
      await expect.poll(() => page.locator('.conversation-header').textContent(), { timeout: 15_000 }).toContain(`+${STRANGER}`);
      // The header can change a moment before the moved messages are drawn.
      await expect.poll(() => page.getByTestId('message-in').getByTestId('message-text').allTextContents(), { timeout: 15_000 }).toEqual([MARKUP, 'my number is on this one']);
      expect(await page.getByTestId('message-out').count()).toBe(1);
      // The list holds one conversation with them, under the number.
      const listed = page.getByTestId('conversations').getByRole('link', { name: /Unknown sender/ });
      await expect.poll(() => listed.count(), { timeout: 15_000 }).toBe(1);
      expect(await listed.textContent()).not.toContain(userId);
      expect(browser.pageErrors.join('\n')).toBe('');
    });
  },
);
