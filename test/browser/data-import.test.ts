// The data import flow a sales-ops analyst follows, in real headless Chromium against the real server
// (bin/attain.mjs serve on a fresh embedded database): see the counts, import a good file, see the
// report and the counts change, import a bad file and see every error and that nothing changed.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const screenshotDir = path.join(repoRoot, 'test-output', 'browser');
const chromiumPath = '/usr/bin/chromium';

let server: ChildProcess | undefined;
let serverLog = '';
let baseUrl = '';
let dataDir = '';
let filesDir = '';
let browser: Browser | undefined;
let page: Page;
const pageErrors: string[] = [];

/** Starts `attain serve` on a free port and resolves with the URL it prints. */
function startServer(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/attain.mjs', 'serve'], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(
      () => reject(new Error(`The server did not say it was listening within 120 s. Output:\n${serverLog}`)),
      120_000,
    );
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      serverLog += chunk;
      const match = /Attain is listening on (http:\/\/[^\s]+)/.exec(serverLog);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1].replace(/\/$/, '') });
      }
    });
    child.stderr?.on('data', (chunk: string) => {
      serverLog += chunk;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `The server exited (code ${code}, signal ${signal}) before listening. Output:\n${serverLog}`,
        ),
      );
    });
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killTimer);
}

async function screenshot(name: string): Promise<void> {
  // Full-page captures render sticky header and sidebar at the scroll position: start from the top.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
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
    if (!existsSync(path.join(repoRoot, 'web', 'dist', 'index.html'))) {
      execFileSync(
        path.join(repoRoot, 'node_modules', '.bin', 'vite'),
        ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
        {
          cwd: repoRoot,
          stdio: 'inherit',
        },
      );
    }
    if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: apt-get install -y chromium`);
    await mkdir(screenshotDir, { recursive: true });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'attain-browser-db-'));
    filesDir = await mkdtemp(path.join(os.tmpdir(), 'attain-browser-files-'));

    const started = await startServer({
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      ATTAIN_DATA_DIR: dataDir,
      ATTAIN_DEMO: 'false',
      DATABASE_URL: '',
      NODE_ENV: 'test',
    });
    server = started.child;
    server.removeAllListeners('exit');
    baseUrl = started.url;

    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
      locale: 'en-US',
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    if (server) await stopServer(server);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (filesDir) await rm(filesDir, { recursive: true, force: true });
  });

  it('opens on Data, shows the database kind and the navigation of every area', async () => {
    await page.goto(`${baseUrl}/`);
    await page.waitForURL(`${baseUrl}/data`);
    await page.getByRole('heading', { level: 1, name: 'Data' }).waitFor();

    await expect.poll(() => page.getByTestId('database-kind').textContent()).toContain('PGlite');
    const nav = page.getByRole('navigation', { name: 'Areas' });
    const labels = await nav.getByRole('link').allTextContents();
    expect(labels).toEqual(['Measure', 'Reward', 'Forecast', 'Plan', 'Improve', 'Data']);
    expect(await nav.getByRole('link', { name: 'Data' }).getAttribute('aria-current')).toBe('page');
  });

  it('shows what an area not built yet will hold, with a way to bring data in', async () => {
    await page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Forecast' }).click();
    await page.waitForURL(`${baseUrl}/forecast`);
    await page.getByRole('heading', { level: 1, name: 'Forecast' }).waitFor();
    const emptyState = page.locator('.empty-state');
    expect(await emptyState.textContent()).toContain('Commit, best case and pipeline');
    // The title receives focus after navigation, for screen readers and keyboard users.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('page-title');
    await screenshot('01-forecast-empty-state');

    // Deep link and reload work (the server serves the app for every UI path).
    await page.goto(`${baseUrl}/measure`);
    await page.getByRole('heading', { level: 1, name: 'Measure' }).waitFor();

    await page.getByRole('link', { name: 'Bring data in' }).click();
    await page.waitForURL(`${baseUrl}/data`);
    // Back returns to the area, through the History API.
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Measure' }).waitFor();
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
