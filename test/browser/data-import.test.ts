// The data import flow a sales-ops analyst follows, in real headless Chromium against the real server
// (bin/attain.mjs serve on a fresh embedded database): see the counts, import a good file, see the
// report and the counts change, import a bad file and see every error and that nothing changed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  openPage,
  prepareBrowserTest,
  screenshot as capture,
  signIn,
  startAppServer,
  type RunningServer,
} from './harness.ts';

const adminEmail = 'admin@example.com';
const adminPassword = 'Correct-Horse-Battery-9';

let server: (RunningServer & { stop(): Promise<void> }) | undefined;
let baseUrl = '';
let filesDir = '';
let browser: Browser | undefined;
let page: Page;
const pageErrors: string[] = [];

function screenshot(name: string): Promise<void> {
  return capture(page, name);
}

/** The number shown on the Data page's card for one entity, as a number. */
async function shownCount(entity: string): Promise<number | null> {
  const text = await page.getByTestId(`count-${entity}`).locator('dd').textContent();
  const digits = text?.replace(/[^0-9]/g, '') ?? '';
  return digits === '' ? null : Number(digits);
}

/** Chooses files in the Data page's file input and waits until each one's preview is shown. */
async function chooseFiles(paths: string[]): Promise<void> {
  await page.locator('input[type="file"]').setInputFiles(paths);
  for (const file of paths) {
    const card = page.locator('article.file-card', { hasText: path.basename(file) });
    await card.locator('[data-testid="detection"]').waitFor({ timeout: 30_000 });
  }
}

async function runImportAndWaitForReport(): Promise<void> {
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.locator('section.report').waitFor({ timeout: 60_000 });
}

describe('Data import in the browser', () => {
  beforeAll(async () => {
    await prepareBrowserTest();
    filesDir = await mkdtemp(path.join(os.tmpdir(), 'attain-browser-files-'));

    // The first administrator signs in through the UI with this password (sign-in is required).
    server = await startAppServer({
      name: 'db',
      demoReps: null,
      admin: { email: adminEmail, password: adminPassword },
    });
    baseUrl = server.url;

    browser = await launchBrowser();
    ({ page } = await openPage(browser, pageErrors));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (filesDir) await rm(filesDir, { recursive: true, force: true });
  });

  it('asks for sign-in, signs the administrator in, and shows Data and the navigation of their role', async () => {
    await page.goto(`${baseUrl}/data`);
    // Not signed in: the sign-in page, whatever the address.
    await page.getByRole('heading', { level: 1, name: 'Sign in to Attain' }).waitFor();
    await signIn(page, baseUrl, adminEmail, adminPassword);
    await page.waitForURL(`${baseUrl}/measure`);
    expect(await page.getByTestId('user-menu-button').textContent()).toContain('Administrator');

    const nav = page.getByRole('navigation', { name: 'Areas' });
    await nav.getByRole('link', { name: 'Data' }).click();
    await page.waitForURL(`${baseUrl}/data`);
    await page.getByRole('heading', { level: 1, name: 'Data' }).waitFor();

    await expect.poll(() => page.getByTestId('database-kind').textContent()).toContain('PGlite');
    const labels = await nav.getByRole('link').allTextContents();
    expect(labels).toEqual([
      'Measure',
      'Reward',
      'Forecast',
      'Plan',
      'Improve',
      'Data',
      'Users',
      'Audit trail',
    ]);
    expect(await nav.getByRole('link', { name: 'Data' }).getAttribute('aria-current')).toBe('page');
  });

  it('shows what an area not built yet will hold, with a way to bring data in', async () => {
    await page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Improve' }).click();
    await page.waitForURL(`${baseUrl}/improve`);
    await page.getByRole('heading', { level: 1, name: 'Improve' }).waitFor();
    const emptyState = page.locator('.empty-state');
    expect(await emptyState.textContent()).toContain('Competency assessments against the 21-skill model');
    // The title receives focus after navigation, for screen readers and keyboard users.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('page-title');
    await screenshot('01-improve-empty-state');

    // Deep link and reload work (the server serves the app for every UI path; the session cookie stays).
    await page.goto(`${baseUrl}/plan`);
    await page.getByRole('heading', { level: 1, name: 'Plan' }).waitFor();

    await page.getByRole('link', { name: 'Bring data in' }).click();
    await page.waitForURL(`${baseUrl}/data`);
    // Back returns to the area, through the History API.
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Plan' }).waitFor();
    await page.goForward();
    await page.getByRole('heading', { level: 1, name: 'Data' }).waitFor();
  });

  it('imports three accounts from a native CSV and shows the report and the new count', async () => {
    await expect.poll(() => shownCount('accounts'), { timeout: 15_000 }).toBe(0);
    await page.getByText('No imports yet').waitFor();
    await screenshot('02-data-empty');

    const accountsCsv = path.join(filesDir, 'accounts.csv');
    await writeFile(
      accountsCsv,
      [
        'account_key,name,segment,industry,country',
        'ACC-1,Northwind Traders,Enterprise,Retail,US',
        'ACC-2,Contoso Ltd,Mid-Market,Manufacturing,DE',
        'ACC-3,Fabrikam Inc,SMB,Software,FR',
        '',
      ].join('\n'),
    );
    await chooseFiles([accountsCsv]);
    const card = page.locator('article.file-card', { hasText: 'accounts.csv' });
    expect(await card.getByTestId('detection').textContent()).toMatch(/Accounts/);
    const previewRows = card.locator('table.preview-table tbody tr');
    expect(await previewRows.count()).toBe(3);
    expect(await card.locator('table.preview-table thead').textContent()).toContain('account_key');
    expect(await previewRows.first().textContent()).toContain('Northwind Traders');

    // The mapping select is labelled and defaults to detection.
    const mappingSelect = page.getByLabel('Mapping');
    expect(await mappingSelect.inputValue()).toBe('detect');
    expect(await mappingSelect.locator('option').count()).toBeGreaterThan(1);
    await screenshot('03-accounts-preview');

    await runImportAndWaitForReport();
    const report = page.locator('section.report');
    await report.getByText('Import complete').waitFor();
    const accountsRow = report.locator('table[aria-label="Changes per entity"] tbody tr', {
      hasText: 'Accounts',
    });
    expect((await accountsRow.locator('td').allTextContents()).map((t) => t.trim())).toEqual(['3', '0', '0']);

    await expect.poll(() => shownCount('accounts'), { timeout: 15_000 }).toBe(3);
    const history = page.locator('table[aria-label="Import history"] tbody tr.history-row');
    await expect.poll(() => history.count(), { timeout: 15_000 }).toBe(1);
    expect(await history.first().textContent()).toContain('accounts.csv');
    expect(await history.first().textContent()).toContain('Imported');
    await screenshot('04-accounts-imported');
  });

  it('rejects a file with an impossible date and an unknown stage, lists the errors and changes nothing', async () => {
    const opportunitiesCsv = path.join(filesDir, 'opportunities.csv');
    await writeFile(
      opportunitiesCsv,
      [
        'opportunity_key,name,account_key,stage,amount,currency,created_on',
        'OPP-1,Northwind renewal,ACC-1,Proposal,12000.00,USD,2017-02-31',
        'OPP-2,Contoso expansion,ACC-2,Signed,8000.00,USD,2017-03-01',
        '',
      ].join('\n'),
    );
    await chooseFiles([opportunitiesCsv]);
    await runImportAndWaitForReport();

    const report = page.locator('section.report');
    await report.getByText('Nothing was changed', { exact: false }).first().waitFor();
    expect(await report.textContent()).toContain('Import rejected');

    const errorRows = report.locator('table[aria-label="Import errors"] tbody tr');
    const errors = await errorRows.evaluateAll((rows) =>
      rows.map((row) =>
        Array.from(row.querySelectorAll('td')).map((cell) => (cell.textContent ?? '').trim()),
      ),
    );
    // [file, line, field, value, message]
    const dateError = errors.find((cells) => cells[2] === 'created_on');
    expect(dateError, `errors shown: ${JSON.stringify(errors)}`).toBeDefined();
    expect(dateError?.[0]).toBe('opportunities.csv');
    expect(dateError?.[1]).toBe('2');
    expect(dateError?.[3]).toBe('2017-02-31');
    const stageError = errors.find((cells) => cells[2] === 'stage');
    expect(stageError, `errors shown: ${JSON.stringify(errors)}`).toBeDefined();
    expect(stageError?.[1]).toBe('3');
    expect(stageError?.[3]).toBe('Signed');

    // All-or-nothing: the valid row was not written either, and the accounts are as before.
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => shownCount('opportunities'), { timeout: 15_000 }).toBe(0);
    expect(await shownCount('accounts')).toBe(3);
    await screenshot('05-opportunities-rejected');
  });

  it('lists both imports in the history and opens one with Enter to show its errors', async () => {
    const history = page.locator('table[aria-label="Import history"] tbody tr.history-row');
    await expect.poll(() => history.count(), { timeout: 15_000 }).toBe(2);
    const rejected = history.first();
    expect(await rejected.textContent()).toContain('opportunities.csv');
    expect(await rejected.textContent()).toContain('Rejected');

    const toggle = rejected.getByRole('button');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const detail = page.locator('.history-detail-row');
    const detailErrors = detail.locator('table.issues-table tbody tr');
    await detailErrors.first().waitFor({ timeout: 15_000 });
    const detailText = await detail.textContent();
    expect(detailText).toContain('2017-02-31');
    expect(detailText).toContain('Nothing was changed');
    await screenshot('06-history-expanded');

    // Clicking the row closes it again.
    await rejected.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(pageErrors).toEqual([]);
  });
});
