/**
 * The Inbox after real callbacks from the sandbox: a campaign reaches a tracked user who answers
 * STOP, and an untracked number writes "hi" with markup in it. Both conversations are listed; the
 * STOP one shows the campaign it answers, the confirmation with its delivery ticks, and takes an
 * agent reply inside the 24-hour window; the untracked one shows its text literally (no script
 * runs, no image loads) and the auto-reply it got.
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

const NAMESPACE = 'ACME:spring_sale';
const BODY = 'Hi {{1}}, spring deals this week.';
const TRACKED = '919876500001';
const UNTRACKED = '919811111111';
const TEST_PHONE = '919822222222';
const IMAGE_NAMESPACE = 'ACME:spring_picture';
const IMAGE_BODY = 'Our spring look, {{1}}.';
const HOSTILE = 'hi <script>window.__injected = 1</script><img src="x" onerror="window.__injected = 2">';
const AUTO_REPLY = 'Thanks for writing to Acme! We will get back to you soon.';
const RTL_PHONE = '966500000001';
const OLD_STOP = '919844444444';
const CLOSING = '919855555555';
const RTL_TEXT = 'مرحبا، هل العرض متاح؟\nشكرا!';
const NAMED = '919866666666';
const HOSTILE_NAME = '<img src="x" onerror="window.__named = 1">Zoë';
const NOT_OPTED_IN = '919877777777';

await describeWithRoutes(
  'dashboard: Inbox with a STOP from a tracked user and "hi" from an untracked one (browser + sandbox)',
  [
    { method: 'POST', url: '/api/v1/upload' },
    { method: 'GET', url: '/api/v1/inbox' },
    { method: 'POST', url: '/hooks/gupshup/:token/inbound' },
  ],
  () => {
    let sandbox: Sandbox;
    let server: RunningServer;
    let browser: TestBrowser;
    let session: AdminSession;
    let providerId: string;

    beforeAll(async () => {
      sandbox = await startSandbox({ knobs: { dlrDelayMs: { min: 50, max: 200 }, readShare: 1, callbackRetries: 2 } });
      server = await startServer({ env: { ...sandbox.env } });
      browser = await launchBrowser(server.url);
      session = await createAdmin(browser.context, server);
      const connected = await connectSandboxAccount(browser.context, server, session, sandbox, {
        template: { namespace: NAMESPACE, body: BODY },
        moreTemplates: [{ namespace: IMAGE_NAMESPACE, body: IMAGE_BODY, attachment: 'image' }],
        provider: { autoReply: { enabled: true, text: AUTO_REPLY } },
      });
      providerId = connected.providerId;
      const templateId = connected.templateId;
      await uploadProfiles(browser.context, server, session, [{ identity: 'u1', properties: { Name: 'Asha', Phone: `+${TRACKED}`, 'MSG-whatsapp': true } }]);
      const campaign = await apiPost<{ id: string }>(browser.context, server, session, '/api/v1/campaigns', {
        name: 'Spring sale',
        providerId,
        templateId,
        audience: { identities: ['u1'] },
        params: ['{{ Profile.Name }}'],
      });
      await apiPost(browser.context, server, session, `/api/v1/campaigns/${campaign.id}/publish`, {});
      await waitFor(() => sandbox.messages({ to: TRACKED, kind: 'template' }).length === 1, 15_000, 'the campaign message at the sandbox');
      const sent = sandbox.messages({ to: TRACKED, kind: 'template' })[0]!;
      await sandbox.inbound({ account: 'acme', from: TRACKED, name: 'Asha', text: 'STOP', contextId: sent.id }).delivery;
      await sandbox.inbound({ account: 'acme', from: UNTRACKED, name: 'Stranger', text: HOSTILE }).delivery;
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      await sandbox?.close();
    });
    afterEach(async (context) => {
      if (context.task.result?.state === 'fail') await browser.screenshot(`inbox-${context.task.name}`);
    });

    it('lists both conversations, the tracked one by name with its campaign', async () => {
      const { page } = browser;
      await page.goto('/');
      // The page follows the Inbox's event stream (changes show without waiting for the next poll).
      const stream = page.waitForResponse((response) => response.url().endsWith('/api/v1/inbox/events'));
      await page.getByRole('link', { name: 'Inbox' }).click();
      expect((await stream).status()).toBe(200);
      const list = page.getByTestId('conversations');
      await expect.poll(() => list.locator('li').count(), { timeout: 15_000 }).toBe(2);
      const tracked = list.getByRole('link', { name: /Asha/ });
      expect(await tracked.textContent()).toContain('Spring sale');
      const untracked = list.getByRole('link', { name: /Unknown sender/ });
      expect(await untracked.textContent()).toContain(`+${UNTRACKED}`);
      expect(await unlabelledControls(page)).toEqual([]);

      // The search finds digits of the phone, the profile's name, or the name a sender set in WhatsApp.
      const search = page.getByLabel('Search by name or phone');
      await search.fill(UNTRACKED.slice(-6));
      await expect.poll(() => list.locator('li').count()).toBe(1);
      await search.fill('asha');
      await expect.poll(() => list.getByRole('link', { name: /Unknown sender/ }).count()).toBe(0);
      // The previous results stay (dimmed, busy) until the new ones arrive: never an empty list between.
      expect(await list.getByRole('link', { name: /Asha/ }).count()).toBe(1);
      expect(await list.getAttribute('aria-busy')).toBe('false');
      await search.fill('Stranger');
      await expect.poll(() => list.getByRole('link', { name: /Asha/ }).count()).toBe(0);
      expect(await list.getByRole('link', { name: /Unknown sender/ }).count()).toBe(1);
      await search.fill('');
      await expect.poll(() => list.locator('li').count()).toBe(2);
    });

    it('shows inbound markup as literal text: nothing runs, nothing loads', async () => {
      const { page } = browser;
      await page.getByTestId('conversations').getByRole('link', { name: /Unknown sender/ }).click();
      const inbound = page.getByTestId('message-in');
      await inbound.first().waitFor();
      expect(await inbound.getByTestId('message-text').textContent()).toBe(HOSTILE);
      expect(await page.locator('[data-testid="messages"] script, [data-testid="messages"] img').count()).toBe(0);
      expect(await page.evaluate('window.__injected')).toBeUndefined();
      // The untracked number got the auto-reply once, with its delivery ticks.
      await waitFor(() => sandbox.messages({ to: UNTRACKED }).length === 1, 15_000, 'the auto-reply at the sandbox');
      const outbound = page.getByTestId('message-out');
      await expect.poll(() => outbound.count(), { timeout: 15_000 }).toBe(1);
      expect(await outbound.getByTestId('message-text').textContent()).toBe(AUTO_REPLY);
      await expect.poll(() => outbound.getByTestId('ticks').textContent(), { timeout: 15_000 }).toContain('Read');
    });

    it('shows the STOP conversation with the campaign, the confirmation and its ticks, and sends a reply inside the window', async () => {
      const { page } = browser;
      await page.getByTestId('conversations').getByRole('link', { name: /Asha/ }).click();
      const messages = page.getByTestId('messages');
      await expect.poll(() => messages.getByTestId('message-in').getByTestId('message-text').allTextContents()).toEqual(['STOP']);
      expect(await messages.getByTestId('message-in').textContent()).toContain('Spring sale');
      // She opted out: the conversation says so (templates would be refused; free text inside the window is not).
      await expect.poll(() => page.getByTestId('opted-out').textContent()).toBe('Opted out');
      expect(await page.getByTestId('conversations').getByRole('link', { name: /Asha/ }).textContent()).toContain('opted out');
      const outTexts = () => messages.getByTestId('message-out').getByTestId('message-text').allTextContents();
      await expect.poll(outTexts, { timeout: 15_000 }).toEqual(['Hi Asha, spring deals this week.', 'You have been unsubscribed. Reply START to subscribe again.']);
      await expect.poll(() => messages.getByTestId('message-out').first().getByTestId('ticks').textContent(), { timeout: 15_000 }).toContain('Read');

      await page.getByLabel('Your reply').fill('Sorry to see you go, Asha.');
      await page.getByRole('button', { name: 'Send reply' }).click();
      await expect.poll(outTexts, { timeout: 15_000 }).toContain('Sorry to see you go, Asha.');
      await waitFor(() => sandbox.messages({ to: TRACKED, kind: 'session' }).some((message) => message.body === 'Sorry to see you go, Asha.'), 15_000, 'the agent reply at the sandbox');
      expect(browser.pageErrors.join('\n')).toBe('');
    });

    it('sends test templates from the account page, with a placeholder value and with an image\'s media URL, and shows the provider answer', async () => {
      const { page } = browser;
      await page.goto('/settings/channels/whatsapp');
      await page.getByRole('button', { name: 'Send test message with Gupshup sandbox' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Phone number').fill(`+${TEST_PHONE}`);
      // Without a template the answer asks for one, next to the picker; choosing one retires the message.
      await dialog.getByRole('button', { name: 'Send test message' }).click();
      const templateError = dialog.locator('.field', { has: page.getByLabel('Template', { exact: true }) }).locator('.field__error');
      await expect.poll(() => templateError.textContent()).toBe('is required: choose a template');
      await dialog.getByLabel('Template').selectOption({ label: NAMESPACE });
      await expect.poll(() => templateError.count()).toBe(0);
      await dialog.getByText(BODY).waitFor();
      // Values are sent as typed: Liquid copied from a campaign is refused next to its field.
      const value = dialog.getByLabel('Value for {{1}}');
      await value.fill('{{ Profile.Name }}');
      await dialog.getByRole('button', { name: 'Send test message' }).click();
      const valueError = dialog.locator('.field', { has: page.getByLabel('Value for {{1}}') }).locator('.field__error');
      await expect.poll(() => valueError.textContent()).toMatch(/^looks like Liquid .* sent as typed/);
      await value.fill('Ravi');
      await dialog.getByRole('button', { name: 'Send test message' }).click();
      await dialog.getByText('Accepted by the provider.', { exact: false }).waitFor();
      await waitFor(() => sandbox.messages({ to: TEST_PHONE, kind: 'template' }).length === 1, 15_000, 'the test message at the sandbox');
      expect(sandbox.messages({ to: TEST_PHONE, kind: 'template' })[0]!.params).toEqual(['Ravi']);

      // A template with an image needs its media URL: the field appears with it, and the URL goes out.
      expect(await dialog.getByLabel('Media URL').count()).toBe(0);
      await dialog.getByLabel('Template').selectOption({ label: IMAGE_NAMESPACE });
      await dialog.getByLabel('Value for {{1}}').fill('Ravi');
      await dialog.getByRole('button', { name: 'Send test message' }).click();
      await expect.poll(() => dialog.getByText('is required: the template has an image attachment').count()).toBe(1);
      await dialog.getByLabel('Media URL').fill('https://cdn.example.com/spring.jpg');
      await dialog.getByRole('button', { name: 'Send test message' }).click();
      await waitFor(() => sandbox.messages({ to: TEST_PHONE, kind: 'template' }).length === 2, 15_000, 'the image test message at the sandbox');
      expect(sandbox.messages({ to: TEST_PHONE, kind: 'template' })[1]).toMatchObject({ params: ['Ravi'], mediaUrl: 'https://cdn.example.com/spring.jpg' });
      expect(browser.pageErrors.join('\n')).toBe('');
    });

    it('shows right-to-left text in its own direction, and a shared location with a link to a map', async () => {
      const { page } = browser;
      await sandbox.inbound({ account: 'acme', from: RTL_PHONE, name: 'Layla', text: RTL_TEXT }).delivery;
      await sandbox.inbound({ account: 'acme', from: RTL_PHONE, name: 'Layla', type: 'location', latitude: 24.7136, longitude: 46.6753 }).delivery;
      await page.goto(`/inbox/${encodeURIComponent(`+${RTL_PHONE}`)}`);
      const inbound = page.getByTestId('messages').getByTestId('message-in');
      await expect.poll(() => inbound.count(), { timeout: 15_000 }).toBe(2);
      const text = inbound.first().getByTestId('message-text');
      expect(await text.textContent()).toBe(RTL_TEXT);
      expect(await text.evaluate((element) => element.ownerDocument.defaultView?.getComputedStyle(element).direction)).toBe('rtl');
      const location = inbound.last().getByTestId('message-location');
      expect(await location.textContent()).toContain('Location: 24.7136, 46.6753');
      expect(await location.getByRole('link', { name: 'Open map' }).getAttribute('href')).toBe('https://www.openstreetmap.org/?mlat=24.7136&mlon=46.6753#map=17/24.7136/46.6753');
      expect(await inbound.last().getByTestId('message-text').count()).toBe(0);
      expect(browser.pageErrors.join('\n')).toBe('');
    });

    it('lists conversations 50 at a time: More conversations reaches the older ones', async () => {
      const { page } = browser;
      const phones = Array.from({ length: 50 }, (_, i) => `91983300${String(i).padStart(4, '0')}`);
      await Promise.all(phones.map((from) => sandbox.inbound({ account: 'acme', from, text: 'hello' }).delivery));
      // Delivered is not yet applied: wait until all 53 conversations exist, or the first page could
      // load with some of the 50 missing and the next page (older ones) would never show them.
      await expect
        .poll(async () => ((await (await browser.context.request.get(`${server.url}/api/v1/inbox?limit=200`)).json()) as { items: unknown[] }).items.length, { timeout: 20_000 })
        .toBe(53);
      await page.goto('/inbox');
      const list = page.getByTestId('conversations');
      await expect.poll(() => list.locator('li').count(), { timeout: 20_000 }).toBe(50);
      // The first conversations (Asha, the untracked "hi", Layla) are older than the 50 new ones.
      expect(await list.getByRole('link', { name: /Asha/ }).count()).toBe(0);
      await page.getByRole('button', { name: 'More conversations' }).click();
      // expect.poll gives up after 1 s by default: a loaded machine can take longer to fetch and render.
      await expect.poll(() => list.locator('li').count(), { timeout: 10_000 }).toBe(53);
      expect(await list.getByRole('link', { name: /Asha/ }).count()).toBe(1);
      expect(await page.getByRole('button', { name: 'More conversations' }).count()).toBe(0);

      // Opened from the bottom of a long list, the conversation shows where the agent is looking,
      // beside the list, not at the top of the page out of view.
      await list.getByRole('link', { name: /Asha/ }).click();
      const title = page.locator('#conversation-title');
      await expect.poll(() => title.textContent(), { timeout: 10_000 }).toMatch(/Asha/);
      const inView = await title.evaluate((element) => {
        const box = element.getBoundingClientRect();
        const view = element.ownerDocument.defaultView!;
        return { top: box.top, bottom: box.bottom, height: view.innerHeight, scrolled: view.scrollY };
      });
      expect(inView.scrolled).toBeGreaterThan(inView.height);
      expect(inView.top).toBeGreaterThanOrEqual(0);
      expect(inView.bottom).toBeLessThanOrEqual(inView.height);
      expect(browser.pageErrors.join('\n')).toBe('');
    });

    it('says when a user opted out and, with the window closed, explains instead of offering templates that would be refused', async () => {
      const { page } = browser;
      // A STOP written two days ago, delivered late by the provider: the phone opts out, the window is closed.
      const account = (await (await browser.context.request.get(`${server.url}/api/v1/providers/${providerId}`)).json()) as { inboundCallbackUrl: string };
      const late = await browser.context.request.post(account.inboundCallbackUrl, {
        data: { waNumber: GUPSHUP_CREDENTIALS.mobileNumber.replace('+', ''), mobile: OLD_STOP, replyId: 'late-stop-1', text: 'STOP', type: 'text', timestamp: String(Date.now() - 2 * 24 * 60 * 60 * 1000) },
      });
      expect(late.status()).toBe(200);
      await page.goto(`/inbox/${encodeURIComponent(`+${OLD_STOP}`)}`);
      await expect.poll(() => page.getByTestId('opted-out').count(), { timeout: 15_000 }).toBe(1);
      await page.getByText('this user opted out of WhatsApp messages', { exact: false }).waitFor();
      expect(await page.getByRole('button', { name: 'Send template' }).count()).toBe(0);
      expect(await page.getByLabel('Your reply').count()).toBe(0);
      expect(browser.pageErrors.join('\n')).toBe('');
    });

    it('keeps what the agent was writing when the window closes under their hands, and offers a template', async () => {
      const { page } = browser;
      // Written 24 hours ago less 8 seconds: the window closes while the agent types.
      const account = (await (await browser.context.request.get(`${server.url}/api/v1/providers/${providerId}`)).json()) as { inboundCallbackUrl: string };
      const closing = await browser.context.request.post(account.inboundCallbackUrl, {
        data: { waNumber: GUPSHUP_CREDENTIALS.mobileNumber.replace('+', ''), mobile: CLOSING, replyId: 'closing-1', text: 'Is the offer still on?', type: 'text', timestamp: String(Date.now() - 24 * 60 * 60 * 1000 + 8000) },
      });
      expect(closing.status()).toBe(200);
      await page.goto(`/inbox/${encodeURIComponent(`+${CLOSING}`)}`);
      const draft = 'Yes, until Sunday: use the code SPRING.';
      await page.getByLabel('Your reply').fill(draft);
      const unsent = page.getByTestId('unsent-reply');
      await unsent.waitFor({ timeout: 25_000 });
      expect(await unsent.getByLabel('Your unsent reply').inputValue()).toBe(draft);
      expect(await page.getByLabel('Your reply').count()).toBe(0);
      await page.getByRole('button', { name: 'Send template' }).waitFor();
      await unsent.getByRole('button', { name: 'Discard the unsent reply' }).click();
      expect(await page.getByTestId('unsent-reply').count()).toBe(0);
      expect(browser.pageErrors.join('\n')).toBe('');
    });

    it('shows the WhatsApp name a sender without a profile set next to their phone, as text', async () => {
      const { page } = browser;
      await sandbox.inbound({ account: 'acme', from: NAMED, name: HOSTILE_NAME, text: 'who is this?' }).delivery;
      await page.goto(`/inbox/${encodeURIComponent(`+${NAMED}`)}`);
      const title = page.locator('#conversation-title');
      await expect.poll(() => title.getByTestId('sender-name').textContent(), { timeout: 15_000 }).toBe(`~${HOSTILE_NAME}`);
      expect(await title.textContent()).toContain(`+${NAMED}`);
      const listed = page.getByTestId('conversations').getByRole('link', { name: new RegExp(`\\+${NAMED}`) });
      await expect.poll(() => listed.getByTestId('sender-name').textContent(), { timeout: 15_000 }).toBe(`~${HOSTILE_NAME}`);
      expect(await page.locator('#conversation-title img, [data-testid="conversations"] img').count()).toBe(0);
      expect(await page.evaluate('window.__named')).toBeUndefined();
      // A tracked user is shown by the profile's name: no second name beside it.
      await page.goto(`/inbox/${encodeURIComponent(`+${TRACKED}`)}`);
      await expect.poll(() => page.locator('#conversation-title').textContent(), { timeout: 15_000 }).toBe('Asha');
      expect(browser.pageErrors.join('\n')).toBe('');
    });

    it('says when a profile has not opted in to WhatsApp and, with the window closed, explains instead of offering templates that would be refused', async () => {
      const { page } = browser;
      await uploadProfiles(browser.context, server, session, [{ identity: 'u9', properties: { Name: 'Nina', Phone: `+${NOT_OPTED_IN}` } }]);
      const account = (await (await browser.context.request.get(`${server.url}/api/v1/providers/${providerId}`)).json()) as { inboundCallbackUrl: string };
      const old = await browser.context.request.post(account.inboundCallbackUrl, {
        data: { waNumber: GUPSHUP_CREDENTIALS.mobileNumber.replace('+', ''), mobile: NOT_OPTED_IN, replyId: 'not-opted-in-1', text: 'Any news?', type: 'text', timestamp: String(Date.now() - 2 * 24 * 60 * 60 * 1000) },
      });
      expect(old.status()).toBe(200);
      await page.goto(`/inbox/${encodeURIComponent(`+${NOT_OPTED_IN}`)}`);
      await expect.poll(() => page.getByTestId('not-opted-in').textContent(), { timeout: 15_000 }).toBe('Not opted in');
      await page.getByText('this profile has not opted in to WhatsApp (MSG-whatsapp is not true)', { exact: false }).waitFor();
      expect(await page.getByRole('button', { name: 'Send template' }).count()).toBe(0);
      // Written two days ago, the conversation is far down the list: found by its number.
      await page.getByLabel('Search by name or phone').fill(NOT_OPTED_IN.slice(-7));
      const listed = page.getByTestId('conversations').getByRole('link', { name: /Nina/ });
      await expect.poll(() => listed.textContent(), { timeout: 15_000 }).toContain('not opted in');
      expect(browser.pageErrors.join('\n')).toBe('');
    });
  },
  { enabled: chromiumAvailable },
);
