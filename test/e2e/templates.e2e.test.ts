/**
 * Templates → + Template: Provider, Template namespace, Template message, Attachment type, Save,
 * with the live placeholder count and a field error for a bad namespace. Runs once the templates
 * and provider APIs are in the build; until then it is skipped, not faked.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { startServer, type RunningServer } from './helpers/server.js';
import { apiPost, createAdmin } from './helpers/session.js';
import { focusedControl, unlabelledControls } from './helpers/a11y.js';
import { atWidth, pageOverflow } from './helpers/layout.js';


describe.skipIf(!chromiumAvailable)('dashboard: templates (browser)', () => {
  let server: RunningServer;
  let browser: TestBrowser;
  let providerId = '';

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser(server.url);
    const session = await createAdmin(browser.context, server);
    const provider = await apiPost<{ id: string }>(browser.context, server, session, '/api/v1/providers', {
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
    providerId = provider.id;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') await browser.screenshot(`templates-${context.task.name}`);
  });

  it('opens + Template with the provider account preselected and every control labelled', async () => {
    const { page } = browser;
    await page.goto('/');
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByText('No templates yet').waitFor();
    // A real link (opens in a new tab, announced as a link), styled as a button.
    expect(await page.getByRole('link', { name: '+ Template' }).getAttribute('href')).toBe('/templates/new');
    await page.getByRole('link', { name: '+ Template' }).click();
    expect(await page.getByLabel('Provider').inputValue()).toBe(providerId);
    const attachment = page.getByLabel('Attachment type');
    expect(await attachment.locator('option').allTextContents()).toEqual(['None', 'Image', 'Video', 'Document']);
    expect(await attachment.inputValue()).toBe('none');
    expect(await unlabelledControls(page)).toEqual([]);
  });

  it('counts placeholders live and refuses a bad namespace next to the field', async () => {
    const { page } = browser;
    const message = page.getByLabel('Template message');
    await message.fill('Hi {{1}}, your order {{2}} ships today.');
    await expect.poll(() => page.getByTestId('placeholder-count').textContent()).toBe('2 placeholders: {{1}}, {{2}}.');

    const namespace = page.getByLabel('Template namespace');
    await namespace.fill('abc:Welcome Message');
    await page.getByLabel('Attachment type').selectOption({ label: 'Image' });
    await page.getByRole('button', { name: 'Save' }).click();
    const error = page.locator('.field', { has: namespace }).locator('.field__error');
    await expect(error.textContent()).resolves.toContain('ABC:welcome_message');
    expect(await namespace.getAttribute('aria-invalid')).toBe('true');
    // Keyboard users land on the field to fix.
    const namespaceId = await namespace.getAttribute('id');
    await expect.poll(async () => (await focusedControl(page)).id).toBe(namespaceId);
    expect(page.url()).toMatch(/\/templates\/new$/);
  });

  it('saves a valid template and lists it with its placeholder count', async () => {
    const { page } = browser;
    await page.getByLabel('Template namespace').fill('ABC:order_shipped');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/templates$/);
    await page.getByText('Template saved.').waitFor();
    const row = page.getByRole('row', { name: /ABC:order_shipped/ });
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells[1]).toBe('Gupshup main');
    expect(cells[2]).toBe('2');
    expect(cells[3]).toBe('Image');
    expect(browser.pageErrors.join('\n')).toBe('');
  });

  it('keeps the list inside an 800-pixel window, its Edit and Delete buttons reachable', async () => {
    const { page } = browser;
    await atWidth(page, 800, async () => {
      await expect.poll(() => pageOverflow(page)).toBe(0);
      const edit = page.getByRole('link', { name: 'Edit ABC:order_shipped' });
      await edit.scrollIntoViewIfNeeded();
      const box = await edit.boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(800);
    });
  });

  it('edits a template: "Changes saved." until the next edit', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Edit ABC:order_shipped' }).click();
    await page.getByLabel('Template message').fill('Your order {{1}} ships on {{2}}.');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Changes saved.').waitFor();
    // The notice was about the values saved: a further edit, not saved yet, makes it go.
    await page.getByLabel('Language').fill('en_US');
    await expect.poll(() => page.getByText('Changes saved.').count()).toBe(0);
    await page.getByRole('link', { name: '← Back to the list' }).click();
    await page.waitForURL(/\/templates$/);
  });

  it('refuses a second template with the same namespace, and drops that answer once the namespace changes', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: '+ Template' }).click();
    await page.getByLabel('Template namespace').fill('ABC:order_shipped');
    await page.getByLabel('Template message').fill('Your order {{1}} is on its way.');
    await page.getByRole('button', { name: 'Save' }).click();
    const conflict = page.getByRole('alert').filter({ hasText: 'already exists' });
    await conflict.waitFor();
    await page.getByLabel('Template namespace').fill('ABC:order_on_its_way');
    await expect.poll(() => conflict.count()).toBe(0);
    expect(browser.pageErrors.join('\n')).toBe('');
  });
});
