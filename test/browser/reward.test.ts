// Reward (issue 6) as the people who use it meet it, in real headless Chromium against the real
// server on a small demo organisation: the compensation admin writes a plan whose test cases run
// (one fails visibly, then is fixed in a new version), runs a month with a live progress display,
// a rep opens their statement, follows a line to its deal and questions it, and the admin resolves
// the question with an adjustment that the next run pays; then the admin assigns the plan to a
// position and adds an adjustment through their forms, and the next run pays it under that plan.
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
const adminPassword = 'Staple-Orbit-Lantern-31';
const repEmail = 'rep.reward@example.com';
const repPassword = 'Commission-Clear-2026';

// Marginal tiers on quarterly attainment; the second test case expects the wrong amount on purpose.
const planSource = (expected: string) => `id: ae-revenue
name: Account executive — revenue
currency: USD
period: month
effective_from: 2024-01-01
credit:
  rules: [owner, splits]
  types:
    - { id: revenue, amount: amount }
measures:
  - id: revenue_qtd
    credit: revenue
    window: quarter_to_date
    quota: revenue
components:
  - id: commission
    kind: commission
    credit: revenue
    tiers:
      basis: attainment
      measure: revenue_qtd
      method: marginal
      bands:
        - { to: 100%, rate: 6% }
        - { to: 125%, rate: 8% }
        - { rate: 12% }
tests:
  - name: a $100,000 deal on a $300,000 quarter pays 6%
    input:
      periods: ["2026-01"]
      transactions:
        - { id: D-1, date: "2026-01-15", owner: alice, amount: "100000" }
      quotas:
        - { payee: alice, period: "2026-Q1", measure: revenue, amount: "300000" }
    expect:
      - { payee: alice, period: "2026-01", earnings: "6000.00" }
  - name: a $400,000 deal on a $300,000 quarter crosses two tiers
    input:
      periods: ["2026-01"]
      transactions:
        - { id: D-2, date: "2026-01-20", owner: bob, amount: "400000" }
      quotas:
        - { payee: bob, period: "2026-Q1", measure: revenue, amount: "300000" }
    expect:
      - { payee: bob, period: "2026-01", earnings: "${expected}" }
`;

type StatementSummary = {
  payee: string;
  payeeName: string;
  period: string;
  totals: { earnings: string; payable: string; adjustments: string };
};

let server: (RunningServer & { stop(): Promise<void> }) | undefined;
let baseUrl = '';
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
let admin: Page;
let rep: Page;
const pageErrors: string[] = [];

// Chosen from the first run (see test b).
let period = '';
let nextPeriod = '';
let payee: StatementSummary;
let disputedLineId = '';

async function newPage(): Promise<Page> {
  const opened = await openPage(browser!, pageErrors);
  contexts.push(opened.context);
  return opened.page;
}

function rewardTab(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Reward' }).getByRole('link', { name, exact: true });
}

/** Starts a run of `label` from the Runs page and waits for the run page to report success. */
async function startRun(label: string): Promise<string> {
  await rewardTab(admin, 'Runs and periods').click();
  await admin.getByRole('heading', { level: 1, name: 'Runs and periods' }).waitFor();
  const form = admin.getByRole('form', { name: 'Start a run' });
  await form.getByLabel('Period').selectOption(label);
  await form.getByRole('button', { name: 'Start run' }).click();
  await admin.waitForURL(/\/reward\/runs\/\d+$/);
  await admin.locator('[data-testid="run"][data-status="succeeded"]').waitFor({ timeout: 60_000 });
  return new URL(admin.url()).pathname.split('/').pop()!;
}

describe('Reward in the browser: plans, runs, statements and disputes', () => {
  beforeAll(async () => {
    await prepareBrowserTest();
    server = await startAppServer({
      name: 'reward',
      demoReps: 12,
      admin: { email: adminEmail, password: adminPassword },
    });
    baseUrl = server.url;
    browser = await launchBrowser();
    admin = await newPage();
    await signIn(admin, baseUrl, adminEmail, adminPassword);
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
  });

  it('(a) lets the admin write a plan whose test cases run, one failing visibly, then fix it in version 2', async () => {
    await admin.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Reward' }).click();
    // A compensation admin lands on the runs; the plans are one tab away (the demo brings its own).
    await admin.waitForURL(`${baseUrl}/reward/runs`);
    await rewardTab(admin, 'Plans').click();
    await admin.getByTestId('plans-table').waitFor();
    await screenshot(admin, 'reward-01-plans');
    await admin.getByRole('link', { name: 'New plan' }).click();
    await admin.waitForURL(`${baseUrl}/reward/plans/new`);

    const source = admin.getByTestId('plan-source');
    await source.fill(planSource('30000.00'));
    // Keyboard: Ctrl+Enter checks the plan and runs its test cases.
    await source.press('Control+Enter');
    await admin.getByTestId('plan-valid').waitFor();
    const tests = admin.getByTestId('plan-test');
    await expect.poll(() => tests.count()).toBe(2);
    expect(await tests.nth(0).getAttribute('data-passed')).toBe('true');
    const failing = admin.locator('[data-testid="plan-test"][data-passed="false"]');
    expect(await failing.count()).toBe(1);
    expect(await failing.textContent()).toContain('crosses two tiers');
    expect(await failing.getByTestId('failure-expected').textContent()).toBe('30000.00');
    // 300,000 × 6% + 75,000 × 8% + 25,000 × 12% = 27,000: the plan is right, the test was wrong.
    expect(await failing.getByTestId('failure-actual').textContent()).toBe('27000.00');
    expect(await admin.getByTestId('plan-tests-summary').textContent()).toBe('1 of 2 tests failing');
    // Failing is red.
    const color = await failing.evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(color).toBe('rgb(254, 243, 242)');
    await screenshot(admin, 'reward-02-plan-test-failing');

    // A broken plan reports its problems with line and path.
    await source.fill(planSource('30000.00').replace('window: quarter_to_date', 'window: fortnight'));
    await admin.getByRole('button', { name: 'Check' }).click();
    const problem = admin.getByTestId('plan-problem').first();
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/Line \d+/);
    expect(await problem.textContent()).toContain('window');
    await screenshot(admin, 'reward-03-plan-problem');

    // Ctrl+S saves (a plan with a failing test is saved as a draft), creating version 1.
    await source.fill(planSource('30000.00'));
    await source.press('Control+s');
    await admin.waitForURL(`${baseUrl}/reward/plans/ae-revenue`);
    await admin.getByRole('heading', { level: 1, name: 'Account executive — revenue' }).waitFor();
    await admin.locator('[data-testid="plan-test"][data-passed="false"]').waitFor();
    expect(await admin.getByTestId('plan-versions').textContent()).toContain('v1');

    // Fixing the expectation and saving again makes version 2 with every test passing.
    await admin.getByTestId('plan-source').fill(planSource('27000.00'));
    await admin.getByRole('button', { name: 'Save new version' }).click();
    await expect.poll(() => admin.getByTestId('plan-versions').locator('li').count()).toBe(2);
    await expect
      .poll(() => admin.getByTestId('plan-tests-summary').textContent())
      .toBe('All 2 tests passing');
    expect(await admin.getByTestId('plan-versions').textContent()).toContain('v2');
    await screenshot(admin, 'reward-04-plan-version-2');

    // Version history and assignments are listed beside the editor (the demo's positions keep the demo plan).
    await admin.getByRole('heading', { name: 'Assigned to' }).waitFor();
  });

  it('(b) runs a month with a live progress display, then shows its summary', async () => {
    // The last complete month: the second period listed (the first is the current month).
    const { periods } = await apiCall<{ periods: { period: string; status: string }[] }>(
      admin,
      'GET',
      '/api/comp/periods',
    );
    const months = periods.map((p) => p.period).filter((p) => /^\d{4}-\d{2}$/.test(p));
    nextPeriod = months[0]!;
    period = months[1]!;
    expect(period < nextPeriod).toBe(true);

    await startRun(period);
    // The phases the page saw: the first one from the answer that started the run, the last "done".
    const phases = await admin
      .getByTestId('run-phases')
      .locator('li')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-phase')));
    expect(phases.length).toBeGreaterThanOrEqual(2);
    expect(phases[phases.length - 1]).toBe('done');
    const progress = admin.getByTestId('run-progress');
    expect(await progress.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    const count = (await progress.getByTestId('run-count').textContent()) ?? '';
    expect(count).toMatch(/^(\d+) of \1$/);
    const payees = Number(await admin.getByTestId('run-payees').textContent());
    expect(payees).toBeGreaterThan(0);
    await screenshot(admin, 'reward-05-run-succeeded');

    // The statements of the month, and the rep who earned the most in it.
    await admin.getByTestId('run-statements-link').click();
    await admin.getByTestId('statements-table').waitFor();
    const { statements } = await apiCall<{ statements: StatementSummary[] }>(
      admin,
      'GET',
      `/api/comp/statements?period=${period}`,
    );
    expect(await admin.getByTestId('statements-table').locator('tbody tr').count()).toBe(statements.length);
    payee = statements
      .filter((s) => s.payee.startsWith('rep-'))
      .sort((a, b) => Number(b.totals.earnings) - Number(a.totals.earnings))[0]!;
    expect(Number(payee.totals.earnings)).toBeGreaterThan(0);
    // Search narrows the list to one person.
    await admin.getByLabel('Search statements').fill(payee.payeeName);
    await admin.getByLabel('Search statements').press('Enter');
    await expect.poll(() => admin.getByTestId('statements-table').locator('tbody tr').count()).toBe(1);
    await screenshot(admin, 'reward-06-statements');
  });

  it('(c) lets the rep open their statement, follow a line to its deal, and question the line', async () => {
    const { people } = await apiCall<{ people: { id: number; key: string; name: string }[] }>(
      admin,
      'GET',
      `/api/people?q=${encodeURIComponent(payee.payee)}`,
    );
    const person = people.find((p) => p.key === payee.payee)!;
    const created = await apiCall<{ setupLink: { url: string } }>(admin, 'POST', '/api/users', {
      email: repEmail,
      name: person.name,
      role: 'sales_rep',
      personId: person.id,
      canViewPay: false,
    });
    rep = await newPage();
    await rep.goto(`${baseUrl}/setup${new URL(created.setupLink.url).hash}`);
    await rep.getByLabel('New password').fill(repPassword);
    await rep.getByLabel('Confirm the password').fill(repPassword);
    await rep.getByRole('button', { name: 'Set password and sign in' }).click();
    await rep.waitForURL(`${baseUrl}/measure`);

    await rep.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Reward' }).click();
    await rep.waitForURL(/\/reward\/my-pay/);
    // A rep has My pay and their disputes; no plans, runs or everyone's statements.
    const tabs = await rep.getByRole('navigation', { name: 'Reward' }).getByRole('link').allTextContents();
    expect(tabs).toEqual(['My pay', 'My disputes']);
    await rep.goto(`${baseUrl}/reward/my-pay?period=${period}`);
    const statement = rep.getByTestId('statement');
    await statement.waitFor();
    expect(await statement.getAttribute('data-payee')).toBe(payee.payee);
    expect(await statement.getAttribute('data-period')).toBe(period);
    const payable = await rep.getByTestId('statement-payable').textContent();
    expect(payable).toContain(
      new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(
        Number(payee.totals.payable),
      ),
    );
    // Only their own statement: another payee's is not available.
    const others = await rep.evaluate(
      async (p) => (await fetch(`/api/comp/statements?period=${p}`)).json(),
      period,
    );
    expect(new Set(others.statements.map((s: StatementSummary) => s.payee))).toEqual(new Set([payee.payee]));

    // Open the first line: its trace shows the credits, tiers and arithmetic.
    const line = rep.locator('[data-testid="statement-line"][data-kind="commission"]').first();
    disputedLineId = (await line.getAttribute('data-line-id'))!;
    expect(await line.getByTestId('line-explanation').textContent()).toMatch(/^Deal .+ credited/);
    await line.locator('.row-toggle').click();
    const trace = rep.getByTestId('line-trace');
    await trace.waitFor();
    expect(await trace.getByTestId('line-arithmetic').textContent()).toMatch(/× [\d.]+.*= [\d.]+$/);
    expect(await trace.getByRole('table', { name: 'Credits' }).count()).toBe(1);
    await screenshot(rep, 'reward-07-rep-statement');

    // The line's deal, in the deals list: exactly that deal, owned by the rep.
    const dealLink = line.getByTestId('line-deal-link');
    const dealKey = new URL(`${baseUrl}${await dealLink.getAttribute('href')}`).searchParams.get('q')!;
    await dealLink.click();
    await rep.waitForURL(/\/measure\/deals\?q=/);
    const dealRow = rep.locator(`tr[data-deal-key="${dealKey}"]`);
    await dealRow.waitFor();
    expect(await dealRow.getByTestId('deal-owner').textContent()).toBe(person.name);
    // The estimator on the deal: what it paid (a won deal of the month), from the plan.
    await dealRow.getByRole('button', { name: 'What did it pay?' }).click();
    const estimate = rep.getByTestId('estimate-result');
    await estimate.waitFor();
    expect(await estimate.getByTestId('estimate-delta').textContent()).toMatch(/\$/);
    await screenshot(rep, 'reward-08-rep-deal-estimate');

    // Back to the statement, and "Question this line".
    await rep.goBack();
    await rep.getByTestId('statement').waitFor();
    const again = rep.locator(`[data-testid="statement-line"][data-line-id="${disputedLineId}"]`);
    await again.getByRole('button', { name: 'Question this line' }).click();
    const form = rep.getByRole('form', { name: 'Question this line' });
    await form
      .getByLabel('What is wrong with this line?')
      .fill('This deal was co-sold with my SE; I expected a 2× launch accelerator.');
    await screenshot(rep, 'reward-09-rep-dispute-form');
    await form.getByRole('button', { name: 'Send the question' }).click();
    const raised = rep.getByTestId('statement-dispute');
    await raised.waitFor();
    expect(await raised.getByTestId('dispute-status').textContent()).toBe('Open');
    await again.getByTestId('line-disputed').waitFor();
    await screenshot(rep, 'reward-10-rep-dispute-raised');
  });

  it('(d) lets the admin resolve the question with an adjustment that the next run pays', async () => {
    // Close the month first (a confirm dialog): the adjustment then goes to the next open month.
    await rewardTab(admin, 'Runs and periods').click();
    const row = admin.locator(`[data-testid="periods-table"] tr[data-period="${period}"]`);
    await row.getByRole('button', { name: 'Close period' }).click();
    const dialog = admin.getByRole('dialog');
    await dialog.waitFor();
    await screenshot(admin, 'reward-11-close-dialog');
    await dialog.getByRole('button', { name: 'Close the period' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => row.textContent()).toContain('Closed');

    await rewardTab(admin, 'Disputes inbox').click();
    const inbox = admin.getByTestId('disputes-table');
    await inbox.waitFor();
    await inbox.getByTestId('dispute-link').first().click();
    const dispute = admin.getByTestId('dispute');
    await dispute.waitFor();
    // The admin sees the line's trace as it was when the question was raised, and the question.
    await dispute.getByTestId('line-trace').waitFor();
    expect(await dispute.getByTestId('dispute-thread').textContent()).toContain('launch accelerator');
    const resolve = admin.getByRole('form', { name: 'Resolve the dispute' });
    await resolve.getByLabel(/Adjust: pay a correction/).check();
    await resolve.getByLabel('Adjustment amount').fill('250.00');
    await resolve
      .getByLabel('Explanation to the payee')
      .fill('The SE overlay was missing from the CRM; we pay the accelerator difference as an adjustment.');
    await screenshot(admin, 'reward-12-admin-resolve');
    await resolve.getByRole('button', { name: 'Resolve with the adjustment' }).click();
    await expect.poll(() => dispute.locator('[data-kind="resolved"]').count()).toBe(1);
    expect(await dispute.getByTestId('dispute-adjustment').textContent()).toContain('+$250.00');
    expect(await admin.getByTestId('dispute-status').first().textContent()).toBe('Resolved');
    await screenshot(admin, 'reward-13-admin-resolved');

    // The next month's run includes the approved adjustment.
    await startRun(nextPeriod);

    await rep.goto(`${baseUrl}/reward/my-pay?period=${nextPeriod}`);
    const statement = rep.locator(`[data-testid="statement"][data-period="${nextPeriod}"]`);
    await statement.waitFor();
    const adjustment = statement.locator('[data-testid="statement-line"][data-kind="adjustment"]');
    await adjustment.waitFor();
    expect(await adjustment.getByTestId('line-amount').textContent()).toBe('$250.00');
    expect(await statement.getByTestId('total-adjustments').textContent()).toContain('$250.00');
    await screenshot(rep, 'reward-14-rep-next-statement');

    // Both sides see the history: the rep's question now reads resolved, with the adjustment.
    await rep.goto(`${baseUrl}/reward/my-pay?period=${period}`);
    const own = rep.getByTestId('statement-dispute');
    await own.waitFor();
    expect(await own.getByTestId('dispute-status').textContent()).toBe('Resolved');
    await own.getByTestId('open-dispute').click();
    const thread = rep.getByTestId('dispute-thread');
    await thread.waitFor();
    expect(await thread.textContent()).toContain('SE overlay was missing');
    expect(await rep.getByTestId('dispute-adjustment').textContent()).toContain('+$250.00');
    // The rep cannot resolve.
    expect(await rep.getByRole('form', { name: 'Resolve the dispute' }).count()).toBe(0);
    await screenshot(rep, 'reward-15-rep-dispute-history');
    expect(pageErrors).toEqual([]);
  });

  it('(e) lets the admin assign a plan to a position and add an adjustment through the forms, which the next run pays', async () => {
    // Another rep than the one who disputed: the one who earned the most in the current month.
    const { statements } = await apiCall<{ statements: StatementSummary[] }>(
      admin,
      'GET',
      `/api/comp/statements?period=${nextPeriod}`,
    );
    const other = statements
      .filter((s) => s.payee.startsWith('rep-') && s.payee !== payee.payee)
      .sort((a, b) => Number(b.totals.earnings) - Number(a.totals.earnings))[0]!;
    const { positions } = await apiCall<{
      positions: { key: string; title: string; holder: { key: string; name: string } | null }[];
    }>(admin, 'GET', `/api/comp/positions?q=${encodeURIComponent(other.payeeName)}`);
    const position = positions.find((p) => p.holder?.key === other.payee)!;
    expect(position).toBeDefined();

    // The plan written in (a) is assigned to nobody yet: the empty state says what an assignment does.
    await rewardTab(admin, 'Plans').click();
    await admin
      .getByTestId('plans-table')
      .getByRole('link', { name: 'Account executive — revenue', exact: true })
      .click();
    await admin.waitForURL(`${baseUrl}/reward/plans/ae-revenue`);
    const section = admin.getByTestId('plan-assignments');
    expect(await section.getByTestId('no-assignments').textContent()).toContain('no run pays anybody by it');
    const form = admin.getByRole('form', { name: 'Assign the plan to a position' });
    // By default an assignment starts on the first day of the pay period running today.
    const from = form.getByLabel('From');
    await expect.poll(() => from.inputValue()).toBe(`${nextPeriod}-01`);
    await screenshot(admin, 'reward-16-plan-no-assignments');

    // Keyboard only: type part of the holder's name in the position picker, Enter picks the match.
    const picker = form.getByRole('combobox', { name: 'Position' });
    await picker.focus();
    await picker.pressSequentially(other.payeeName);
    const option = form.getByRole('option').first();
    await expect.poll(() => option.textContent()).toContain(other.payeeName);
    expect(await option.textContent()).toContain(position.key);
    await picker.press('Enter');
    expect(await form.getByTestId('picked-position').textContent()).toContain(position.title);
    // The position already has the demo plan: the form says which assignment a run uses.
    expect(await form.getByTestId('other-plans').textContent()).toContain('demo-account-executive');

    // An end on the start day is refused by the API; its problem is shown beside the Until field.
    await form.getByLabel('Until (optional)').fill(`${nextPeriod}-01`);
    await form.getByLabel(/Target incentive/).fill('72000');
    await form.getByLabel('Pay mix (optional)').fill('65/35');
    await form.getByRole('button', { name: 'Assign the plan' }).click();
    expect(await form.getByTestId('error-to').textContent()).toBe('must be after from');
    expect(await form.getByLabel('Until (optional)').getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByTestId('form-alert').textContent()).toContain('The plan was not assigned.');
    await screenshot(admin, 'reward-17-plan-assignment-error');

    // Open-ended instead, submitted with Enter from the last field.
    await form.getByLabel('Until (optional)').fill('');
    await form.getByLabel('Pay mix (optional)').press('Enter');
    const assigned = form.getByTestId('assigned');
    await assigned.waitFor();
    expect(await assigned.textContent()).toContain(
      `${position.title} (${other.payeeName}) is on this plan from`,
    );
    const row = section.locator(`[data-testid="assignments-table"] tr[data-position="${position.key}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain(other.payeeName);
    expect(await row.getByTestId('assignment-target').textContent()).toBe('$72,000.00');
    expect(await row.getByTestId('assignment-pay-mix').textContent()).toBe('65/35');
    await screenshot(admin, 'reward-18-plan-assigned');

    // The adjustments: the dispute's adjustment of (d) is listed as paid by the run of (d).
    await rewardTab(admin, 'Adjustments').click();
    await admin.getByRole('heading', { level: 1, name: 'Adjustments' }).waitFor();
    const table = admin.getByTestId('adjustments-table');
    const disputed = table.locator(`tr[data-payee="${payee.payee}"]`).first();
    await disputed.waitFor();
    expect(await disputed.getByTestId('adjustment-amount').textContent()).toBe('+$250.00');
    expect(
      await disputed.getByTestId('adjustment-status').locator('[data-status]').getAttribute('data-status'),
    ).toBe('paid');

    const adjust = admin.getByRole('form', { name: 'Add an adjustment' });
    expect(await adjust.getByTestId('adjustment-approver').textContent()).toBe(`You (${adminEmail})`);
    // The period defaults to the open month running today.
    expect(await adjust.getByLabel('Period').inputValue()).toBe(nextPeriod);
    const payeePicker = adjust.getByRole('combobox', { name: 'Payee' });
    await payeePicker.focus();
    await payeePicker.pressSequentially(other.payeeName);
    await expect.poll(() => adjust.getByRole('option').first().textContent()).toContain(other.payeeName);
    await payeePicker.press('Enter');
    expect(await adjust.getByTestId('picked-person').textContent()).toContain(other.payeeName);
    // A comma is not a decimal point: the API refuses it and the form shows why, beside the amount.
    await adjust.getByLabel('Amount').fill('125,50');
    await adjust.getByLabel('Reason').fill('Booth duty at the regional trade show');
    await adjust.getByRole('button', { name: 'Add the adjustment' }).click();
    expect(await adjust.getByTestId('error-amount').textContent()).toContain('expected a decimal amount');
    await screenshot(admin, 'reward-19-adjustment-error');
    await adjust.getByLabel('Amount').fill('125.50');
    await adjust.getByRole('button', { name: 'Add the adjustment' }).click();
    const added = admin.getByTestId('adjustment-added');
    await added.waitFor();
    const monthName = new Intl.DateTimeFormat('en-US', {
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    }).format(new Date(`${nextPeriod}-01T00:00:00Z`));
    expect(await added.textContent()).toContain(
      `+$125.50 for ${other.payeeName} in ${monthName} is approved by you. The next run of ${monthName} pays it.`,
    );
    const mine = table.locator(`tr[data-payee="${other.payee}"]`);
    await mine.waitFor();
    expect(await mine.getByTestId('adjustment-amount').textContent()).toBe('+$125.50');
    expect(await mine.textContent()).toContain('Booth duty at the regional trade show');
    expect(await mine.textContent()).toContain(adminEmail);
    expect(await mine.getByTestId('adjustment-status').textContent()).toContain(
      `Waiting for the next run of ${monthName}`,
    );
    await screenshot(admin, 'reward-20-adjustment-added');

    // The next run of the month, started from the notice, pays it on the payee's statement, under the new plan.
    await added.getByRole('button', { name: `Run ${monthName} now` }).click();
    await admin.waitForURL(/\/reward\/runs\/\d+$/);
    await admin.locator('[data-testid="run"][data-status="succeeded"]').waitFor({ timeout: 60_000 });
    const runId = new URL(admin.url()).pathname.split('/').pop()!;
    await admin.goto(`${baseUrl}/reward/statements/${encodeURIComponent(other.payee)}/${nextPeriod}`);
    const statement = admin.locator(`[data-testid="statement"][data-payee="${other.payee}"]`);
    await statement.waitFor();
    expect(await statement.getByTestId('statement-plan').textContent()).toContain('ae-revenue');
    const line = statement.locator('[data-testid="statement-line"][data-kind="adjustment"]');
    await line.waitFor();
    expect(await line.getByTestId('line-amount').textContent()).toBe('$125.50');
    expect(await line.getByTestId('line-explanation').textContent()).toContain(
      `approved by ${adminEmail}: Booth duty at the regional trade show`,
    );
    expect(await statement.getByTestId('total-adjustments').textContent()).toContain('$125.50');
    await screenshot(admin, 'reward-21-statement-with-adjustment');

    // Back on the list, the adjustment reads paid by that run.
    await admin.getByTestId('statement-adjust-link').click();
    await admin.waitForURL(/\/reward\/adjustments\?/);
    const paid = admin.getByTestId('adjustments-table').locator(`tr[data-payee="${other.payee}"]`);
    await expect.poll(() => paid.getByTestId('adjustment-status').textContent()).toContain(`In run ${runId}`);
    // Opened from the statement, the form has the payee filled in.
    await expect
      .poll(() => admin.getByRole('form', { name: 'Add an adjustment' }).getByTestId('picked-person').count())
      .toBe(1);
    await screenshot(admin, 'reward-22-adjustment-paid');

    // A rep has no Adjustments tab (see (c)); opened by its address, the page lists their own
    // adjustments only, without the form, as the API does (the administrator sees others' too).
    const payeesOf = (page: Page) =>
      page.evaluate(async () =>
        (
          (await (await fetch('/api/comp/adjustments')).json()) as { adjustments: { payee: string }[] }
        ).adjustments.map((a) => a.payee),
      );
    expect((await payeesOf(admin)).some((p) => p !== payee.payee)).toBe(true);
    await rep.goto(`${baseUrl}/reward/adjustments`);
    await rep.getByTestId('adjustments-table').locator(`tr[data-payee="${payee.payee}"]`).first().waitFor();
    expect(await rep.getByRole('form', { name: 'Add an adjustment' }).count()).toBe(0);
    expect(new Set(await payeesOf(rep))).toEqual(new Set([payee.payee]));
    expect(pageErrors).toEqual([]);
  });
});
