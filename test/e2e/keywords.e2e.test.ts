/**
 * Settings → Keywords: the defaults are shown, a keyword typed into both rules is refused next to
 * the list it was typed into, and changed opt-out keywords and confirmation survive a reload and
 * are what the API returns; leaving with unsaved changes asks first.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { startServer, type RunningServer } from './helpers/server.js';
import { createAdmin } from './helpers/session.js';
import { unlabelledControls } from './helpers/a11y.js';

const CONFIRMATION = 'Listo: no más mensajes. Responde START para volver.';

describe.skipIf(!chromiumAvailable)('dashboard: opt-out / opt-in keywords (browser)', () => {
  let server: RunningServer;
  let browser: TestBrowser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser(server.url);
    await createAdmin(browser.context, server);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') await browser.screenshot(`keywords-${context.task.name}`);
  });

  it('Settings → Keywords shows both rules with their defaults and how matching works', async () => {
    const { page } = browser;
    await page.goto('/');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Keywords' }).click();
    await page.waitForURL(/\/settings\/keywords$/);
    await page.getByRole('heading', { name: 'Keywords' }).waitFor();
    await page.getByRole('group', { name: 'Opt-out' }).waitFor();
    await page.getByRole('group', { name: 'Opt-in' }).waitFor();
    expect(await page.getByLabel('Opt-out keywords').inputValue()).toBe('STOP\nUNSUBSCRIBE\nSTOP PROMOTIONS');
    expect(await page.getByLabel('Opt-in keywords').inputValue()).toBe('START\nSUBSCRIBE');
    expect(await page.getByLabel('Opt-out confirmation').inputValue()).toBe('You have been unsubscribed. Reply START to subscribe again.');
    expect(await page.getByLabel('Opt-in confirmation').inputValue()).toBe('You have been subscribed again. Reply STOP to unsubscribe.');
    // The hint is tied to the field, so a screen reader reads it with the label.
    expect(await page.getByLabel('Opt-out keywords').getAttribute('aria-describedby')).toBeTruthy();
    await page.getByText('upper or lower case alike').first().waitFor();
    await page.getByText('Leave empty to turn opt-out off.').waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
  });

  it('refuses a keyword in both rules, next to the list it was typed into', async () => {
    const { page } = browser;
    const optOut = page.getByLabel('Opt-out keywords');
    await optOut.fill('STOP\nstart');
    await page.getByRole('button', { name: 'Save' }).click();
    const field = page.locator('.field', { has: optOut });
    await field.getByText('"START" cannot both opt out and opt in').waitFor();
    expect(await optOut.getAttribute('aria-invalid')).toBe('true');
    // Focus goes to the field to fix.
    await expect.poll(() => optOut.evaluate((element) => element === element.ownerDocument.activeElement)).toBe(true);
    expect(await page.getByLabel('Opt-in keywords').getAttribute('aria-invalid')).toBeNull();
    // Changing the list retires the message about it; the next save judges again.
    await optOut.fill('STOP');
    await expect.poll(() => field.locator('.field__error').count()).toBe(0);
    expect(await page.getByText('Some fields need attention').count()).toBe(0);
  });

  it('saves new opt-out keywords and confirmation: shown normalised, kept after a reload, returned by the API', async () => {
    const { page } = browser;
    await page.getByLabel('Opt-out keywords').fill('stop\n  alto   ya \n\nno más');
    await page.getByLabel('Opt-out confirmation').fill(CONFIRMATION);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    expect(await page.getByLabel('Opt-out keywords').getAttribute('aria-invalid')).toBeNull();
    expect(await page.getByLabel('Opt-out keywords').inputValue()).toBe('STOP\nALTO YA\nNO MÁS');

    await page.reload();
    await expect.poll(() => page.getByLabel('Opt-out keywords').inputValue()).toBe('STOP\nALTO YA\nNO MÁS');
    expect(await page.getByLabel('Opt-out confirmation').inputValue()).toBe(CONFIRMATION);
    expect(await page.getByText('Saved.').count()).toBe(0);

    const response = await browser.context.request.get(`${server.url}/api/v1/settings/keywords`);
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual({
      optOut: { keywords: ['STOP', 'ALTO YA', 'NO MÁS'], reply: CONFIRMATION },
      optIn: { keywords: ['START', 'SUBSCRIBE'], reply: 'You have been subscribed again. Reply STOP to unsubscribe.' },
    });
  });

  it('warns when the opt-out list is emptied', async () => {
    const { page } = browser;
    await page.getByLabel('Opt-out keywords').fill('');
    await page.getByText('With no opt-out keywords, nobody can unsubscribe by replying.').waitFor();
    await page.getByLabel('Opt-out keywords').fill('STOP');
    expect(await page.getByText('With no opt-out keywords').count()).toBe(0);
    expect(browser.pageErrors.join('\n')).toBe('');
  });

  it('marks unsaved changes next to Save and asks before another dashboard page is opened', async () => {
    const { page } = browser;
    // Opened through the dashboard's links, so that Back below stays inside the dashboard.
    await page.goto('/templates');
    const openKeywords = async () => {
      await page.getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Keywords' }).click();
    };
    await openKeywords();
    const optIn = page.getByLabel('Opt-in keywords');
    await expect.poll(() => optIn.inputValue()).toBe('START\nSUBSCRIBE');
    const unsaved = page.locator('.actions', { has: page.getByRole('button', { name: 'Save' }) }).getByText('Unsaved changes');
    expect(await unsaved.count()).toBe(0);

    // Only what saving would change counts: the same keyword in lower case is no change.
    await optIn.fill('start\nsubscribe\n');
    expect(await unsaved.count()).toBe(0);
    await optIn.fill('START\nSUBSCRIBE\nALTA');
    await unsaved.waitFor();

    const templates = page.getByRole('link', { name: 'Templates' });
    const dialog = page.getByRole('dialog', { name: 'Leave without saving?' });
    await templates.click();
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(new URL(page.url()).pathname).toBe('/settings/keywords');
    expect(await optIn.inputValue()).toBe('START\nSUBSCRIBE\nALTA');

    // Back is asked about too.
    await page.goBack();
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(new URL(page.url()).pathname).toBe('/settings/keywords');

    await templates.click();
    await dialog.getByRole('button', { name: 'Leave page' }).click();
    await page.waitForURL(/\/templates$/);
    await openKeywords();
    await expect.poll(() => optIn.inputValue()).toBe('START\nSUBSCRIBE');

    // Once saved there is nothing to lose: no mark, no question.
    await optIn.fill('START\nSUBSCRIBE\nALTA');
    await unsaved.waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    expect(await unsaved.count()).toBe(0);
    await templates.click();
    await page.waitForURL(/\/templates$/);
    expect(await dialog.count()).toBe(0);
    expect(browser.pageErrors.join('\n')).toBe('');
  });

  it('asks the browser to confirm closing or reloading the tab only while changes are unsaved', async () => {
    const tab = await browser.context.newPage();
    try {
      await tab.goto('/settings/keywords');
      const optOut = tab.getByLabel('Opt-out keywords');
      await optOut.waitFor();
      // A click first: Chromium asks on leaving only after the user has interacted with the page.
      await optOut.click();
      await optOut.press('End');
      await optOut.pressSequentially('\nBASTA');
      await tab.getByText('Unsaved changes').waitFor();
      const asked = tab.waitForEvent('dialog');
      await tab.close({ runBeforeUnload: true });
      const dialog = await asked;
      expect(dialog.type()).toBe('beforeunload');
      await dialog.dismiss();
      expect(tab.isClosed()).toBe(false);
      expect(await optOut.inputValue()).toMatch(/\nBASTA$/);

      await tab.getByRole('button', { name: 'Save' }).click();
      await tab.getByText('Saved.').waitFor();
      const dialogs: string[] = [];
      tab.on('dialog', (shown) => {
        dialogs.push(shown.type());
        void shown.accept();
      });
      const closed = tab.waitForEvent('close');
      await tab.close({ runBeforeUnload: true });
      await closed;
      expect(dialogs).toEqual([]);
    } finally {
      if (!tab.isClosed()) await tab.close();
    }
  });

  it('says how a default confirmation is sent once the other rule\'s keywords changed', async () => {
    const { page } = browser;
    await page.goto('/settings/keywords');
    const optOut = page.getByLabel('Opt-out keywords');
    await optOut.waitFor();
    const optInConfirmation = page.locator('.field', { has: page.getByLabel('Opt-in confirmation') });
    expect(await page.getByLabel('Opt-in confirmation').inputValue()).toBe('You have been subscribed again. Reply STOP to unsubscribe.');
    expect(await optInConfirmation.getByText('Sent as').count()).toBe(0);

    await optOut.fill('basta\nSTOP');
    await optInConfirmation.getByText('Sent as “You have been subscribed again. Reply BASTA to unsubscribe.”: the default text names your first opt-out keyword.').waitFor();
    await optOut.fill('');
    await optInConfirmation.getByText('Sent as “You have been subscribed again.”: the default text offers no keyword while opt-out is off.').waitFor();
    // A text of the project's own is sent as written.
    await page.getByLabel('Opt-in confirmation').fill('Welcome back. Reply STOP to leave.');
    expect(await optInConfirmation.getByText('Sent as').count()).toBe(0);
    expect(browser.pageErrors.join('\n')).toBe('');
  });

  it('asks before switching project with unsaved changes, and shows the other project\'s keywords after', async () => {
    const { page } = browser;
    await page.goto('/settings/projects');
    await page.getByLabel('Name').fill('Second brand');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByText('Project “Second brand” created.').waitFor();
    const project = page.getByLabel('Project', { exact: true });
    const current = () => project.locator('option:checked').textContent();
    const first = await current();

    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Keywords' }).click();
    const optIn = page.getByLabel('Opt-in keywords');
    await optIn.waitFor();
    const edited = `${await optIn.inputValue()}\nVOLVER`;
    await optIn.fill(edited);
    const dialog = page.getByRole('dialog', { name: 'Switch project without saving?' });
    await project.selectOption({ label: 'Second brand' });
    await dialog.waitFor();
    await dialog.getByText('You have not saved your changes to the keywords.').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // Still the first project, with the edit in place.
    expect(await current()).toBe(first);
    expect(await optIn.inputValue()).toBe(edited);

    await project.selectOption({ label: 'Second brand' });
    await dialog.getByRole('button', { name: 'Switch project' }).click();
    await expect.poll(current).toBe('Second brand');
    // The new project's own (default) keywords, not the unsaved edit of the other one.
    await expect.poll(() => optIn.inputValue()).toBe('START\nSUBSCRIBE');
    expect(new URL(page.url()).pathname).toBe('/settings/keywords');

    // Nothing unsaved: switching back asks nothing.
    await project.selectOption({ label: first! });
    await expect.poll(current).toBe(first);
    expect(await dialog.count()).toBe(0);
    expect(browser.pageErrors.join('\n')).toBe('');
  });
});
