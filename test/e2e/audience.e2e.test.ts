/**
 * Audience in the dashboard: building a segment over a property and an event and seeing its
 * reach move live, a server error shown on the condition it names, saving; searching profiles and
 * opening one (reachability with the reason, events); a CSV import with its bad rows by line.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { startServer, type RunningServer } from './helpers/server.js';
import { createAdmin, type AdminSession } from './helpers/session.js';
import { uploadEvents, uploadProfiles } from './helpers/audience.js';
import { describeWithRoutes } from './helpers/probe.js';
import { unlabelledControls } from './helpers/a11y.js';
import { holdRequests, recordInputOrder } from './helpers/held-requests.js';

const nowSeconds = Math.floor(Date.now() / 1000);
const day = 24 * 60 * 60;

await describeWithRoutes(
  'dashboard: audience — segments, profiles, CSV import (browser)',
  [
    { method: 'POST', url: '/api/v1/upload' },
    { method: 'POST', url: '/api/v1/segments' },
    { method: 'POST', url: '/api/v1/segments/estimate' },
    { method: 'GET', url: '/api/v1/profiles' },
    { method: 'POST', url: '/api/v1/imports' },
  ],
  () => {
    let server: RunningServer;
    let browser: TestBrowser;
    let session: AdminSession;
    let dir = '';

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'wacast-e2e-csv-'));
      server = await startServer();
      browser = await launchBrowser(server.url);
      session = await createAdmin(browser.context, server);
      await uploadProfiles(browser.context, server, session, [
        { identity: 'm1', properties: { Name: 'Asha', City: 'Mumbai', Phone: '+919876500001', 'MSG-whatsapp': true } },
        { identity: 'm2', properties: { Name: 'Ravi', City: 'Mumbai', Phone: '+919876500002', 'MSG-whatsapp': true } },
        { identity: 'm3', properties: { Name: 'Meera', City: 'Mumbai', Phone: '+919876500003', 'MSG-whatsapp': false } },
        { identity: 'p1', properties: { Name: 'Kiran', City: 'Pune', Phone: '+919876500004', 'MSG-whatsapp': true } },
      ]);
      await uploadEvents(browser.context, server, session, [
        { identity: 'm1', name: 'Charged', properties: { Amount: 250 }, ts: nowSeconds - 2 * day },
        { identity: 'm1', name: 'Charged', properties: { Amount: 120 }, ts: nowSeconds - 5 * day },
        { identity: 'm2', name: 'Charged', properties: { Amount: 90 }, ts: nowSeconds - 3 * day },
        { identity: 'p1', name: 'Charged', properties: { Amount: 500 }, ts: nowSeconds - 1 * day },
        { identity: 'p1', name: 'Charged', properties: { Amount: 700 }, ts: nowSeconds - 1 * day },
      ]);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    afterEach(async (context) => {
      if (context.task.result?.state === 'fail') await browser.screenshot(`audience-${context.task.name}`);
    });

    it('builds a segment and shows its reach live as conditions change', async () => {
      const { page } = browser;
      await page.goto('/');
      await page.getByRole('link', { name: 'Audience' }).click();
      await page.getByRole('link', { name: 'Segments' }).click();
      await page.getByText('No segments yet').waitFor();
      // A real link (opens in a new tab, announced as a link), styled as a button.
      expect(await page.getByRole('link', { name: '+ Segment' }).getAttribute('href')).toBe('/audience/segments/new');
      await page.getByRole('link', { name: '+ Segment' }).click();
      await page.waitForURL(/\/audience\/segments\/new$/);
      const reach = page.getByTestId('segment-reach');
      await expect.poll(() => reach.textContent()).toBe('Fill in every condition to see the reach.');

      await page.getByLabel('Segment name').fill('Mumbai buyers');
      const first = page.getByRole('group', { name: 'Condition 1: profile property' });
      await first.getByLabel('Property name').fill('City');
      await first.getByLabel('Value', { exact: true }).fill('Mumbai');
      await expect.poll(() => reach.textContent()).toBe('3 profiles match; 2 reachable on WhatsApp.');

      await page.getByRole('button', { name: '+ Event condition' }).click();
      const second = page.getByRole('group', { name: 'Condition 2: event' });
      await second.getByLabel('Event name').fill('Charged');
      await second.getByLabel('At least (times)').fill('2');
      await second.getByLabel('When').selectOption({ label: 'In the last N days' });
      await second.getByLabel('Last N days').fill('30');
      await expect.poll(() => reach.textContent()).toBe('1 profile matches; 1 reachable on WhatsApp.');

      // "Any of" widens it to Mumbai or two charges: m1, m2, m3, p1.
      await page.getByLabel('Match', { exact: true }).selectOption({ label: 'Any of these conditions (or)' });
      await expect.poll(() => reach.textContent()).toBe('4 profiles match; 3 reachable on WhatsApp.');
      expect(await reach.getAttribute('class')).not.toContain('reach__value--previous');

      // While the estimate of a changed filter loads (held here), the previous answer stays, dimmed.
      // (A filter not asked before: an earlier one would be answered from the cache.)
      const estimate = await holdRequests(page, '**/api/v1/segments/estimate');
      const order = await recordInputOrder(page, '[data-testid="segment-reach"]', 'reach__value--previous', '/api/v1/segments/estimate');
      await second.getByLabel('Last N days').fill('31');
      await estimate.asked;
      // Dimmed from the change on, before the debounced request starts.
      expect(await order()).toEqual(['input', 'marked', 'next task', 'asked']);
      expect(await reach.textContent()).toBe('4 profiles match; 3 reachable on WhatsApp.');
      expect(await reach.getAttribute('class')).toContain('reach__value--previous');
      estimate.release();
      await expect.poll(async () => (await reach.getAttribute('class')) ?? '').not.toContain('reach__value--previous');
      expect(await reach.textContent()).toBe('4 profiles match; 3 reachable on WhatsApp.');
      await estimate.stop();
      await second.getByLabel('Last N days').fill('30');

      await page.getByLabel('Match', { exact: true }).selectOption({ label: 'All of these conditions (and)' });
      await expect.poll(() => reach.textContent()).toBe('1 profile matches; 1 reachable on WhatsApp.');
      expect(await unlabelledControls(page)).toEqual([]);
    });

    it('shows the server error on the condition it names', async () => {
      const { page } = browser;
      await page.getByRole('button', { name: '+ Property condition' }).click();
      const third = page.getByRole('group', { name: 'Condition 3: profile property' });
      await third.getByLabel('Property name').fill('Signed up');
      await third.getByLabel('Value type').selectOption({ label: 'Date' });
      // A date alone is a day: which day is said (UTC, as the server reads it).
      expect(await third.locator('.field', { has: page.getByLabel('Value', { exact: true }) }).locator('.field__hint').textContent()).toContain('in UTC');
      await third.getByLabel('Operator').selectOption({ label: 'is greater than' });
      await third.getByLabel('Value', { exact: true }).fill('next tuesday');
      await expect.poll(() => third.locator('.condition__problems').textContent()).toMatch(/^value: expected .*date/);
      await expect.poll(() => page.getByTestId('segment-reach').textContent()).toBe('The filter has problems: see the conditions.');
      expect(await page.getByRole('group', { name: 'Condition 1: profile property' }).locator('.condition__problems').count()).toBe(0);
      await page.getByRole('button', { name: 'Remove condition 3' }).click();
      await expect.poll(() => page.getByTestId('segment-reach').textContent()).toBe('1 profile matches; 1 reachable on WhatsApp.');
    });

    it('saves the segment and lists it with its reach', async () => {
      const { page } = browser;
      await page.getByRole('button', { name: 'Save segment' }).click();
      await page.waitForURL(/\/audience\/segments$/);
      await page.getByText('Segment Mumbai buyers saved.').waitFor();
      const row = page.getByRole('row', { name: /Mumbai buyers/ });
      await expect.poll(async () => (await row.getByRole('cell').allTextContents())[1]).toBe('1 of 1');
      // Reopening shows the saved conditions.
      await row.getByRole('link', { name: 'Mumbai buyers' }).click();
      await expect.poll(() => page.getByRole('group', { name: 'Condition 2: event' }).getByLabel('Event name').inputValue()).toBe('Charged');
      await expect.poll(() => page.getByTestId('segment-reach').textContent()).toBe('1 profile matches; 1 reachable on WhatsApp.');
    });

    it('finds a profile by name and shows its reachability with the reason and its events', async () => {
      const { page } = browser;
      await page.getByRole('link', { name: 'Profiles' }).click();
      await page.getByLabel('Search profiles').fill('Meer');
      const results = page.getByTestId('profile-results');
      await expect.poll(() => results.locator('tbody tr').count()).toBe(1);
      await results.getByRole('link', { name: 'm3' }).click();
      await page.getByRole('heading', { name: 'Meera' }).waitFor();
      expect(await page.getByTestId('reachability').textContent()).toMatch(/^Not reachable/);
      expect(await page.getByTestId('profile-properties').textContent()).toContain('+919876500003');

      await page.getByRole('link', { name: '← Back to the profiles' }).click();
      await page.getByLabel('Search profiles').fill('m1');
      await results.getByRole('link', { name: 'm1' }).click();
      await page.getByRole('heading', { name: 'Asha' }).waitFor();
      expect(await page.getByTestId('reachability').textContent()).toMatch(/^Reachable/);
      await expect.poll(() => page.getByTestId('event-timeline').locator('li').count()).toBe(2);
      expect(await page.getByTestId('event-timeline').textContent()).toContain('Amount: 250');
    });

    it('imports a CSV file and reports the bad rows by line number', async () => {
      const { page } = browser;
      const file = join(dir, 'people.csv');
      writeFileSync(file, ['identity,Name,Phone', 'c1,Anil,+919876500011', 'c2,Bela,not-a-phone', 'c3,Chitra,+919876500013', ',Nobody,+919876500014', ''].join('\n'));
      await page.getByRole('link', { name: 'CSV import' }).click();
      await page.getByLabel('CSV file').setInputFiles(file);
      // An unknown country is refused next to its field; clearing it retires the message.
      await page.getByLabel('Default country').fill('ZZ');
      await page.getByRole('button', { name: 'Import' }).click();
      const countryError = page.locator('.field', { has: page.getByLabel('Default country') }).locator('.field__error');
      await expect.poll(() => countryError.textContent()).toContain('is not an ISO country code');
      await page.getByLabel('Default country').fill('');
      await expect.poll(() => countryError.count()).toBe(0);
      await page.getByRole('button', { name: 'Import' }).click();
      const report = page.getByTestId('import-report');
      await expect.poll(() => report.locator('.alert').first().textContent(), { timeout: 20_000 }).toMatch(/^Import finished: 2 of 4 rows imported, 2 bad\.$/);
      // The report sits under the form: apart from it, and as wide.
      const [form, panel] = [await page.locator('form', { has: page.getByLabel('CSV file') }).boundingBox(), await report.boundingBox()];
      expect(panel!.y - (form!.y + form!.height)).toBeGreaterThanOrEqual(16);
      expect(Math.round(panel!.width)).toBe(Math.round(form!.width));
      const bad = await page.getByTestId('bad-rows').locator('tbody tr').allTextContents();
      expect(bad).toHaveLength(2);
      expect(bad[0]).toMatch(/^3c2/);
      expect(bad[1]).toMatch(/^5/);
      // The history follows the import to its end: not left at "running" with nothing imported.
      const earlier = page.getByRole('table', { name: 'Earlier imports' }).getByRole('row', { name: /people\.csv/ });
      await expect.poll(async () => (await earlier.getByRole('cell').allTextContents()).slice(0, 4), { timeout: 10_000 }).toEqual(['people.csv', 'Completed', '2', '2']);
      expect(await unlabelledControls(page)).toEqual([]);

      // A file that is no CSV fails as a whole, said in one sentence.
      const notCsv = join(dir, 'photo.csv');
      writeFileSync(notCsv, 'name;phone\nAnil;+919876500011\n');
      await page.getByLabel('CSV file').setInputFiles(notCsv);
      await page.getByRole('button', { name: 'Import' }).click();
      await expect.poll(() => report.locator('.alert').first().textContent(), { timeout: 20_000 }).toMatch(/^The import failed: .*[^.]\. Importing the same file again is safe\.$/);
      const failed = page.getByRole('table', { name: 'Earlier imports' }).getByRole('row', { name: /photo\.csv/ });
      await expect.poll(async () => (await failed.getByRole('cell').allTextContents()).slice(0, 2)).toEqual(['photo.csv', 'Failed']);
      expect(browser.pageErrors.join('\n')).toBe('');
    });
  },
  { enabled: chromiumAvailable },
);
