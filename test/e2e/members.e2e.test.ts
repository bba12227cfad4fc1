/**
 * Settings → Members: an instance admin sees who can open the current project, gives it to an
 * existing user by email (an unknown email is refused next to the field) and takes it away again,
 * after a confirmation; the user's access follows. Emails are shown as text.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'playwright-core';
import { chromiumAvailable, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { startServer, type RunningServer } from './helpers/server.js';
import { apiPost, createAdmin, type AdminSession } from './helpers/session.js';
import { unlabelledControls } from './helpers/a11y.js';

// A valid address that is also markup: it must show as typed, never as an italic "ben".
const MEMBER_EMAIL = '<i>ben</i>@example.com';

describe.skipIf(!chromiumAvailable)('dashboard: project members (browser)', () => {
  let server: RunningServer;
  let browser: TestBrowser;
  let admin: AdminSession;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser(server.url);
    admin = await createAdmin(browser.context, server);
    await apiPost(browser.context, server, admin, '/api/v1/users', { email: MEMBER_EMAIL, password: 'correct horse battery' });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') await browser.screenshot(`members-${context.task.name}`);
  });

  /** The projects the member can open, asked as the member would (a fresh login in its own request context). */
  async function memberProjects(): Promise<string[]> {
    const other = await request.newContext({ baseURL: server.url });
    try {
      const login = await other.post('/api/v1/auth/login', { data: { email: MEMBER_EMAIL, password: 'correct horse battery' } });
      expect(login.status()).toBe(200);
      const projects = (await (await other.get('/api/v1/projects')).json()) as { items: Array<{ id: string }> };
      return projects.items.map((project) => project.id);
    } finally {
      await other.dispose();
    }
  }

  it('Settings → Members lists the admin, refuses an unknown email, adds a user and removes them after asking', async () => {
    const { page } = browser;
    await page.goto('/');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Members' }).click();
    await page.waitForURL(/\/settings\/members$/);
    await page.getByRole('heading', { name: 'Members' }).waitFor();
    const table = page.getByRole('table', { name: 'Members' });
    const adminRow = table.getByRole('row').filter({ hasText: admin.email });
    await adminRow.getByText('Instance admin').waitFor();
    await adminRow.getByText('Opens every project').waitFor();
    expect(await adminRow.getByRole('button').count()).toBe(0);
    expect(await unlabelledControls(page)).toEqual([]);

    const email = page.getByLabel('Email');
    await email.fill('nobody@example.com');
    await page.getByRole('button', { name: 'Add member' }).click();
    const field = page.locator('.field', { has: email });
    await field.getByText('no user has the email nobody@example.com').waitFor();
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    expect(await memberProjects()).toEqual([]);

    await email.fill(MEMBER_EMAIL);
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByText(`${MEMBER_EMAIL} can now open this project.`).waitFor();
    const memberRow = table.getByRole('row').filter({ hasText: MEMBER_EMAIL });
    await memberRow.getByRole('cell', { name: MEMBER_EMAIL, exact: true }).waitFor();
    expect(await table.locator('i').count()).toBe(0);
    expect(await memberRow.getByText('Member', { exact: true }).count()).toBe(1);
    expect(await email.inputValue()).toBe('');
    expect(await memberProjects()).toEqual([admin.projectId]);

    // Adding them twice says why, in place.
    await email.fill(MEMBER_EMAIL.toUpperCase());
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByText(`${MEMBER_EMAIL} can already open this project.`).waitFor();

    await memberRow.getByRole('button', { name: `Remove ${MEMBER_EMAIL}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove member' });
    await dialog.getByText(`Remove ${MEMBER_EMAIL} from E2E project?`).waitFor();
    // Cancel keeps them.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await memberProjects()).toEqual([admin.projectId]);

    await memberRow.getByRole('button', { name: `Remove ${MEMBER_EMAIL}` }).click();
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText(`${MEMBER_EMAIL} can no longer open this project.`).waitFor();
    await memberRow.waitFor({ state: 'detached' });
    expect(await memberProjects()).toEqual([]);
    // The table is what the server says after a reload too.
    await page.reload();
    await adminRow.waitFor();
    expect(await table.getByRole('row').filter({ hasText: MEMBER_EMAIL }).count()).toBe(0);
    expect(browser.pageErrors.join('\n')).toBe('');
  });
});
