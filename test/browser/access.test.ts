// Sign-in and data scope, as the people who use Attain meet them, in real headless Chromium against
// the real server on a small demo organisation: the administrator creates a manager and a rep from
// the Users page, each sets their password through their one-time link, the rep sees only their own
// numbers, the manager sees their team and changes a quota with a reason, and the administrator
// finds that change in the audit trail.
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
const managerEmail = 'manager.e2e@example.com';
const managerPassword = 'Quarterly-Targets-77';
const repEmail = 'rep.e2e@example.com';
const repPassword = 'Closing-Deals-Daily-42';

type Person = {
  id: number;
  key: string;
  name: string;
  positionRole: string | null;
  team: string | null;
  managerName: string | null;
};

let server: (RunningServer & { stop(): Promise<void> }) | undefined;
let baseUrl = '';
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
let admin: Page;
const pageErrors: string[] = [];

// Chosen from the demo organisation by the administrator (see the first test).
let manager: Person;
let rep: Person;
let otherTeamRep: Person;
let managerLink = '';
let repLink = '';

async function newPage(): Promise<Page> {
  const opened = await openPage(browser!, pageErrors);
  contexts.push(opened.context);
  return opened.page;
}

/** GET an API path with the page's session (its cookie), as JSON. */
async function apiGet<T>(page: Page, apiPath: string): Promise<T> {
  return page.evaluate(async (p) => {
    const response = await fetch(p, { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`${p} answered ${response.status}: ${await response.text()}`);
    return response.json();
  }, apiPath) as Promise<T>;
}

/** The set-up link as served by this test's server (the token is in the fragment). */
function onThisServer(link: string): string {
  const url = new URL(link);
  expect(url.pathname).toBe('/setup');
  expect(url.hash).toMatch(/^#token=[\w-]{20,}$/);
  return `${baseUrl}/setup${url.hash}`;
}

/** Creates a user on the Users page, choosing the person with the picker; returns the set-up link shown. */
async function createUser(input: {
  email: string;
  name: string;
  role: string;
  person: Person;
}): Promise<string> {
  const form = admin.getByRole('form', { name: 'New user' });
  await form.getByLabel('Email', { exact: true }).fill(input.email);
  await form.getByLabel('Name', { exact: true }).fill(input.name);
  await form.getByLabel('Role', { exact: true }).selectOption(input.role);
  const picker = form.getByRole('combobox', { name: 'Person in the hierarchy' });
  await picker.fill(input.person.name);
  const option = admin.getByRole('option', { name: new RegExp(`^${input.person.name}`) });
  await option.first().waitFor();
  // Keyboard: the first match is active; Enter picks it.
  await picker.press('Enter');
  expect(await form.getByTestId('picked-person').textContent()).toContain(input.person.name);
  await form.getByRole('button', { name: 'Create user' }).click();

  const shown = admin.getByTestId('setup-link');
  await expect.poll(() => shown.textContent(), { timeout: 15_000 }).toContain(input.email);
  expect(await shown.textContent()).toContain('shown only once');
  const link = await shown.getByLabel('Set-up link').inputValue();
  const row = admin.locator(`tr[data-user-email="${input.email}"]`);
  await row.waitFor();
  expect(await row.textContent()).toContain('Invited');
  expect(await row.textContent()).toContain(input.person.name);
  return link;
}

/** Opens a one-time link in a fresh browser, chooses a password and lands signed in. */
async function setUpAccount(link: string, name: string, password: string, shot: string): Promise<Page> {
  const page = await newPage();
  await page.goto(onThisServer(link));
  await page.getByRole('heading', { level: 1, name: `Welcome to Attain, ${name}` }).waitFor();
  // The password rules are checked before anything is sent, and the confirmation must match.
  await page.getByLabel('New password').fill('short');
  await page.getByLabel('Confirm the password').fill('short');
  await page.getByRole('button', { name: 'Set password and sign in' }).click();
  await page.locator('.field-error', { hasText: 'at least 12 characters' }).waitFor();
  await page.getByLabel('New password').fill(password);
  await page.getByLabel('Confirm the password').fill(password);
  await screenshot(page, shot);
  await page.getByRole('button', { name: 'Set password and sign in' }).click();
  await page.waitForURL(`${baseUrl}/measure`);
  await page.getByRole('heading', { level: 1, name: 'My scorecard' }).waitFor();
  return page;
}

describe('Sign-in, roles and data scope in the browser', () => {
  beforeAll(async () => {
    await prepareBrowserTest();
    server = await startAppServer({
      name: 'access',
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

  it('signs the administrator in through the sign-in page, after refusing a wrong password', async () => {
    await admin.goto(`${baseUrl}/`);
    await admin.getByRole('heading', { level: 1, name: 'Sign in to Attain' }).waitFor();
    await admin.getByLabel('Email').fill(adminEmail);
    await admin.getByLabel('Password').fill('not-the-password');
    await admin.getByLabel('Password').press('Enter');
    const alert = admin.getByTestId('form-alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('The email or the password is not right.');
    await screenshot(admin, 'access-01-sign-in-refused');

    await signIn(admin, baseUrl, adminEmail, adminPassword);
    await admin.waitForURL(`${baseUrl}/measure`);
    await admin.getByRole('heading', { level: 1, name: 'Measure' }).waitFor();
    const menuButton = admin.getByTestId('user-menu-button');
    expect(await menuButton.textContent()).toContain('Administrator');
    // The account menu: a disclosure that opens with the keyboard and closes with Escape.
    await menuButton.focus();
    await admin.keyboard.press('Enter');
    expect(await menuButton.getAttribute('aria-expanded')).toBe('true');
    for (const item of ['API tokens', 'Change password', 'Sign out'])
      await admin
        .getByRole('link', { name: item })
        .or(admin.getByRole('button', { name: item }))
        .waitFor();
    await admin.keyboard.press('Escape');
    expect(await menuButton.getAttribute('aria-expanded')).toBe('false');

    // A manager of the demo, a rep of their team with won deals this quarter, and a rep of another team.
    const { people } = await apiGet<{ people: Person[] }>(admin, '/api/people?limit=500');
    const managers = people.filter((p) => p.positionRole === 'manager');
    expect(managers.length).toBeGreaterThanOrEqual(2);
    let chosen: { manager: Person; rep: Person } | undefined;
    for (const candidate of managers) {
      const team = people.filter((p) => p.positionRole === 'rep' && p.managerName === candidate.name);
      for (const member of team) {
        const { scorecard } = await apiGet<{ scorecard: { wonDeals: number } }>(
          admin,
          `/api/people/${member.id}/scorecard`,
        );
        if (scorecard.wonDeals > 0) {
          chosen = { manager: candidate, rep: member };
          break;
        }
      }
      if (chosen) break;
    }
    expect(chosen, 'a rep with won deals this quarter under some manager').toBeDefined();
    manager = chosen!.manager;
    rep = chosen!.rep;
    otherTeamRep = people.find(
      (p) => p.positionRole === 'rep' && p.managerName !== null && p.managerName !== manager.name,
    )!;
    expect(otherTeamRep).toBeDefined();
  });

  it('creates a sales manager and a sales rep on the Users page, each with a one-time set-up link', async () => {
    await admin.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Users' }).click();
    await admin.waitForURL(`${baseUrl}/admin/users`);
    await admin.getByRole('heading', { level: 1, name: 'Users' }).waitFor();

    managerLink = await createUser({
      email: managerEmail,
      name: manager.name,
      role: 'sales_manager',
      person: manager,
    });
    repLink = await createUser({ email: repEmail, name: rep.name, role: 'sales_rep', person: rep });
    expect(repLink).not.toBe(managerLink);
    await screenshot(admin, 'access-02-users-created');
  });

  it('lets the rep set a password and see only their own numbers', async () => {
    const page = await setUpAccount(repLink, rep.name, repPassword, 'access-03-rep-setup');
    const scorecard = page.getByTestId('scorecard');
    await scorecard.waitFor();
    expect(await scorecard.getAttribute('data-person-id')).toBe(String(rep.id));
    expect(await page.locator('#scorecard-title').textContent()).toContain(rep.name);
    expect(await page.getByTestId('user-menu-button').textContent()).toContain('Sales rep');
    // No Data, no Admin, and no team list for a rep.
    const labels = await page.getByRole('navigation', { name: 'Areas' }).getByRole('link').allTextContents();
    expect(labels).toEqual(['Measure', 'Reward', 'Forecast', 'Plan', 'Improve']);
    expect(await page.getByTestId('team-table').count()).toBe(0);
    await screenshot(page, 'access-04-rep-scorecard');

    // The won revenue drills down to exactly the rep's won deals of the quarter, which add up to it.
    const wonRevenue = (await page.getByTestId('metric-won-revenue').locator('.metric-value').textContent())!;
    const wonDealsText = await page.getByTestId('metric-won-revenue').locator('.metric-sub').textContent();
    const wonDeals = Number(/(\d+) won deal/.exec(wonDealsText ?? '')?.[1]);
    expect(wonDeals).toBeGreaterThan(0);
    await page.getByTestId('metric-won-revenue').locator('.metric-value a').click();
    await page.waitForURL(/\/measure\/deals\?/);
    const url = new URL(page.url());
    expect(url.searchParams.get('ownerId')).toBe(String(rep.id));
    expect(url.searchParams.get('status')).toBe('won');
    expect(url.searchParams.get('closedFrom')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await page.getByRole('heading', { level: 1, name: `Won deals of ${rep.name}` }).waitFor();
    const owners = await page.getByTestId('deal-owner').allTextContents();
    expect(owners.length).toBe(wonDeals);
    expect(new Set(owners)).toEqual(new Set([rep.name]));
    expect(await page.getByTestId('deals-total').textContent()).toBe(wonRevenue.replace(/, see .*$/, ''));
    await screenshot(page, 'access-05-rep-won-deals');

    // Even unfiltered, the deals list holds only the rep's own deals.
    await page.getByLabel('Status').selectOption('');
    await page.waitForURL((u) => !u.searchParams.has('status'));
    await page.getByTestId('deals-table').waitFor();
    const allOwners = await page.getByTestId('deal-owner').allTextContents();
    expect(allOwners.length).toBeGreaterThan(0);
    expect(new Set(allOwners)).toEqual(new Set([rep.name]));

    // Another team's rep: the address works, the scorecard does not.
    await page.goto(`${baseUrl}/measure/people/${otherTeamRep.id}`);
    const unavailable = page.getByTestId('scorecard-unavailable');
    await unavailable.waitFor();
    expect(await unavailable.textContent()).toContain('not available');
    expect(await page.getByText(otherTeamRep.name).count()).toBe(0);
    await screenshot(page, 'access-06-rep-other-scorecard');

    // Pay: the rep's own statement (the demo computes the last complete month), never another's.
    await page.goto(`${baseUrl}/reward`);
    const statement = page.getByTestId('statement');
    await statement.waitFor();
    expect(await statement.getAttribute('data-payee')).toBe(rep.key);
    expect(await page.locator('#statement-title').textContent()).toContain(rep.name);
    const period = (await statement.getAttribute('data-period'))!;
    await screenshot(page, 'access-06b-rep-statement');
    // The other team's rep has a statement for that period (the administrator can open it) ...
    const other = await apiGet<{ statement: { payee: string } }>(
      admin,
      `/api/comp/statements/${encodeURIComponent(otherTeamRep.key)}/${period}`,
    );
    expect(other.statement.payee).toBe(otherTeamRep.key);
    // ... but the rep cannot, by its address, and the list offers only their own.
    await page.goto(`${baseUrl}/reward/statements/${encodeURIComponent(otherTeamRep.key)}/${period}`);
    await page.getByTestId('statement-unavailable').waitFor();
    expect(await page.getByText(otherTeamRep.name).count()).toBe(0);
    const listed = await apiGet<{ statements: { payee: string }[] }>(
      page,
      `/api/comp/statements?period=${period}`,
    );
    expect(new Set(listed.statements.map((s) => s.payee))).toEqual(new Set([rep.key]));
    await screenshot(page, 'access-06c-rep-other-statement');

    // When the session ends (here: the cookie is gone), the next API answer brings sign-in back.
    await page.context().clearCookies();
    await page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Measure' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in to Attain' }).waitFor();
    expect(await page.getByRole('status').first().textContent()).toContain('session has ended');
  });

  it('lets the manager set up, see their team, and change a team member’s quota with a reason', async () => {
    const page = await setUpAccount(managerLink, manager.name, managerPassword, 'access-07-manager-setup');
    expect(await page.getByTestId('user-menu-button').textContent()).toContain('Sales manager');

    // Sign out through the account menu, and back in with the new password.
    await page.getByTestId('user-menu-button').click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in to Attain' }).waitFor();
    await signIn(page, baseUrl, managerEmail, managerPassword);
    await page.getByRole('heading', { level: 1, name: 'My scorecard' }).waitFor();
    expect(await page.getByTestId('scorecard').getAttribute('data-person-id')).toBe(String(manager.id));

    const team = page.getByTestId('team-table');
    await team.waitFor();
    await expect.poll(() => team.locator(`tr[data-person-id="${rep.id}"]`).count()).toBe(1);
    const teamText = (await team.textContent()) ?? '';
    expect(teamText).toContain(rep.name);
    expect(teamText).not.toContain(otherTeamRep.name);

    const quotas = page.getByRole('table', { name: 'Quotas' });
    await quotas.waitFor();
    // The manager's own quota is not theirs to change.
    const ownRow = quotas.locator('tbody tr', {
      has: page.getByRole('link', { name: manager.name, exact: true }),
    });
    expect(await ownRow.getByRole('button', { name: /Change/ }).count()).toBe(0);
    await screenshot(page, 'access-08-manager-team');

    const repRow = quotas.locator('tbody tr', {
      has: page.getByRole('link', { name: rep.name, exact: true }),
    });
    const before = await repRow.getByTestId('quota-target').textContent();
    await repRow.getByRole('button', { name: /Change/ }).click();
    const form = page.getByRole('form', { name: `Change the quota of ${rep.name}` });
    await form.getByLabel(/New target/).fill('123456.78');
    await form.getByLabel('Reason').fill('Territory grew after the Q4 re-plan');
    await screenshot(page, 'access-09-manager-quota-form');
    await form.getByRole('button', { name: 'Save quota' }).click();
    const saved = page.getByTestId('quota-saved');
    await expect.poll(() => saved.textContent()).toContain('123,456.78');
    expect(await repRow.getByTestId('quota-target').textContent()).toContain('123,456.78');
    expect(before).not.toContain('123,456.78');
    // Focus returns to the button that opened the form.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('Change');
    await screenshot(page, 'access-10-manager-quota-changed');
  });

  it('shows the administrator the quota change in the audit trail, by the manager', async () => {
    await admin.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Audit trail' }).click();
    await admin.waitForURL(`${baseUrl}/admin/audit`);
    await admin.getByRole('heading', { level: 1, name: 'Audit trail' }).waitFor();
    await admin.getByLabel('Action').selectOption('quota_changed');
    const rows = admin.locator('tr[data-testid="audit-row"]');
    await expect.poll(() => rows.count()).toBe(1);
    const row = rows.first();
    expect(await row.getAttribute('data-action')).toBe('quota_changed');
    expect(await row.getByTestId('audit-actor').textContent()).toContain(managerEmail);
    const summary = (await row.getByTestId('audit-summary').textContent()) ?? '';
    expect(summary).toContain(rep.name);
    expect(summary).toContain('123456.78');
    expect(summary).toContain('Territory grew after the Q4 re-plan');

    await row.getByRole('button').click();
    const detail = admin.locator('.history-detail-row');
    await detail.waitFor();
    expect(await detail.textContent()).toContain('"target": "123456.78"');
    expect(await admin.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toBe(
      '/api/audit/export.csv?action=quota_changed',
    );
    await screenshot(admin, 'access-11-audit-quota-change');
    expect(pageErrors).toEqual([]);
  });
});
