/**
 * The whole campaign flow through the dashboard against the sandbox (a protocol-faithful Gupshup
 * Enterprise in this process): a provider account whose callbacks the sandbox posts back to the
 * server, profiles, a template, then Campaigns → + Campaign → WhatsApp in the browser (live
 * reach, Liquid values, preview, a server error next to its field, Send test), Publish, and the
 * report page's numbers moving on their own (server-sent events) until every message is read,
 * skips counted by reason, the log filtered and exported as CSV.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.server.js';
import { chromiumAvailable, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { startServer, type RunningServer } from './helpers/server.js';
import { apiPost, createAdmin, type AdminSession } from './helpers/session.js';
import { connectSandboxAccount } from './helpers/sandbox-account.js';
import { uploadProfiles } from './helpers/audience.js';
import { describeWithRoutes } from './helpers/probe.js';
import { unlabelledControls } from './helpers/a11y.js';
import { holdRequests, recordInputOrder } from './helpers/held-requests.js';
import { atWidth, inFirstLineAfterText, pageOverflow } from './helpers/layout.js';

const NAMESPACE = 'ACME:spring_sale';
const BODY = 'Hi {{1}}, spring deals in {{2}} this week.';
/** Slow enough to watch the numbers move: 5 messages at 2 per second, receipts a moment later. */
const RATE = 2;

const reachable = [
  { identity: 'u1', properties: { Name: 'Asha', Phone: '+919876500001', City: 'Mumbai', 'MSG-whatsapp': true } },
  { identity: 'u2', properties: { Name: 'Ravi', Phone: '+919876500002', City: 'Pune', 'MSG-whatsapp': true } },
  { identity: 'u3', properties: { Phone: '+919876500003', City: 'Delhi', 'MSG-whatsapp': true } },
  { identity: 'u4', properties: { Name: 'Meera', Phone: '+919876500004', City: 'Goa', 'MSG-whatsapp': true } },
  { identity: 'u5', properties: { Name: 'Kiran', Phone: '+919876500005', City: 'Agra', 'MSG-whatsapp': true } },
];
const noCity = { identity: 'u6', properties: { Name: 'Dev', Phone: '+919876500006', 'MSG-whatsapp': true } };
const notOptedIn = { identity: 'u7', properties: { Name: 'Zoya', Phone: '+919876500007', City: 'Pune', 'MSG-whatsapp': false } };

await describeWithRoutes(
  'dashboard: a campaign from the builder to live numbers (browser + sandbox)',
  [
    { method: 'POST', url: '/api/v1/upload' },
    { method: 'POST', url: '/api/v1/segments/estimate' },
    { method: 'POST', url: '/hooks/gupshup/:token/delivery' },
    { method: 'GET', url: '/api/v1/profiles/:identity/messages' },
  ],
  () => {
    let sandbox: Sandbox;
    let server: RunningServer;
    let browser: TestBrowser;
    let session: AdminSession;
    let campaignUrl = '';
    /** Identities the stopped copy sent to before it was stopped (how many depends on timing). */
    let reachedByCopy: string[] = [];
    let ids = { providerId: '', templateId: '' };

    beforeAll(async () => {
      sandbox = await startSandbox({ knobs: { dlrDelayMs: { min: 300, max: 900 }, readShare: 1, callbackRetries: 2 } });
      server = await startServer({ env: { ...sandbox.env } });
      browser = await launchBrowser(server.url);
      session = await createAdmin(browser.context, server);
      ids = await connectSandboxAccount(browser.context, server, session, sandbox, {
        template: { namespace: NAMESPACE, body: BODY },
        provider: { ratePerSecond: RATE },
      });
      await uploadProfiles(browser.context, server, session, [...reachable, noCity, notOptedIn]);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      await sandbox?.close();
    });
    afterEach(async (context) => {
      if (context.task.result?.state === 'fail') await browser.screenshot(`campaigns-${context.task.name}`);
    });

    it('opens Campaigns → + Campaign → WhatsApp with the live reach of all opted-in users', async () => {
      const { page } = browser;
      await page.goto('/');
      await page.getByRole('link', { name: 'Campaigns' }).click();
      await page.getByText('No campaigns yet').waitFor();
      await page.getByRole('button', { name: '+ Campaign' }).click();
      await page.getByRole('link', { name: 'WhatsApp' }).click();
      await page.waitForURL(/\/campaigns\/new\/whatsapp$/);
      for (const section of ['Setup', 'Who', 'What', 'When', 'Delivery', 'Publish']) await page.getByRole('heading', { name: section, exact: true }).waitFor();
      // Six profiles opted in (u7 did not), out of seven.
      await expect.poll(() => page.getByTestId('estimated-reach').textContent()).toBe('6 reachable on WhatsApp, of 7 profiles.');
      expect(await page.getByLabel('Provider account').inputValue()).not.toBe('');
      expect(await page.getByText(`at up to ${RATE} messages per second`).count()).toBe(1);
      expect(await unlabelledControls(page)).toEqual([]);
    });

    it('previews the Liquid values for a sample profile and sends a test with the provider answer', async () => {
      const { page } = browser;
      await page.getByLabel('Campaign name').fill('Spring sale');
      await page.getByLabel('Template', { exact: true }).selectOption({ label: NAMESPACE });
      await page.getByLabel('Value for {{1}}').fill('{{ Profile.Name | default: "there" }}');
      await page.getByLabel('Value for {{2}}').fill('{{ Profile.City }}');
      await page.getByLabel('Sample profile identity').fill('u3');
      await expect.poll(() => page.getByTestId('preview-body').textContent()).toBe('Hi there, spring deals in Delhi this week.');
      await page.getByLabel('Sample profile identity').fill('u6');
      await expect.poll(() => page.getByTestId('preview-error').textContent()).toContain('{{2}}');
      // One sentence: the profile's identity reads inside it, not broken onto a line of its own.
      expect(await inFirstLineAfterText(page.getByTestId('preview-error'), page.getByTestId('preview-error').getByText('u6'))).toBe(true);
      // Publish says so too, before the campaign goes out with such recipients skipped.
      await expect.poll(() => page.getByTestId('publish-preview-warning').textContent()).toMatch(/^The preview says: Cannot render for u6: \{\{2\}\}.*skipped as “Missing placeholder value”/);
      // A test for that profile: the answer sits under the values it is about, not as "params: …" in the panel.
      await page.getByLabel('Test phone number').fill('+919812345678');
      await page.getByRole('button', { name: 'Send test' }).click();
      await expect.poll(() => page.getByTestId('params-error').textContent()).toMatch(/^cannot be rendered for u6: \{\{2\}\}: missing value/);
      expect(await page.getByText('params:').count()).toBe(0);

      await page.getByLabel('Sample profile identity').fill('u1');
      await expect.poll(() => page.getByTestId('preview-body').textContent()).toBe('Hi Asha, spring deals in Mumbai this week.');
      // The answer was about the profile just changed: it goes.
      expect(await page.getByTestId('params-error').count()).toBe(0);
      expect(await page.getByTestId('publish-preview-warning').count()).toBe(0);
      await page.getByLabel('Test phone number').fill('');
      // Without a number the answer sits next to the field, and goes once a number is typed.
      await page.getByRole('button', { name: 'Send test' }).click();
      const phoneError = page.locator('.field', { has: page.getByLabel('Test phone number') }).locator('.field__error');
      await expect.poll(() => phoneError.textContent()).toMatch(/^is empty; write it with its country code/);
      await page.getByLabel('Test phone number').fill('+919812345678');
      await expect.poll(() => phoneError.count()).toBe(0);
      await page.getByRole('button', { name: 'Send test' }).click();
      await page.getByText('Accepted by the provider.').waitFor();
      const test = sandbox.messages({ to: '919812345678' });
      expect(test).toHaveLength(1);
      expect(test[0]!.body).toBe('Hi Asha, spring deals in Mumbai this week.');
    });

    it('puts the server verdict next to the field it is about', async () => {
      const { page } = browser;
      const first = page.getByLabel('Value for {{1}}');
      await first.fill('{{ Profile.Name | shout }}');
      await page.getByLabel('Messages per second').fill(String(RATE));
      await page.getByRole('button', { name: 'Save as draft' }).click();
      const error = page.locator('.field', { has: first }).locator('.field__error');
      await expect.poll(() => error.textContent()).toContain('is not valid Liquid');
      expect(await first.getAttribute('aria-invalid')).toBe('true');
      expect(page.url()).toMatch(/\/campaigns\/new\/whatsapp$/);
      await first.fill('{{ Profile.Name | default: "there" }}');
      // Editing the field retires the server's message about the old value.
      await expect.poll(() => error.count()).toBe(0);
    });

    it('asks before the builder is left with what was typed, and keeps it on Cancel', async () => {
      const { page } = browser;
      const first = page.getByLabel('Value for {{1}}');
      const typed = await first.inputValue();
      expect(typed).not.toBe('');
      const dialog = page.getByRole('dialog', { name: 'Leave without saving?' });
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain('You have not saved this campaign.');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect(page.url()).toMatch(/\/campaigns\/new\/whatsapp$/);
      expect(await first.inputValue()).toBe(typed);
    });

    it('publishes and shows sent, delivered and read rising live, with skips by reason', async () => {
      const { page } = browser;
      await page.getByRole('button', { name: 'Publish' }).click();
      await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
      campaignUrl = page.url();
      await page.getByText('Campaign published.').waitFor();
      // Marks this page load: if anything reloaded the page, the mark would be gone.
      await page.evaluate('window.__sameLoad = true');
      await expect.poll(() => page.getByTestId('stream-status').textContent()).toBe('Live');

      const stat = async (id: string) => Number((await page.getByTestId(`stat-${id}-value`).textContent())?.replace(/,/g, ''));
      // Seen in between: some sent, not all read yet (2 per second, receipts 0.3–0.9 s later).
      const seen = { partial: false };
      await expect
        .poll(
          async () => {
            const [sent, read] = [await stat('sent'), await stat('read')];
            if (sent > 0 && read < reachable.length) seen.partial = true;
            return read;
          },
          { timeout: 30_000, interval: 100 },
        )
        .toBe(reachable.length);
      expect(seen.partial).toBe(true);
      expect(await stat('targeted')).toBe(7);
      expect(await stat('sent')).toBe(5);
      expect(await stat('delivered')).toBe(5);
      expect(await stat('failed')).toBe(0);
      // Each share says what it is a share of: Sent is 100% of the 5 not skipped, not of the 7 targeted.
      expect(await page.getByTestId('stat-sent-share').getAttribute('title')).toBe('of 5 not skipped');
      expect(await page.getByTestId('stat-sent-share').textContent()).toBe('100% of 5 not skipped');
      expect(await page.getByTestId('stat-skipped-share').getAttribute('title')).toBe('of 7 targeted');
      expect(await page.getByTestId('skipped-notOptedIn').textContent()).toBe('Not opted in1');
      expect(await page.getByTestId('skipped-renderError').textContent()).toBe('Missing placeholder value1');
      await expect.poll(() => page.getByTestId('funnel-chart').getAttribute('aria-label')).toBe('Funnel: Targeted 7, Sent 5, Delivered 5, Read 5, Replied 0');
      await page.getByTestId('timeline-chart').waitFor({ timeout: 15_000 });
      await expect.poll(() => page.getByTestId('campaign-state').textContent(), { timeout: 15_000 }).toBe('Completed');
      // Finished, not "Live" (the page still follows late receipts and replies).
      await expect.poll(() => page.getByTestId('stream-status').textContent()).toBe('Finished: late delivery reports and replies still update these numbers.');
      expect(await page.evaluate('window.__sameLoad')).toBe(true);
      expect(await unlabelledControls(page)).toEqual([]);

      // The sandbox got exactly one correctly rendered message per reachable recipient.
      const sent = sandbox.messages({ kind: 'template' }).filter((message) => message.to !== '919812345678');
      expect(sent.map((message) => message.to).sort()).toEqual(reachable.map((profile) => profile.properties.Phone.slice(1)).sort());
      const bodies = sent.map((message) => message.body);
      expect(bodies).toContain('Hi Meera, spring deals in Goa this week.');
      expect(bodies).toContain('Hi there, spring deals in Delhi this week.');
    }, 60_000);

    it('filters the message log by status and exports it as CSV', async () => {
      const { page } = browser;
      const log = page.getByTestId('message-log');
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect.poll(() => log.locator('tbody tr').count()).toBe(7);
      await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Skipped' });
      await expect.poll(() => log.locator('tbody tr').count()).toBe(2);
      expect(await log.locator('tbody').textContent()).toContain('Not opted in');
      // Every message was read: none is still only sent, though the report counts 5 sent.
      await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Sent, not delivered yet' });
      await page.getByText('No messages match “Sent, not delivered yet”.').waitFor();
      await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Skipped' });
      await expect.poll(() => log.locator('tbody tr').count()).toBe(2);

      const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
      expect(href).toContain('format=csv');
      const csv = await browser.context.request.get(new URL(href!, server.url).toString());
      expect(csv.headers()['content-type']).toContain('text/csv');
      // The dashboard's export starts with a byte-order mark, so that Excel reads it as UTF-8.
      const text = (await csv.body()).toString('utf8');
      expect(text.charCodeAt(0)).toBe(0xfeff);
      const lines = text.slice(1).trim().split('\n');
      expect(lines[0]).toMatch(/^message_id,identity,phone,status,skip_reason/);
      expect(lines).toHaveLength(3);
      expect(lines.filter((line) => line.includes(',skipped,'))).toHaveLength(2);
      expect(page.url()).toBe(campaignUrl);
    });

    it('lists the campaign with its numbers and filters the list by state', async () => {
      const { page } = browser;
      await page.getByRole('link', { name: '← Back to the campaigns' }).click();
      const row = page.getByRole('row', { name: /Spring sale/ });
      await row.waitFor();
      const cells = await row.getByRole('cell').allTextContents();
      expect(cells.slice(1, 8)).toEqual(['Completed', '7', '5', '5', '5', '0', '0']);
      // A scheduled campaign says when it starts, naming the time zone; its row keeps the list inside a 1280-pixel window.
      const scheduled = await apiPost<{ id: string }>(browser.context, server, session, '/api/v1/campaigns', {
        name: 'Autumn preview',
        ...ids,
        audience: { identities: ['u1'] },
        params: ['Asha', 'Mumbai'],
        sendAt: Date.UTC(2099, 8, 1, 9, 30),
      });
      await apiPost(browser.context, server, session, `/api/v1/campaigns/${scheduled.id}/publish`, {});
      await page.reload();
      const starts = page.getByRole('row', { name: /Autumn preview/ }).getByRole('cell').first();
      await expect.poll(() => starts.textContent()).toMatch(/^Autumn previewStarts .*2099.*(UTC|GMT)/);
      const listBox = page.getByTestId('campaign-list').locator('..');
      expect(await listBox.evaluate((box) => box.scrollWidth - box.clientWidth)).toBe(0);
      // In an 800-pixel window the table scrolls in its own box; the page itself does not move sideways.
      await atWidth(page, 800, async () => {
        await expect.poll(() => pageOverflow(page)).toBe(0);
        await row.getByRole('cell').last().scrollIntoViewIfNeeded();
        expect(await row.getByRole('cell').last().isVisible()).toBe(true);
      });
      await page.getByLabel('State', { exact: true }).selectOption({ label: 'Draft' });
      await page.getByText('No draft campaigns').waitFor();
    });

    it("shows the campaign's message on a recipient's profile page", async () => {
      const { page } = browser;
      // A skipped recipient's row gives the reason in the report's words (u6 has no City for {{2}}).
      await page.goto('/audience/profiles/u6');
      const skipped = page.getByRole('row', { name: /Spring sale/ });
      await expect.poll(async () => (await skipped.getByRole('cell').allTextContents()).slice(1, 3)).toEqual(['Skipped', expect.stringMatching(/^Missing placeholder value/)]);
      await page.getByRole('link', { name: 'Audience' }).click();
      await page.getByLabel('Search profiles').fill('u4');
      await page.getByTestId('profile-results').getByRole('link', { name: 'u4' }).click();
      await page.getByRole('heading', { name: 'Meera' }).waitFor();
      const row = page.getByRole('row', { name: /Spring sale/ });
      await expect.poll(async () => (await row.getByRole('cell').allTextContents()).slice(0, 2)).toEqual(['Spring sale', 'Read']);
      await row.getByRole('link', { name: 'Spring sale' }).click();
      await page.waitForURL(campaignUrl);
    });

    it('clones into a draft, then pauses, resumes and stops the copy (Stop asks first)', async () => {
      const { page } = browser;
      await page.getByRole('button', { name: 'Clone' }).click();
      await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}\/edit$/);
      await page.getByText('Copied into a new draft.').waitFor();
      expect(await page.getByLabel('Campaign name').inputValue()).toBe('Spring sale (copy)');
      expect(await page.getByLabel('Value for {{2}}').inputValue()).toBe('{{ Profile.City }}');
      await page.getByLabel('Messages per second').fill('1');
      await page.getByRole('button', { name: 'Publish' }).click();
      await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
      const state = page.getByTestId('campaign-state');
      const published = page.getByText('Campaign published.');
      await published.waitFor();

      await page.getByRole('button', { name: 'Pause' }).click();
      await expect.poll(() => state.textContent()).toBe('Paused');
      // Paused is not over: it may still send.
      expect(await page.getByTestId('stream-status').textContent()).toBe('Live');
      // The notice of how the page was reached is old news once the campaign was changed here.
      await published.waitFor({ state: 'detached' });
      // Paused, it can change its name and delivery settings (not its message): only those are offered.
      await page.getByRole('link', { name: 'Change delivery' }).click();
      await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}\/edit$/);
      expect(await page.getByLabel('Value for {{1}}').count()).toBe(0);
      await page.getByLabel('Messages per second').fill('0');
      await page.getByRole('button', { name: 'Save changes' }).click();
      const rateError = page.locator('.field', { has: page.getByLabel('Messages per second') }).locator('.field__error');
      await expect.poll(() => rateError.textContent()).toBe('must be a whole number of at least 1');
      await page.getByLabel('Messages per second').fill('2');
      await page.getByLabel('Campaign name').fill('Spring sale (copy, slower)');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
      await page.getByText('Changes saved.').waitFor();
      await page.getByRole('heading', { name: 'Spring sale (copy, slower)' }).waitFor();
      await expect.poll(() => page.locator('.details').locator('dt', { hasText: 'Messages per second' }).locator('xpath=following-sibling::dd[1]').textContent()).toBe('2');
      expect(await state.textContent()).toBe('Paused');
      await page.getByRole('button', { name: 'Resume' }).click();
      await expect.poll(() => state.textContent()).toBe('Running');
      await page.getByRole('button', { name: 'Pause' }).click();
      await expect.poll(() => state.textContent()).toBe('Paused');

      await page.getByRole('button', { name: 'Stop' }).click();
      const dialog = page.getByRole('dialog', { name: 'Stop the campaign' });
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      expect(await state.textContent()).toBe('Paused');
      await page.getByRole('button', { name: 'Stop' }).click();
      await dialog.getByRole('button', { name: 'Stop campaign' }).click();
      await expect.poll(() => state.textContent()).toBe('Stopped');
      expect(await page.getByTestId('stream-status').textContent()).toBe('Finished: late delivery reports and replies still update these numbers.');
      // Stopped for good: only Clone is left, and the details say when it stopped.
      expect(await page.locator('.campaign-actions button').allTextContents()).toEqual(['Clone']);
      const details = page.locator('.details');
      await details.locator('dt', { hasText: 'Stopped' }).waitFor();
      expect(await details.locator('dt', { hasText: 'Completed' }).count()).toBe(0);
      const stat = async (id: string) => Number(await page.getByTestId(`stat-${id}-value`).textContent());
      await expect.poll(() => stat('queued')).toBe(0);
      const cancelled = (await page.getByTestId('stat-cancelled-value').count()) > 0 ? await stat('cancelled') : 0;
      expect((await stat('sent')) + cancelled).toBe(5);
      const copyId = new URL(page.url()).pathname.split('/').pop()!;
      const log = await browser.context.request.get(`${server.url}/api/v1/campaigns/${copyId}/messages?limit=500`);
      const { items } = (await log.json()) as { items: Array<{ identity: string; status: string }> };
      reachedByCopy = items.filter((item) => ['sent', 'delivered', 'read'].includes(item.status)).map((item) => item.identity);
      expect(reachedByCopy.length).toBe(await stat('sent'));
      expect(browser.pageErrors.join('\n')).toBe('');
    }, 60_000);

    it('skips everyone already messaged when a copy is published with a frequency cap', async () => {
      const { page } = browser;
      await page.goto(campaignUrl);
      await page.getByRole('button', { name: 'Clone' }).click();
      await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}\/edit$/);
      await page.getByLabel('Frequency cap').check();
      const messages = page.getByLabel('At most (messages per user)');
      await messages.fill('0');
      await page.getByRole('button', { name: 'Publish' }).click();
      const error = page.locator('.field', { has: messages }).locator('.field__error');
      await expect.poll(() => error.textContent()).toContain('must be a whole number from 1 to 100');
      // A cap out of bounds is not estimated with: the reach alone.
      const reach = page.getByTestId('estimated-reach');
      await expect.poll(() => reach.textContent()).toBe('6 reachable on WhatsApp, of 7 profiles.');
      await messages.fill('1');
      await page.getByLabel('In the last (days)').fill('7');
      // u1–u5 each got a message this week; u6 was skipped (no City), which does not count.
      await expect.poll(() => reach.textContent()).toBe('6 reachable on WhatsApp, of 7 profiles · about 5 would be skipped by the frequency cap.');

      // While the estimate for a changed cap loads (held here), the previous one stays, dimmed and marked as updating —
      // from the change on, not only once the request (debounced by 300 ms) starts.
      const estimate = await holdRequests(page, '**/api/v1/audience/estimate');
      const order = await recordInputOrder(page, '[data-testid="estimated-reach"]', 'reach__value--previous', '/api/v1/audience/estimate');
      await messages.fill('2');
      await estimate.asked;
      expect(await order()).toEqual(['input', 'marked', 'next task', 'asked']);
      expect(await reach.textContent()).toBe('6 reachable on WhatsApp, of 7 profiles · about 5 would be skipped by the frequency cap.');
      expect(await reach.getAttribute('class')).toContain('reach__value--previous');
      await page.locator('.reach').getByText('(updating…)').waitFor();
      estimate.release();
      // Two campaign messages this week: whoever the stopped copy reached before it was paused (test messages, like
      // the one sent from the builder to u3, do not count).
      const twice = new Set(reachedByCopy).size;
      await expect.poll(async () => (await reach.getAttribute('class')) ?? '').not.toContain('reach__value--previous');
      expect(await reach.textContent()).toBe(
        `6 reachable on WhatsApp, of 7 profiles · ${twice === 0 ? 'none' : `about ${twice}`} would be skipped by the frequency cap.`,
      );
      await estimate.stop();
      await messages.fill('1');
      await expect.poll(() => reach.textContent()).toBe('6 reachable on WhatsApp, of 7 profiles · about 5 would be skipped by the frequency cap.');

      await page.getByLabel('In the last (days)').fill('');
      await expect.poll(() => reach.textContent()).toBe('6 reachable on WhatsApp, of 7 profiles.');
      await page.getByLabel('In the last (days)').fill('7');
      await page.getByRole('button', { name: 'Publish' }).click();
      await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
      await expect.poll(() => page.getByTestId('campaign-state').textContent(), { timeout: 15_000 }).toBe('Completed');
      // The five reachable recipients each got the first campaign's message: all capped.
      await expect.poll(() => page.getByTestId('skipped-frequencyCap').textContent()).toBe('Frequency cap5');
      expect(await page.getByTestId('stat-sent-value').textContent()).toBe('0');
      await page.getByText('At most 1 per user in 7 days').waitFor();
      expect(browser.pageErrors.join('\n')).toBe('');
    }, 60_000);

    it("shows the daily messaging limit's usage on the provider pages, and warns in the builder when the audience is larger than what is left", async () => {
      const { page } = browser;
      await page.goto(`/settings/channels/whatsapp/${ids.providerId}`);
      const limit = page.getByLabel('Daily messaging limit');
      expect(await limit.inputValue()).toBe('');
      await page.getByText('WhatsApp lets a number start conversations with only so many unique users in a rolling 24 hours', { exact: false }).waitFor();
      await limit.selectOption({ label: '250 unique users per 24 hours' });
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Changes saved.').waitFor();
      // u1–u5 got the first campaign's message (the copies reached no one new; test messages do not count).
      await expect.poll(() => page.getByTestId('messaging-limit-usage').textContent()).toBe(' · Daily messaging limit: used 5 of 250 in the last 24 h (245 left)');
      await page.goto('/settings/channels/whatsapp');
      await page.getByRole('row', { name: /used 5 of 250 in the last 24 h/ }).waitFor();

      // 250 more opted-in profiles: everyone is now more than the 245 left.
      await uploadProfiles(
        browser.context,
        server,
        session,
        Array.from({ length: 250 }, (_, i) => ({ identity: `bulk-${i}`, properties: { Phone: `+9198770${String(i).padStart(5, '0')}`, 'MSG-whatsapp': true } })),
      );
      await page.goto('/campaigns/new/whatsapp');
      await expect.poll(() => page.getByTestId('estimated-reach').textContent()).toBe('256 reachable on WhatsApp, of 257 profiles.');
      const warning = page.getByTestId('messaging-limit-warning');
      await expect.poll(() => warning.textContent()).toContain(
        'This audience of 256 is more than the 250 unique users this number may message in 24 hours (245 left); WhatsApp will fail the rest (about 11 messages).',
      );
      expect(await warning.textContent()).toContain('You can still publish.');
      expect(await warning.getByRole('link', { name: 'Open the provider account' }).getAttribute('href')).toBe(`/settings/channels/whatsapp/${ids.providerId}`);
      // A list of two fits: no warning.
      await page.getByLabel('An uploaded list of identities').check();
      await page.getByLabel('Identities', { exact: true }).fill('u1\nu2');
      await expect.poll(() => page.getByTestId('estimated-reach').textContent()).toBe('2 reachable on WhatsApp, of 2 profiles found for the 2 identities listed.');
      expect(await warning.count()).toBe(0);
      expect(browser.pageErrors.join('\n')).toBe('');
    }, 60_000);
  },
  { enabled: chromiumAvailable },
);
