/**
 * First start → the printed setup link → first admin → navigation; log out, log in again, a wrong
 * password; admin screens: create a project, switch to it, create API credentials (passcode once).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { startServer, type RunningServer } from './helpers/server.js';
import { focusedControl, unlabelledControls } from './helpers/a11y.js';

const EMAIL = 'ana@example.com';
const PASSWORD = 'a long enough passphrase';

describe.skipIf(!chromiumAvailable)('dashboard: first admin, login, logout, projects (browser)', () => {
  let server: RunningServer;
  let browser: TestBrowser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser(server.url);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') await browser.screenshot(`auth-${context.task.name}`);
  });

  it('prints a one-time setup link on first start', () => {
    expect(server.setupLink).toMatch(new RegExp(`^${server.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/setup#token=[A-Za-z0-9_-]{16,}$`));
  });

  it('sends a visitor without a session to the login page, which points to the setup link', async () => {
    const { page } = browser;
    await page.goto('/campaigns');
    await page.waitForURL('**/login');
    await expect(page.getByRole('heading', { name: 'Log in' }).isVisible()).resolves.toBe(true);
    await page.getByText('No admin exists yet').waitFor();
  });

  it('creates the first admin from the printed link and shows the navigation', async () => {
    const { page } = browser;
    await page.goto(server.setupLink);
    await page.getByRole('heading', { name: 'Create the first admin' }).waitFor();
    expect(await unlabelledControls(page)).toEqual([]);

    // The server's rule (at least 10 characters) comes back next to the Password field.
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create admin' }).click();
    const passwordError = page.locator('.field', { has: page.getByLabel('Password') }).locator('.field__error');
    await expect(passwordError.textContent()).resolves.toContain('at least 10 characters');
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Project name').fill('Acme');
    await page.getByRole('button', { name: 'Create admin' }).click();

    await page.waitForURL('**/campaigns');
    expect(new URL(page.url()).hash).toBe('');
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const label of ['Campaigns', 'Templates', 'Audience', 'Inbox', 'Settings']) {
      await expect(nav.getByRole('link', { name: label, exact: true }).isVisible()).resolves.toBe(true);
      // Nothing else on the page answers to the same name: a plain lookup finds the navigation.
      expect(await page.getByRole('link', { name: label }).count()).toBe(1);
    }
    const projectSelect = page.getByLabel('Project');
    expect(await projectSelect.locator('option:checked').textContent()).toBe('Acme');
    await page.getByText('No campaigns yet').waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
  });

  it('opens every section from the navigation, with an honest empty state', async () => {
    const { page } = browser;
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Audience' }).click();
    await page.waitForURL('**/audience/profiles');
    await page.getByRole('heading', { name: 'Profiles', level: 1 }).waitFor();
    await nav.getByRole('link', { name: 'Inbox' }).click();
    await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    await nav.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('link', { name: 'Channels' }).click();
    await page.getByRole('link', { name: 'WhatsApp' }).click();
    await page.waitForURL('**/settings/channels/whatsapp');
    await page.getByRole('heading', { name: 'WhatsApp', level: 1 }).waitFor();
  });

  it('logs out, and the session is gone', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    await page.goto('/templates');
    await page.waitForURL('**/login');
  });

  it('refuses a wrong password with a message, then logs in', async () => {
    const { page } = browser;
    expect(await unlabelledControls(page)).toEqual([]);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Wrong email or password.');
    expect(page.url()).toMatch(/\/login$/);

    // Keyboard only: Tab from Email to Password (with a visible focus ring), Enter submits.
    await page.getByLabel('Email').focus();
    await page.keyboard.press('Tab');
    expect(await focusedControl(page)).toMatchObject({ label: 'Password', outline: 'solid' });
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    // Back where the visitor was sent away from.
    await page.waitForURL('**/templates');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  });

  it('refuses the setup link once an admin exists', async () => {
    const { page } = browser;
    await page.goto(server.setupLink);
    await page.getByRole('heading', { name: 'Already set up' }).waitFor();
  });

  it('lets the admin create a project, switch to it and create API credentials shown once', async () => {
    const { page } = browser;
    await page.goto('/settings');
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.getByLabel('Name').fill('Second brand');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByText('Project “Second brand” created.').waitFor();
    await page.getByRole('cell', { name: 'Second brand' }).waitFor();

    const projectSelect = page.getByLabel('Project', { exact: true });
    await projectSelect.selectOption({ label: 'Second brand' });
    await expect.poll(() => projectSelect.locator('option:checked').textContent()).toBe('Second brand');

    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'API credentials' }).click();
    await page.getByText('No API credentials yet').waitFor();
    await page.getByLabel('Label').fill('CRM sync');
    await page.getByRole('button', { name: 'Create credentials' }).click();
    const passcode = await page.getByLabel('Passcode').inputValue();
    const accountId = await page.getByLabel('Account ID').inputValue();
    expect(passcode.length).toBeGreaterThanOrEqual(20);
    expect(accountId).toMatch(/^WAC-/);
    await page.getByRole('button', { name: 'Copy secret' }).waitFor();
    await page.getByRole('button', { name: 'I have copied it' }).click();

    // Listed afterwards, never with the passcode.
    await page.getByRole('cell', { name: accountId, exact: true }).waitFor();
    expect(await page.content()).not.toContain(passcode);

    // The credentials belong to the project switched to.
    const response = await browser.context.request.get(`${server.url}/api/v1/auth/me`);
    const me = (await response.json()) as { currentProjectId: string; projects: Array<{ id: string; name: string }> };
    expect(me.projects.find((project) => project.id === me.currentProjectId)?.name).toBe('Second brand');
    const useThem = () => browser.context.request.get(`${server.url}/api/v1/providers`, { headers: { 'x-wacast-account-id': accountId, 'x-wacast-passcode': passcode } });
    expect((await useThem()).status()).toBe(200);

    // Revoked (after a question) they are refused at once and leave the list.
    await page.getByRole('button', { name: `Revoke ${accountId}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke API credentials' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await useThem()).status()).toBe(200);
    await page.getByRole('button', { name: `Revoke ${accountId}` }).click();
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('No API credentials yet').waitFor();
    expect((await useThem()).status()).toBe(401);
    expect(browser.pageErrors.join('\n')).toBe('');
  });
});
