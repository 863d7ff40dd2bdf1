// Forecast (issue 7) as a manager and their director meet it, in real headless Chromium against the
// real server on a small demo organisation: the manager opens the quarter's forecast, sees the
// range and the team's roll-up, overrides it with a note, and the director's roll-up shows the
// manager's number.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiCall,
  launchBrowser,
  openPage,
  prepareBrowserTest,
  screenshot,
  signIn,
  startAppServer,
  type RunningServer,
} from './harness.ts';

const adminEmail = 'admin@example.com';
const adminPassword = 'Forecast-Lantern-Orbit-7';
const managerPassword = 'Manager-Forecast-2026!';
const directorPassword = 'Director-Forecast-2026!';

type Row = { positionId: number; personId: number | null; name: string; reports: number };
type View = {
  rows: Row[];
  node: Row | null;
  period: { id: number; label: string };
  rangeShock: { sd: number; windows: number } | null;
};

let server: (RunningServer & { stop(): Promise<void> }) | undefined;
let baseUrl = '';
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
let admin: Page;
let manager: Page;
let director: Page;
let managerRow: Row;
let directorRow: Row;

async function newPage(): Promise<Page> {
  const opened = await openPage(browser!, pageErrors);
  contexts.push(opened.context);
  return opened.page;
}

/** A user for a person of the demo, set up through their one-time link and the set-up page. */
async function userFor(row: Row, email: string, password: string): Promise<Page> {
  const created = await apiCall<{ setupLink: { url: string } }>(admin, 'POST', '/api/users', {
    email,
    name: row.name,
    role: 'sales_manager',
    personId: row.personId,
  });
  const link = new URL(created.setupLink.url);
  const page = await newPage();
  await page.goto(`${baseUrl}${link.pathname}${link.search}${link.hash}`);
  await page.getByLabel('New password').fill(password);
  await page.getByLabel('Confirm the password').fill(password);
  await page.getByRole('button', { name: 'Set password and sign in' }).click();
  await page.getByTestId('user-menu-button').waitFor();
  return page;
}

async function openForecast(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Forecast' }).click();
  await page.waitForURL(`${baseUrl}/forecast`);
  await page.getByTestId('forecast-headline').waitFor({ timeout: 60_000 });
}

describe('Forecast in the browser: range, roll-up and a manager’s override', () => {
  beforeAll(async () => {
    await prepareBrowserTest();
    server = await startAppServer({
      name: 'forecast',
      demoReps: 12,
      admin: { email: adminEmail, password: adminPassword },
    });
    baseUrl = server.url;
    browser = await launchBrowser();
    admin = await newPage();
    await signIn(admin, baseUrl, adminEmail, adminPassword);
    // Down the demo's hierarchy: the company's top position, a director under it, a manager with reps.
    const company = await apiCall<View>(admin, 'GET', '/api/forecast');
    let found: { director: Row; manager: Row } | undefined;
    for (const top of company.rows) {
      const level = await apiCall<View>(admin, 'GET', `/api/forecast?positionId=${top.positionId}`);
      for (const candidate of level.rows.filter((r) => r.reports > 0 && r.personId !== null)) {
        const below = await apiCall<View>(admin, 'GET', `/api/forecast?positionId=${candidate.positionId}`);
        const team = below.rows.find((r) => r.reports > 0 && r.personId !== null);
        if (team) {
          found = { director: candidate, manager: team };
          break;
        }
      }
      if (found) break;
    }
    if (!found) throw new Error('The demo has no director with a manager under them');
    directorRow = found.director;
    managerRow = found.manager;
    manager = await userFor(managerRow, 'manager.forecast@example.com', managerPassword);
    director = await userFor(directorRow, 'director.forecast@example.com', directorPassword);
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
  });

  it('shows the manager the quarter’s number with its range and the team’s roll-up', async () => {
    await openForecast(manager);
    expect(await manager.getByRole('heading', { level: 2, name: new RegExp(managerRow.name) }).count()).toBe(
      1,
    );
    const range = await manager.getByTestId('forecast-range').textContent();
    expect(range).toMatch(/^80% range \$[\d,]+ – \$[\d,]+$/);
    const [low, high] = range!
      .replace('80% range ', '')
      .split(' – ')
      .map((t) => Number(t.replace(/[$,]/g, '')));
    const p50 = Number((await manager.getByTestId('forecast-p50').textContent())!.replace(/[$,]/g, ''));
    expect(low!).toBeLessThanOrEqual(p50);
    expect(p50).toBeLessThanOrEqual(high!);
    // One row per rep reporting to the manager, as the API says.
    const api = await apiCall<View>(manager, 'GET', '/api/forecast');
    expect(api.node!.positionId).toBe(managerRow.positionId);
    // The demo has years of history: the range allows for a common shock, and says how much.
    expect(api.rangeShock).not.toBeNull();
    expect(await manager.getByTestId('forecast-range-shock').textContent()).toBe(
      `Allows for a good or bad period for everyone (one standard deviation ${Math.round(api.rangeShock!.sd * 100)}%), learned from ${api.rangeShock!.windows} past periods`,
    );
    const rows = manager.getByTestId('forecast-rollup').locator('tbody tr');
    expect(await rows.count()).toBe(api.rows.length);
    expect(api.rows.length).toBeGreaterThan(0);
    await manager.getByTestId('forecast-accuracy').waitFor({ timeout: 60_000 });
    await screenshot(manager, 'forecast-01-manager');
  });

  it('lets the manager override the roll-up with a note, and refuses it without one', async () => {
    const form = manager.getByRole('form', { name: 'Override the roll-up' });
    await form.getByLabel(/^Commit/).fill('100000');
    await form.getByLabel(/^Most likely/).fill('250000');
    await form.getByLabel(/^Best case/).fill('400000');
    await form.getByLabel(/^Pipeline/).fill('900000');
    // The note is required: the browser refuses the empty form before anything is sent.
    await form.getByRole('button', { name: 'Save override' }).click();
    expect(
      await form.getByLabel(/^Note/).evaluate((el) => (el as HTMLTextAreaElement).validity.valueMissing),
    ).toBe(true);
    await form.getByLabel(/^Note/).fill('Two renewals slip into January');
    await form.getByLabel(/^Note/).press('Tab');
    await form.getByRole('button', { name: 'Save override' }).press('Enter');
    await form.getByRole('status').filter({ hasText: 'Saved as version 1.' }).waitFor();
    await expect.poll(() => manager.getByTestId('forecast-call').textContent()).toBe('$250,000');
    expect(await manager.getByTestId('forecast-versions').textContent()).toContain(
      'Two renewals slip into January',
    );
    // Opened afresh, the form starts from version 1 and a second version saves.
    await manager.reload();
    const again = manager.getByRole('form', { name: 'Override the roll-up' });
    expect(await again.getByLabel(/^Most likely/).inputValue()).toBe('250000.00');
    await again.getByLabel(/^Most likely/).fill('260000');
    await again.getByLabel(/^Note/).fill('Two renewals slip into January; one upsell lands');
    await again.getByRole('button', { name: 'Save override' }).click();
    await again.getByRole('status').filter({ hasText: 'Saved as version 2.' }).waitFor();
    await expect.poll(() => manager.getByTestId('forecast-call').textContent()).toBe('$260,000');
    expect(await manager.getByTestId('forecast-versions').locator('tbody tr').count()).toBe(2);
    await screenshot(manager, 'forecast-02-override');
  });

  it('shows the director the manager’s override in their roll-up', async () => {
    await openForecast(director);
    const row = director.locator(
      `[data-testid="forecast-rollup"] tbody tr[data-position="${managerRow.positionId}"]`,
    );
    await row.waitFor();
    expect(await row.getByTestId('row-most-likely').textContent()).toBe('$260,000');
    expect(await row.textContent()).toContain('Override v2');
    expect(await row.textContent()).toContain('one upsell lands');
    // Nobody else under the director has a call yet: the roll-up is the manager's number.
    expect(await director.getByTestId('rollup-most-likely').textContent()).toBe('$260,000');
    const api = await apiCall<View & { node: { rollUp: { mostLikely: string } } }>(
      director,
      'GET',
      '/api/forecast',
    );
    expect(api.node.rollUp.mostLikely).toBe('260000.00');
    await screenshot(director, 'forecast-03-director');
    expect(pageErrors).toEqual([]);
  });
});
