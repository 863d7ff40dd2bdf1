import ExcelJS from 'exceljs';
// The dashboards as the people who use them meet them, in real headless Chromium against the real
// server on the demo organisation: the administrator opens the executive and the manager views and
// finds the same numbers as GET /api/kpi, clicks a number and gets the deals behind it; a rep
// (created through the API, password set through their one-time link) sees only their own numbers.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  openPage,
  prepareBrowserTest,
  screenshot,
  signIn,
  startAppServer,
  type RunningServer,
} from './harness.ts';

const adminEmail = 'admin@example.com';
const adminPassword = 'Staple-Orbit-Lantern-31';
const repEmail = 'rep.dashboards@example.com';
const repPassword = 'Pipeline-Every-Morning-8';

type KpiValue = { value: number | string | null; records?: { kind: string; ids: number[] } };
type KpiReport = {
  period: { from: string; to: string; label?: string };
  groups: { key: string | number | null; label: string; metrics: Record<string, KpiValue> }[];
};

let server: (RunningServer & { stop(): Promise<void> }) | undefined;
let baseUrl = '';
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
let admin: Page;
const pageErrors: string[] = [];

async function newPage(): Promise<Page> {
  const opened = await openPage(browser!, pageErrors);
  contexts.push(opened.context);
  // Charts draw without animation, so a screenshot shows the final bars.
  await opened.page.emulateMedia({ reducedMotion: 'reduce' });
  return opened.page;
}

/** A request with the page's session (its cookie, and the CSRF token for changes), as JSON. */
async function apiCall<T>(page: Page, apiPath: string, body?: unknown): Promise<T> {
  return page.evaluate(
    async ({ p, payload }) => {
      const headers: Record<string, string> = { accept: 'application/json' };
      let init: RequestInit = { headers };
      if (payload !== undefined) {
        const me = await (await fetch('/api/auth/me')).json();
        headers['content-type'] = 'application/json';
        if (me.csrfToken) headers['x-csrf-token'] = me.csrfToken;
        init = { method: 'POST', headers, body: JSON.stringify(payload) };
      }
      const response = await fetch(p, init);
      if (!response.ok) throw new Error(`${p} answered ${response.status}: ${await response.text()}`);
      return response.json();
    },
    { p: apiPath, payload: body },
  ) as Promise<T>;
}

describe('Dashboards in the browser', () => {
  beforeAll(async () => {
    await prepareBrowserTest();
    server = await startAppServer({
      name: 'dashboards',
      demoReps: 12,
      admin: { email: adminEmail, password: adminPassword },
    });
    baseUrl = server.url;
    browser = await launchBrowser();
    admin = await newPage();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
  });

  it('shows the administrator the executive view with the numbers of /api/kpi, each opening its deals', async () => {
    await signIn(admin, baseUrl, adminEmail, adminPassword);
    await admin.getByTestId('dashboards-link').click();
    await admin.waitForURL(`${baseUrl}/measure/dashboard`);
    await admin.getByRole('heading', { level: 1, name: 'Dashboards' }).waitFor();
    await admin.getByTestId('executive-dashboard').waitFor();
    const wonRevenue = admin.getByTestId('exec-value-won_revenue');
    await wonRevenue.waitFor();

    const expected = await apiCall<KpiReport>(
      admin,
      '/api/kpi?metrics=won_revenue,gross_margin&by=company&period=quarter&calendar=fiscal&compare=prior_period&withRecords=true',
    );
    const company = expected.groups[0]!;
    const revenue = String(company.metrics.won_revenue!.value);
    expect(Number(revenue)).toBeGreaterThan(0);
    expect(await wonRevenue.getAttribute('data-value')).toBe(revenue);
    // Shown as money, to the cent: "$130,634.04" for "130634.04" ("$1,000" for "1000.00").
    const shown = (await wonRevenue.textContent())!.replace(', list the records behind it', '');
    expect(shown).toMatch(/^\$[\d,]+(\.\d\d)?$/);
    expect(shown.replace(/[$,]/g, '')).toBe(revenue.replace(/\.0+$/, ''));
    expect(await admin.getByTestId('exec-value-gross_margin').getAttribute('data-value')).toBe(
      String(company.metrics.gross_margin!.value),
    );
    // The lens, the trend and the charts are there, each chart described in words.
    await admin.getByTestId('growth-stage').waitFor();
    expect(await admin.getByTestId('growth-stage').getAttribute('data-stage')).toMatch(
      /^(early|scaling|expansion|enterprise)$/,
    );
    expect(await admin.getByTestId('trend-table').locator('tbody tr').count()).toBe(4);
    expect(await admin.getByTestId('revenue-chart').getAttribute('aria-label')).toContain(
      'Won revenue by rep',
    );
    expect(await admin.getByTestId('revenue-chart').locator('canvas').count()).toBe(1);
    expect(await admin.getByRole('link', { name: 'Export CSV' }).first().getAttribute('href')).toContain(
      '/api/kpi/export.csv?metrics=',
    );
    await screenshot(admin, 'dashboards-01-executive');

    // Click the number: the deals behind it, exactly the ids the API gives (the first 50 at most).
    const ids = company.metrics.won_revenue!.records!.ids;
    await wonRevenue.click();
    const drilldown = admin.getByTestId('drilldown');
    await drilldown.getByTestId('drilldown-table').waitFor();
    const rows = drilldown.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(Math.min(50, ids.length));
    const listed = (
      await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-deal-id'))))
    ).sort();
    expect(listed).toEqual(ids.slice(0, 50).sort());
    if (ids.length > 50)
      expect(await admin.getByTestId('drilldown-count').textContent()).toContain(`first 50 of ${ids.length}`);
    await screenshot(admin, 'dashboards-02-executive-drilldown');
  });

  it('shows the manager view: distribution by rep, coverage, pace and the funnel, sortable and shareable', async () => {
    await admin.getByRole('button', { name: 'Manager', exact: true }).click();
    await admin.waitForURL((url) => url.searchParams.get('view') === 'manager');
    const table = admin.getByTestId('manager-table');
    await table.waitFor();

    const expected = await apiCall<KpiReport>(
      admin,
      '/api/kpi?metrics=won_revenue,quota_attainment,pipeline_coverage&by=rep&period=quarter&calendar=fiscal',
    );
    expect(expected.groups.length).toBeGreaterThan(2);
    expect(await table.locator('tbody tr').count()).toBe(expected.groups.length);
    const best = [...expected.groups].sort(
      (a, b) => Number(b.metrics.won_revenue!.value) - Number(a.metrics.won_revenue!.value),
    )[0]!;
    expect(await table.getByTestId(`cell-won_revenue-${String(best.key)}`).getAttribute('data-value')).toBe(
      String(best.metrics.won_revenue!.value),
    );
    // The table's XLSX export (the link on the page, fetched with the page's session) opens and holds
    // the same numbers as the page.
    const href = (await admin.getByTestId('export-xlsx').first().getAttribute('href'))!;
    const base64 = await admin.evaluate(async (url) => {
      const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
      let text = '';
      for (const b of bytes) text += String.fromCharCode(b);
      return btoa(text);
    }, href);
    const workbook = new ExcelJS.Workbook();
    const bytes = Buffer.from(base64, 'base64');
    await workbook.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const sheet = workbook.worksheets[0]!;
    const headerRow = (sheet.getRow(1).values as unknown[]).slice(1);
    const wonColumn = headerRow.indexOf('won_revenue') + 1;
    const bestRow = sheet
      .getRows(2, sheet.rowCount - 1)!
      .find((r) => String(r.getCell(1).value) === String(best.key))!;
    expect(Number(bestRow.getCell(wonColumn).value)).toBe(Number(best.metrics.won_revenue!.value));
    expect(sheet.rowCount - 1).toBe(expected.groups.length);

    // Sorted by won revenue, highest first; a click on the header turns the order round.
    expect(await table.locator('tbody tr').first().getAttribute('data-group-key')).toBe(String(best.key));
    const header = table.getByRole('columnheader', { name: /Won revenue/ });
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    await header.getByRole('button').click();
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    expect(await table.locator('tbody tr').last().getAttribute('data-group-key')).toBe(String(best.key));
    expect(await table.locator('tr[data-tier="top"]').count()).toBeGreaterThanOrEqual(1);

    // The alerts computed after the import: the card lists as many as /api/alerts has.
    const alerts = await apiCall<{ alerts: { kind: string; message: string }[] }>(admin, '/api/alerts');
    const card = admin.getByTestId('alerts');
    await card.waitFor();
    if (alerts.alerts.length === 0) expect(await card.textContent()).toContain('No alerts');
    else {
      await card.locator('summary').first().waitFor();
      const counts = (await card.locator('summary').allTextContents()).map((t) =>
        Number(/\((\d+)\)/.exec(t)?.[1]),
      );
      expect(counts.reduce((a, b) => a + b, 0)).toBe(alerts.alerts.length);
    }

    await admin.getByTestId('coverage-chart').waitFor();
    await admin.getByTestId('funnel-table').waitFor();
    expect(await admin.getByTestId('funnel-table').locator('tbody tr').count()).toBeGreaterThan(2);
    await admin.getByTestId('distribution-chart').locator('canvas').waitFor();

    // The filters are in the address: opening it again gives the same view.
    await admin.getByLabel('Period').selectOption('year');
    await admin.waitForURL((url) => url.searchParams.get('period') === 'year');
    await admin.goto(admin.url());
    await admin.getByTestId('manager-table').waitFor();
    expect(await admin.getByLabel('Period').inputValue()).toBe('year');
    await admin.getByLabel('Period').selectOption('quarter');
    await admin.getByTestId('manager-table').waitFor();
    await screenshot(admin, 'dashboards-03-manager');

    // Someone who sees the whole team gets the rep view with the team median and top decile.
    await admin.getByRole('button', { name: 'Rep', exact: true }).click();
    await admin.getByTestId('rep-dashboard').waitFor();
    expect(await admin.getByTestId('rep-won_revenue').textContent()).toMatch(/Median .* Top 10% /);
    expect(await admin.getByTestId('no-team-comparison').count()).toBe(0);
    await screenshot(admin, 'dashboards-06-rep-as-admin');
  });

  it('shows a rep the rep view with only their own numbers, and no made-up team comparison', async () => {
    const reps = await apiCall<KpiReport>(
      admin,
      '/api/kpi?metrics=won_revenue,quota&by=rep&period=quarter&calendar=fiscal',
    );
    const chosen = reps.groups.find(
      (g) => Number(g.metrics.won_revenue!.value) > 0 && Number(g.metrics.quota!.value) > 0,
    );
    expect(chosen, 'a rep with won revenue and a quota this quarter').toBeDefined();
    const created = await apiCall<{ setupLink: { url: string } }>(admin, '/api/users', {
      email: repEmail,
      name: chosen!.label,
      role: 'sales_rep',
      personId: Number(chosen!.key),
      canViewPay: false,
    });
    const token = new URL(created.setupLink.url).hash.replace(/^#token=/, '');

    const page = await newPage();
    await page.goto(`${baseUrl}/`);
    await page.getByRole('heading', { level: 1, name: 'Sign in to Attain' }).waitFor();
    await apiCall(page, '/api/auth/link/complete', { token, password: repPassword });
    await page.goto(`${baseUrl}/measure/dashboard`);
    const dashboard = page.getByTestId('rep-dashboard');
    await dashboard.waitFor();
    expect(await dashboard.getAttribute('data-person-id')).toBe(String(chosen!.key));
    expect(await page.getByRole('button', { name: 'Manager', exact: true }).count()).toBe(0);
    expect(await page.getByTestId('no-team-comparison').textContent()).toContain('manager’s view');
    expect(await page.getByTestId('activity-pacing').textContent()).toMatch(/activit/);

    const own = await apiCall<KpiReport>(
      page,
      '/api/kpi?metrics=won_revenue&by=rep&period=quarter&calendar=fiscal&withRecords=true',
    );
    expect(own.groups.map((g) => g.key)).toEqual([chosen!.key]);
    const value = page.getByTestId('rep-value-won_revenue');
    expect(await value.getAttribute('data-value')).toBe(String(own.groups[0]!.metrics.won_revenue!.value));
    await screenshot(page, 'dashboards-04-rep');

    await value.click();
    const owners = page.getByTestId('drilldown').getByTestId('drilldown-owner');
    await expect.poll(() => owners.count()).toBe(own.groups[0]!.metrics.won_revenue!.records!.ids.length);
    expect(new Set(await owners.allTextContents())).toEqual(new Set([chosen!.label]));
    await screenshot(page, 'dashboards-05-rep-drilldown');
    expect(pageErrors).toEqual([]);
  });
});
