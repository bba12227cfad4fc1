/**
 * The campaign report's Activity panel: pausing and resuming a campaign in the dashboard shows
 * "Paused by <email>" and "Resumed by <email>" at once, and a pause made meanwhile through API
 * credentials appears on its own (the report's live stream), named by the credentials' label — as
 * text, never as HTML. The campaign list says who created it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { startServer, type RunningServer } from './helpers/server.js';
import { apiPost, createAdmin, type AdminSession } from './helpers/session.js';
import { unlabelledControls } from './helpers/a11y.js';

const HOSTILE_LABEL = 'CRM <img src=x onerror="window.__pwned=1">';

describe.skipIf(!chromiumAvailable)('dashboard: a campaign\'s activity (browser)', () => {
  let server: RunningServer;
  let browser: TestBrowser;
  let session: AdminSession;
  let campaignId = '';
  let api: Record<string, string> = {};

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser(server.url);
    session = await createAdmin(browser.context, server, 'ana@example.com');
    const provider = await apiPost<{ id: string }>(browser.context, server, session, '/api/v1/providers', {
      type: 'gupshup',
      nickname: 'Gupshup main',
      isDefault: true,
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
    const template = await apiPost<{ id: string }>(browser.context, server, session, '/api/v1/templates', { providerId: provider.id, namespace: 'ACME:activity', body: 'Hi {{1}}', attachmentType: 'none' });
    // Sends tomorrow: it stays scheduled (nothing is sent), which pause and resume allow.
    const campaign = await apiPost<{ id: string }>(browser.context, server, session, '/api/v1/campaigns', {
      name: 'Activity check',
      providerId: provider.id,
      templateId: template.id,
      audience: { all: true },
      params: ['{{ Profile.Name | default: "there" }}'],
      sendAt: Date.now() + 24 * 3_600_000,
    });
    campaignId = campaign.id;
    await apiPost(browser.context, server, session, `/api/v1/campaigns/${campaignId}/publish`, {});
    const credential = await apiPost<{ accountId: string; passcode: string }>(browser.context, server, session, `/api/v1/projects/${session.projectId}/credentials`, { label: HOSTILE_LABEL });
    api = { 'x-wacast-account-id': credential.accountId, 'x-wacast-passcode': credential.passcode };
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') await browser.screenshot(`campaign-activity-${context.task.name}`);
  });

  const entries = () => browser.page.getByTestId('campaign-activity').getByRole('listitem');
  const texts = async () => (await entries().allTextContents()).map((text) => text.split(' · ')[0]);

  it('shows who created and published the campaign, newest first', async () => {
    const { page } = browser;
    await page.goto(`/campaigns/${campaignId}`);
    await page.getByRole('heading', { name: 'Activity', exact: true }).waitFor();
    await expect.poll(texts).toEqual([expect.stringMatching(/^Published by ana@example\.com, scheduled for /), 'Created by ana@example.com']);
    expect(await entries().first().locator('time').textContent()).toMatch(/\d{1,2}:\d{2}/);
    expect(await unlabelledControls(page)).toEqual([]);
  });

  it('shows "Paused by <email>" and "Resumed by <email>" as soon as the dashboard pauses and resumes it', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(async () => (await texts())[0]).toBe('Paused by ana@example.com');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(async () => (await texts())[0]).toBe('Resumed by ana@example.com (waiting for its send time)');
    expect(await entries().count()).toBe(4);
  });

  it('shows a pause made through API credentials on its own, by their label, as text', async () => {
    const { page } = browser;
    const response = await fetch(`${server.url}/api/v1/campaigns/${campaignId}/pause`, { method: 'POST', headers: api });
    expect(response.status).toBe(200);
    // No reload: the report's live stream sees the state change and the panel is fetched again.
    await expect.poll(async () => (await texts())[0], { timeout: 10_000 }).toBe(`Paused via API credentials '${HOSTILE_LABEL}'`);
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    expect(await page.getByTestId('campaign-activity').locator('img').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(browser.pageErrors.join('\n')).toBe('');
  });

  it('says in the campaign list who created the campaign', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
    const row = page.getByRole('row', { name: /Activity check/ });
    await expect.poll(async () => (await row.getByRole('cell').allTextContents()).join(' | ')).toContain('by ana@example.com');
  });
});
