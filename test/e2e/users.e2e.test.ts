/**
 * Settings → Users: an instance admin creates a user (the server's password rule shown next to
 * the field), the user logs in in their own browser and changes their password from the account
 * menu (a wrong current password refused next to its field), the admin makes and unmakes them an
 * admin, and removes them after a confirmation: their open dashboard is sent to the login page.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'playwright-core';
import { chromiumAvailable, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { startServer, type RunningServer } from './helpers/server.js';
import { createAdmin, type AdminSession } from './helpers/session.js';
import { unlabelledControls } from './helpers/a11y.js';

const USER_EMAIL = 'cleo@example.com';
const FIRST_PASSWORD = 'first password of cleo';
const NEW_PASSWORD = 'cleo chose this one';

describe.skipIf(!chromiumAvailable)('dashboard: users (browser)', () => {
  let server: RunningServer;
  let browser: TestBrowser;
  let userBrowser: TestBrowser;
  let admin: AdminSession;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser(server.url);
    userBrowser = await launchBrowser(server.url);
    admin = await createAdmin(browser.context, server);
  });
  afterAll(async () => {
    await userBrowser?.close();
    await browser?.close();
    await server?.stop();
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') {
      await browser.screenshot(`users-admin-${context.task.name}`);
      await userBrowser.screenshot(`users-user-${context.task.name}`);
    }
  });

  /** The answer to a fresh login, asked apart from both browsers. */
  async function loginStatus(email: string, password: string): Promise<number> {
    const other = await request.newContext({ baseURL: server.url });
    try {
      return (await other.post('/api/v1/auth/login', { data: { email, password } })).status();
    } finally {
      await other.dispose();
    }
  }

  it('the admin creates a user with a project on Settings → Users', async () => {
    const { page } = browser;
    await page.goto('/');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Users' }).click();
    await page.waitForURL(/\/settings\/users$/);
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Users' });
    const adminRow = table.getByRole('row').filter({ hasText: admin.email });
    await adminRow.getByText('(you)').waitFor();
    await adminRow.getByText('Instance admin').waitFor();
    await adminRow.getByText('Every project').waitFor();
    // Nobody can remove themselves or their own admin role.
    expect(await adminRow.getByRole('button', { name: /Remove/ }).count()).toBe(0);

    await page.getByRole('button', { name: '+ User' }).click();
    const dialog = page.getByRole('dialog', { name: 'New user' });
    expect(await unlabelledControls(page)).toEqual([]);
    await dialog.getByLabel('Email').fill(USER_EMAIL);
    await dialog.getByLabel('Password').fill('short');
    await dialog.getByLabel('E2E project').check();
    await dialog.getByRole('button', { name: 'Create user' }).click();
    const password = dialog.getByLabel('Password');
    // (`has` is looked up inside each .field, so it starts from the page, not the dialog.)
    await dialog.locator('.field', { has: page.getByLabel('Password', { exact: true }) }).getByText('must be at least 10 characters').waitFor();
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    expect(await loginStatus(USER_EMAIL, 'short')).toBe(401);

    await password.fill(FIRST_PASSWORD);
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText(`${USER_EMAIL} can now log in.`).waitFor();
    const userRow = table.getByRole('row').filter({ hasText: USER_EMAIL });
    await userRow.getByRole('cell', { name: 'E2E project', exact: true }).waitFor();
    await userRow.getByRole('cell', { name: 'User', exact: true }).waitFor();

    // The same email again is refused next to the field.
    await page.getByRole('button', { name: '+ User' }).click();
    await dialog.getByLabel('Email').fill(USER_EMAIL.toUpperCase());
    await dialog.getByLabel('Password').fill(FIRST_PASSWORD);
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.locator('.field', { has: page.getByLabel('Email', { exact: true }) }).getByText(`${USER_EMAIL} already has an account`).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(browser.pageErrors.join('\n')).toBe('');
  });

  it('the user logs in in their own browser and changes their password from the account menu', async () => {
    const { page } = userBrowser;
    await page.goto('/login');
    await page.getByLabel('Email').fill(USER_EMAIL);
    await page.getByLabel('Password').fill(FIRST_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/campaigns');
    // Not an admin: no Users page in Settings.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('navigation', { name: 'Settings' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Users' }).count()).toBe(0);

    await page.getByRole('button', { name: USER_EMAIL }).click();
    await page.getByRole('button', { name: 'Change password' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change password' });
    expect(await unlabelledControls(page)).toEqual([]);
    const current = dialog.getByLabel('Current password');
    await current.fill('not my password');
    await dialog.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await dialog.getByLabel('Repeat new password').fill(NEW_PASSWORD);
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await dialog.locator('.field', { has: page.getByLabel('Current password') }).getByText('is not your current password').waitFor();
    expect(await current.getAttribute('aria-invalid')).toBe('true');
    // Still logged in: a wrong password is not a lost session.
    expect(page.url()).toMatch(/\/settings/);

    await current.fill(FIRST_PASSWORD);
    await dialog.getByLabel('Repeat new password').fill('a typo in the repeat');
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await dialog.getByText('does not match the new password').waitFor();
    expect(await loginStatus(USER_EMAIL, FIRST_PASSWORD)).toBe(200);

    await dialog.getByLabel('Repeat new password').fill(NEW_PASSWORD);
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await dialog.getByText('Your password was changed.').waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await loginStatus(USER_EMAIL, FIRST_PASSWORD)).toBe(401);
    expect(await loginStatus(USER_EMAIL, NEW_PASSWORD)).toBe(200);
    // This session stays.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
    await page.waitForURL('**/templates');
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(page.url()).toMatch(/\/templates$/);
    expect(userBrowser.pageErrors.join('\n')).toBe('');
  });

  it('the admin makes the user an admin and takes it back, then removes them after asking; their dashboard goes to the login page', async () => {
    const { page } = browser;
    const table = page.getByRole('table', { name: 'Users' });
    const userRow = table.getByRole('row').filter({ hasText: USER_EMAIL });

    await userRow.getByRole('button', { name: `Make admin ${USER_EMAIL}` }).click();
    const makeAdmin = page.getByRole('dialog', { name: 'Make admin' });
    await makeAdmin.getByRole('button', { name: 'Make admin' }).click();
    await makeAdmin.waitFor({ state: 'hidden' });
    await page.getByText(`${USER_EMAIL} is now an instance admin.`).waitFor();
    await userRow.getByText('Every project').waitFor();
    await userRow.getByRole('button', { name: `Remove admin from ${USER_EMAIL}` }).click();
    const removeAdmin = page.getByRole('dialog', { name: 'Remove admin' });
    await removeAdmin.getByText('E2E project').waitFor();
    await removeAdmin.getByRole('button', { name: 'Remove admin' }).click();
    await removeAdmin.waitFor({ state: 'hidden' });
    await page.getByText(`${USER_EMAIL} is no longer an instance admin.`).waitFor();
    await userRow.getByRole('cell', { name: 'E2E project', exact: true }).waitFor();

    await userRow.getByRole('button', { name: `Remove ${USER_EMAIL}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove user' });
    await dialog.getByText(`Remove ${USER_EMAIL}?`).waitFor();
    // Cancel keeps them.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await loginStatus(USER_EMAIL, NEW_PASSWORD)).toBe(200);

    await userRow.getByRole('button', { name: `Remove ${USER_EMAIL}` }).click();
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText(`${USER_EMAIL} was removed.`).waitFor();
    await userRow.waitFor({ state: 'detached' });
    expect(await loginStatus(USER_EMAIL, NEW_PASSWORD)).toBe(401);

    // The removed user's open dashboard: the next request finds no session.
    const userPage = userBrowser.page;
    await userPage.reload();
    await userPage.waitForURL('**/login');

    // Members points here for creating users.
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Members' }).click();
    await page.getByRole('link', { name: 'Settings → Users' }).click();
    await page.waitForURL(/\/settings\/users$/);
    expect(browser.pageErrors.join('\n')).toBe('');
  });
});
