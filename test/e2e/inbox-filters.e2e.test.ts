/**
 * The Inbox of a team after a campaign: filters (unread only, window open, replies to a campaign)
 * combine, stay in the URL through a reload and clear with one control; the search finds a
 * conversation by the profile's name or the sender's WhatsApp name; "Mark as unread" leaves a
 * conversation for later, and another open dashboard sees it unread again.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.server.js';
import { chromiumAvailable, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { startServer, type RunningServer } from './helpers/server.js';
import { apiPost, createAdmin, type AdminSession } from './helpers/session.js';
import { connectSandboxAccount, GUPSHUP_CREDENTIALS } from './helpers/sandbox-account.js';
import { uploadProfiles } from './helpers/audience.js';
import { describeWithRoutes } from './helpers/probe.js';
import { unlabelledControls } from './helpers/a11y.js';
import { waitFor } from '../helpers/fake-provider.js';

const ASHA = '919876510001';
const RAVI = '919876510002';
const MUMBAI = '919811510003';
const OLD = '919811510004';

await describeWithRoutes(
  'dashboard: Inbox filters, name search and mark as unread (browser + sandbox)',
  [
    { method: 'GET', url: '/api/v1/inbox' },
    { method: 'GET', url: '/api/v1/inbox/counts' },
    { method: 'POST', url: '/api/v1/inbox/:phone/unread' },
  ],
  () => {
    let sandbox: Sandbox;
    let server: RunningServer;
    let browser: TestBrowser;
    let session: AdminSession;

    beforeAll(async () => {
      sandbox = await startSandbox({ knobs: { dlrDelayMs: { min: 50, max: 200 }, readShare: 1, callbackRetries: 2 } });
      server = await startServer({ env: { ...sandbox.env } });
      browser = await launchBrowser(server.url);
      session = await createAdmin(browser.context, server);
      const { providerId, templateId } = await connectSandboxAccount(browser.context, server, session, sandbox, {
        template: { namespace: 'ACME:spring_sale', body: 'Hi {{1}}, spring deals this week.' },
      });
      await uploadProfiles(browser.context, server, session, [
        { identity: 'asha', properties: { Name: 'Asha Patel', Phone: `+${ASHA}`, 'MSG-whatsapp': true } },
        { identity: 'ravi', properties: { Name: 'Ravi Kumar', Phone: `+${RAVI}`, 'MSG-whatsapp': true } },
      ]);
      const campaign = await apiPost<{ id: string }>(browser.context, server, session, '/api/v1/campaigns', {
        name: 'Spring sale',
        providerId,
        templateId,
        audience: { identities: ['asha', 'ravi'] },
        params: ['{{ Profile.Name }}'],
      });
      await apiPost(browser.context, server, session, `/api/v1/campaigns/${campaign.id}/publish`, {});
      await waitFor(() => sandbox.messages({ kind: 'template' }).length === 2, 15_000, 'the campaign messages at the sandbox');
      for (const phone of [ASHA, RAVI]) {
        const sent = sandbox.messages({ to: phone, kind: 'template' })[0]!;
        await sandbox.inbound({ account: 'acme', from: phone, name: 'Someone', text: 'Interested!', contextId: sent.id }).delivery;
      }
      await sandbox.inbound({ account: 'acme', from: MUMBAI, name: 'Asha from Mumbai', text: 'Is this <b>Acme</b>?' }).delivery;
      // Written two days ago: its window is closed.
      const account = (await (await browser.context.request.get(`${server.url}/api/v1/providers/${providerId}`)).json()) as { inboundCallbackUrl: string };
      const old = await browser.context.request.post(account.inboundCallbackUrl, {
        data: { waNumber: GUPSHUP_CREDENTIALS.mobileNumber.replace('+', ''), mobile: OLD, replyId: 'old-1', text: 'Hello?', type: 'text', name: 'Ashok', timestamp: String(Date.now() - 2 * 24 * 60 * 60 * 1000) },
      });
      expect(old.status()).toBe(200);
      // Delivered is not yet applied: wait until the four conversations exist.
      const deadline = Date.now() + 20_000;
      while (((await (await browser.context.request.get(`${server.url}/api/v1/inbox`)).json()) as { items: unknown[] }).items.length < 4) {
        if (Date.now() > deadline) throw new Error('Timed out waiting for the four conversations');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      await sandbox?.close();
    });
    afterEach(async (context) => {
      if (context.task.result?.state === 'fail') await browser.screenshot(`inbox-filters-${context.task.name}`);
    });

    it('finds conversations by profile name and WhatsApp name, combines filters kept in the URL through a reload, and clears them', async () => {
      const { page } = browser;
      await page.goto('/inbox');
      const list = page.getByTestId('conversations');
      const rows = () => list.locator('li').count();
      await expect.poll(rows, { timeout: 15_000 }).toBe(4);
      expect(await unlabelledControls(page)).toEqual([]);

      const search = page.getByLabel('Search by name or phone');
      // Profile "Asha Patel" and the sender who calls themself "Asha from Mumbai"; not "Ashok".
      await search.fill('ASHA');
      await expect.poll(rows, { timeout: 10_000 }).toBe(2);
      expect(await list.getByRole('link', { name: /Asha Patel/ }).count()).toBe(1);
      expect(await list.getByRole('link', { name: /Asha from Mumbai/ }).count()).toBe(1);
      // Inbound markup stays text.
      expect(await list.getByTestId('last-text').allTextContents()).toContain('Is this <b>Acme</b>?');
      await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('ASHA');
      // A last name finds its profile too; then back to the first name for the filters below.
      await search.fill('patel');
      await expect.poll(rows, { timeout: 10_000 }).toBe(1);
      expect(await list.getByRole('link', { name: /Asha Patel/ }).count()).toBe(1);
      await search.fill('ASHA');
      await expect.poll(rows, { timeout: 10_000 }).toBe(2);

      await page.getByLabel('Replies to campaign').selectOption({ label: 'Spring sale' });
      await expect.poll(rows, { timeout: 10_000 }).toBe(1);
      expect(await list.getByRole('link', { name: /Asha Patel/ }).count()).toBe(1);
      await page.getByLabel('Window open').check();
      await expect.poll(rows, { timeout: 10_000 }).toBe(1);

      // The filtered view survives a reload (a shared link opens the same).
      const filtered = new URL(page.url());
      expect(filtered.searchParams.get('window')).toBe('open');
      expect(filtered.searchParams.get('campaign')).toMatch(/.+/);
      await page.reload();
      await expect.poll(rows, { timeout: 15_000 }).toBe(1);
      expect(await page.getByLabel('Search by name or phone').inputValue()).toBe('ASHA');
      expect(await page.getByLabel('Window open').isChecked()).toBe(true);
      expect(await page.getByLabel('Replies to campaign').locator('option:checked').textContent()).toBe('Spring sale');
      expect(new URL(page.url()).search).toBe(filtered.search);

      // Opening a conversation keeps the filters: the list beside it is the same.
      await list.getByRole('link', { name: /Asha Patel/ }).click();
      await expect.poll(() => page.locator('#conversation-title').textContent(), { timeout: 10_000 }).toBe('Asha Patel');
      expect(new URL(page.url()).search).toBe(filtered.search);

      // Nothing matches: the list says which filters are active and offers to clear them.
      await page.getByLabel('Search by name or phone').fill('Nobody');
      const empty = page.getByTestId('no-match');
      await expect.poll(() => empty.textContent(), { timeout: 10_000 }).toContain('matching “Nobody”, window open, replies to campaign Spring sale');
      await empty.getByRole('button', { name: 'Clear filters' }).click();
      await expect.poll(rows, { timeout: 10_000 }).toBe(4);
      expect(new URL(page.url()).search).toBe('');
      expect(await page.getByLabel('Search by name or phone').inputValue()).toBe('');
      expect(await page.getByLabel('Window open').isChecked()).toBe(false);

      // Window open alone: the two-day-old conversation is not listed; a phone search still works.
      await page.getByLabel('Window open').check();
      await expect.poll(rows, { timeout: 10_000 }).toBe(3);
      expect(await list.getByRole('link', { name: new RegExp(`\\+${OLD}`) }).count()).toBe(0);
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await page.getByLabel('Search by name or phone').fill(OLD.slice(-5));
      await expect.poll(rows, { timeout: 10_000 }).toBe(1);
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await expect.poll(rows, { timeout: 10_000 }).toBe(4);
      expect(browser.pageErrors.join('\n')).toBe('');
    });

    it('counts unread conversations, marks one unread from the conversation, and another dashboard sees it', async () => {
      const { page } = browser;
      // The first test opened Asha's conversation (read): three conversations are unread.
      await page.goto('/inbox?unread=1');
      const list = page.getByTestId('conversations');
      const rows = () => list.locator('li').count();
      await expect.poll(rows, { timeout: 15_000 }).toBe(3);
      const toggle = page.getByRole('checkbox', { name: /Unread only/ });
      await expect.poll(() => toggle.isChecked()).toBe(true);
      await expect.poll(() => page.locator('label', { hasText: 'Unread only' }).textContent(), { timeout: 10_000 }).toBe('Unread only (3)');
      await expect.poll(() => page.getByTestId('nav-unread').textContent(), { timeout: 10_000 }).toBe('3 unread');

      // A colleague's dashboard, open on the same filtered list.
      const colleague = await browser.context.newPage();
      await colleague.goto('/inbox?unread=1');
      const theirList = colleague.getByTestId('conversations');
      await expect.poll(() => theirList.locator('li').count(), { timeout: 15_000 }).toBe(3);

      // Opening Ravi's conversation reads it: it leaves both unread lists.
      await list.getByRole('link', { name: /Ravi Kumar/ }).click();
      await expect.poll(() => page.locator('#conversation-title').textContent(), { timeout: 10_000 }).toBe('Ravi Kumar');
      await expect.poll(() => page.locator('label', { hasText: 'Unread only' }).textContent(), { timeout: 10_000 }).toBe('Unread only (2)');
      await expect.poll(() => theirList.getByRole('link', { name: /Ravi Kumar/ }).count(), { timeout: 10_000 }).toBe(0);

      // Left for later: back to the list (filters kept), unread again, here and for the colleague.
      await page.getByRole('button', { name: 'Mark as unread' }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/inbox');
      expect(new URL(page.url()).search).toBe('?unread=1');
      await expect.poll(() => list.getByRole('link', { name: /Ravi Kumar/ }).count(), { timeout: 10_000 }).toBe(1);
      expect(await list.getByRole('link', { name: /Ravi Kumar/ }).textContent()).toContain('1 unread');
      await expect.poll(() => page.locator('label', { hasText: 'Unread only' }).textContent(), { timeout: 10_000 }).toBe('Unread only (3)');
      await expect.poll(() => theirList.getByRole('link', { name: /Ravi Kumar/ }).count(), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => colleague.locator('label', { hasText: 'Unread only' }).textContent(), { timeout: 10_000 }).toBe('Unread only (3)');
      await colleague.close();

      // Unread only, off: every conversation again.
      await toggle.uncheck();
      await expect.poll(rows, { timeout: 10_000 }).toBe(4);
      expect(new URL(page.url()).search).toBe('');
      expect(browser.pageErrors.join('\n')).toBe('');
    });
  },
  { enabled: chromiumAvailable },
);
