/**
 * Missing delivery reports, seen in the dashboard: a campaign that has sent for minutes while no
 * report reached its account says so on its page, with a link to the account; the account's page
 * says when reports last arrived; the warning goes away, live, once a report arrives.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { startServer, type RunningServer } from './helpers/server.js';
import { apiPost, createAdmin } from './helpers/session.js';
import { openSqlite, type Db } from '../../src/storage/db.js';
import { createTemplateRow, seedCampaign } from '../helpers/campaign-seed.js';
import { gupshupDlr } from '../helpers/callbacks.js';
import { GUPSHUP_CREDENTIALS } from './helpers/sandbox-account.js';
import { REPORTS_EXPECTED_WITHIN_MS } from '../../src/campaigns/delivery-report-warning.js';

describe.skipIf(!chromiumAvailable)('dashboard: missing delivery reports (browser)', () => {
  let server: RunningServer;
  let browser: TestBrowser;
  let db: Db;
  let account: { id: string; deliveryCallbackUrl: string };
  let campaignId: string;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser(server.url);
    const session = await createAdmin(browser.context, server);
    account = await apiPost(browser.context, server, session, '/api/v1/providers', { type: 'gupshup', nickname: 'Gupshup promo', credentials: GUPSHUP_CREDENTIALS });
    // The campaign's history goes straight into the server's database: waiting five real minutes
    // for the warning is not a test anyone would run.
    db = openSqlite(join(server.dataDir, 'wacast.db'));
    const { project_id: projectId } = await db.kysely.selectFrom('provider_accounts').select('project_id').where('id', '=', account.id).executeTakeFirstOrThrow();
    const templateId = await createTemplateRow(db, projectId, account.id);
    ({ campaignId } = await seedCampaign(db, {
      projectId,
      providerId: account.id,
      templateId,
      name: 'Winter sale',
      messages: [0, 1].map((i) => ({ profileId: null, phone: `+9198765432${10 + i}`, status: 'sent' as const, providerMessageId: `gs-missing-${i}` })),
    }));
    await db.kysely.updateTable('campaigns').set({ state: 'completed', started_at: Date.now() - REPORTS_EXPECTED_WITHIN_MS - 60_000, completed_at: Date.now() }).where('id', '=', campaignId).execute();
  });
  afterAll(async () => {
    await db?.close();
    await browser?.close();
    await server?.stop();
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') await browser.screenshot(`callback-arrivals-${context.task.name}`);
  });

  it('marks the campaign in the list, warns on its page and links to the account, whose page says no report arrived yet', async () => {
    const { page } = browser;
    await page.goto('/campaigns');
    const row = page.getByTestId('campaign-list').getByRole('row').filter({ hasText: 'Winter sale' });
    await row.waitFor();
    expect(await row.textContent()).toContain('No delivery reports');
    await row.getByRole('link', { name: 'Winter sale' }).click();
    const warning = page.getByRole('status').filter({ hasText: 'No delivery report has reached the provider account "Gupshup promo"' });
    await warning.waitFor();
    await warning.getByRole('link', { name: 'Open the provider account' }).click();
    await page.waitForURL(`**/settings/channels/whatsapp/${account.id}`);
    expect(await page.getByTestId('callback-arrivals').textContent()).toBe('Last delivery report: none received yet. Last inbound message: none received yet.');
  });

  it('drops the warning, live, once a delivery report arrives, and the account page gives its time', async () => {
    const { page } = browser;
    await page.goto(`/campaigns/${campaignId}`);
    const warning = page.getByRole('status').filter({ hasText: 'No delivery report has reached' });
    await warning.waitFor();
    const response = await fetch(account.deliveryCallbackUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([gupshupDlr('gs-missing-0', 'SENT', { phone: '+919876543210' })]) });
    expect(response.status).toBe(200);
    // The page's live stream rereads the campaign every 2 s at most.
    await warning.waitFor({ state: 'detached', timeout: 15_000 });
    await page.goto('/campaigns');
    const row = page.getByTestId('campaign-list').getByRole('row').filter({ hasText: 'Winter sale' });
    await row.waitFor();
    expect(await row.textContent()).not.toContain('No delivery reports');
    await page.goto(`/settings/channels/whatsapp/${account.id}`);
    await expect.poll(() => page.getByTestId('callback-arrivals').textContent()).toMatch(/^Last delivery report: (?!none).*\d{4}.*\. Last inbound message: none received yet\.$/);
  });

  it('says on the campaign and on the account that the provider reported throttling', async () => {
    const { page } = browser;
    // Paused: a running campaign with nothing left to send would complete, and the warning is for
    // campaigns that still send.
    await db.kysely.updateTable('campaigns').set({ state: 'paused', completed_at: null }).where('id', '=', campaignId).execute();
    const response = await fetch(account.deliveryCallbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([gupshupDlr('gs-missing-1', 'FAILED', { phone: '+919876543211', errorCode: '130429' })]),
    });
    expect(response.status).toBe(200);
    await page.goto(`/campaigns/${campaignId}`);
    const warning = page.getByRole('status').filter({ hasText: 'The provider reported that the account "Gupshup promo" sent faster than it allows' });
    await warning.waitFor({ timeout: 15_000 });
    await warning.getByRole('link', { name: 'Open the provider account' }).click();
    await page.waitForURL(`**/settings/channels/whatsapp/${account.id}`);
    expect(await page.getByTestId('callback-arrivals').textContent()).toMatch(/The provider last reported throttling on .*\d{4}.*: sending slowed down then\. If it happens often, lower Messages per second\.$/);
  });
});
