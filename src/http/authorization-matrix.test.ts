// The authorization matrix: every API route × every role × own / same-team / other-team data,
// each with the expected allow or deny written out here, independently of the code under test.
// The route list comes from the app's route table: a route without an entry below fails the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attain } from '../app/create-attain.ts';
import { createTestAttain } from '../app/testing/test-attain.ts';
import type { Role } from '../domain/access/roles.ts';
import { testDatabaseKinds } from '../store/testing/test-store.ts';
import { createApp, routeTableOf } from './create-app.ts';
import { systemActor } from '../app/audit/audit-log.ts';
import { createAdjustment, raiseDispute } from '../app/comp/comp-disputes.ts';
import { everything } from '../domain/access/scope.ts';
import { createAccessFixture, type AccessFixture } from '../app/testing/access-fixture.ts';
import { createUserAndSignIn, signIn, testPassword, type TestClient } from './testing/test-client.ts';

type Target = 'a' | 'b' | 'c';
type Caller = 'admin' | 'comp_admin' | 'finance' | 'executive' | 'manager' | 'rep';
const callers: Caller[] = ['admin', 'comp_admin', 'finance', 'executive', 'manager', 'rep'];
const targets: Target[] = ['a', 'b', 'c'];
const roleOf: Record<Caller, Role> = {
  admin: 'admin',
  comp_admin: 'comp_admin',
  finance: 'finance',
  executive: 'executive',
  manager: 'sales_manager',
  rep: 'sales_rep',
};

/** Which data a hierarchy caller sees: the manager of East (a, b) and rep a (a only). */
function inScope(caller: Caller, target: Target): boolean {
  if (caller === 'manager') return target === 'a' || target === 'b';
  if (caller === 'rep') return target === 'a';
  return true;
}

type Rule =
  | { kind: 'public'; anonymous: number }
  | { kind: 'signed_in'; allowed?: (caller: Caller, target: Target) => boolean }
  /**
   * scoped: out of scope is refused (404). filtered: the answer aggregates what the caller may
   * see, so it is 200 for every holder of the role, and the target's data is in it only when in
   * scope (the request's `shows` tells).
   */
  | { kind: 'roles'; roles: Caller[]; scoped?: boolean; filtered?: boolean };

const readers: Caller[] = callers;
// Individual pay: everybody with pay:read (an executive only when granted, not here).
const payReaders: Caller[] = ['admin', 'comp_admin', 'finance', 'manager', 'rep'];
const payManagers: Caller[] = ['admin', 'comp_admin'];
const rules: Record<string, Rule> = {
  'GET /api/health': { kind: 'public', anonymous: 200 },
  'GET /api/auth/providers': { kind: 'public', anonymous: 200 },
  'POST /api/auth/sign-in': { kind: 'public', anonymous: 401 },
  'POST /api/auth/link': { kind: 'public', anonymous: 404 },
  'POST /api/auth/link/complete': { kind: 'public', anonymous: 404 },
  'GET /api/auth/oidc/start': { kind: 'public', anonymous: 404 },
  'GET /api/auth/oidc/callback': { kind: 'public', anonymous: 404 },
  'GET /api/auth/me': { kind: 'signed_in' },
  'POST /api/auth/sign-out': { kind: 'signed_in' },
  'POST /api/auth/password': { kind: 'signed_in' },
  'GET /api/tokens': { kind: 'signed_in' },
  'POST /api/tokens': { kind: 'signed_in' },
  // One's own token, or anybody's for an administrator.
  'DELETE /api/tokens/{id}': {
    kind: 'signed_in',
    allowed: (caller, target) => caller === 'admin' || (caller === 'rep' && target === 'a'),
  },
  'GET /api/data/counts': { kind: 'roles', roles: ['admin', 'comp_admin'] },
  'GET /api/data/snapshot': { kind: 'roles', roles: ['admin', 'comp_admin'] },
  'GET /api/mappings': { kind: 'roles', roles: ['admin', 'comp_admin'] },
  'POST /api/uploads': { kind: 'roles', roles: ['admin', 'comp_admin'] },
  'POST /api/imports': { kind: 'roles', roles: ['admin', 'comp_admin'] },
  'GET /api/imports': { kind: 'roles', roles: ['admin', 'comp_admin'] },
  'GET /api/imports/{id}': { kind: 'roles', roles: ['admin', 'comp_admin'] },
  'GET /api/import-jobs/{id}': { kind: 'roles', roles: ['admin', 'comp_admin'] },
  'GET /api/people': { kind: 'roles', roles: readers },
  'GET /api/people/{id}': { kind: 'roles', roles: readers, scoped: true },
  'GET /api/people/{id}/scorecard': { kind: 'roles', roles: readers, scoped: true },
  'GET /api/opportunities': { kind: 'roles', roles: readers, scoped: true },
  'GET /api/opportunities/export.csv': { kind: 'roles', roles: readers, scoped: true },
  'GET /api/opportunities/{id}': { kind: 'roles', roles: readers, scoped: true },
  'GET /api/activities': { kind: 'roles', roles: readers, scoped: true },
  'GET /api/periods': { kind: 'roles', roles: readers },
  'PATCH /api/periods/{id}': { kind: 'roles', roles: ['admin', 'comp_admin'] },
  'GET /api/quotas': { kind: 'roles', roles: readers, scoped: true },
  'GET /api/metrics': { kind: 'roles', roles: readers },
  'GET /api/kpi': { kind: 'roles', roles: readers, filtered: true },
  'GET /api/kpi/series': { kind: 'roles', roles: readers, filtered: true },
  'GET /api/kpi/columns': { kind: 'roles', roles: readers, filtered: true },
  // Scoped inside the engine (src/domain/metrics/alerts.test.ts: a manager's alerts are their team's).
  'GET /api/alerts': { kind: 'roles', roles: readers },
  'GET /api/kpi/export.csv': { kind: 'roles', roles: readers, filtered: true },
  // The same answer as the CSV (one handler), as a workbook.
  'GET /api/kpi/export.xlsx': { kind: 'roles', roles: readers },
  'GET /api/forecast/periods': { kind: 'roles', roles: readers },
  'GET /api/forecast': { kind: 'roles', roles: readers, scoped: true },
  'GET /api/forecast/accuracy': { kind: 'roles', roles: readers, scoped: true },
  // Only the holder of a position submits its call: rep a for a's position.
  'POST /api/forecast/submissions': {
    kind: 'signed_in',
    allowed: (caller, target) => caller === 'rep' && target === 'a',
  },
  'PATCH /api/quotas/{id}': { kind: 'roles', roles: ['admin', 'comp_admin', 'manager'], scoped: true },
  'GET /api/users': { kind: 'roles', roles: ['admin'] },
  'POST /api/users': { kind: 'roles', roles: ['admin'] },
  'PATCH /api/users/{id}': { kind: 'roles', roles: ['admin'] },
  'POST /api/users/{id}/reset-link': { kind: 'roles', roles: ['admin'] },
  'GET /api/audit': { kind: 'roles', roles: ['admin', 'finance'] },
  'GET /api/audit/export.csv': { kind: 'roles', roles: ['admin', 'finance'] },
  'GET /api/comp/plans': { kind: 'roles', roles: payManagers },
  'POST /api/comp/plans/validate': { kind: 'roles', roles: payManagers },
  'GET /api/comp/plans/{id}': { kind: 'roles', roles: payManagers },
  'PUT /api/comp/plans/{id}': { kind: 'roles', roles: payManagers },
  'GET /api/comp/plans/{id}/assignments': { kind: 'roles', roles: payManagers },
  'POST /api/comp/plans/{id}/assignments': { kind: 'roles', roles: payManagers },
  'GET /api/comp/positions': { kind: 'roles', roles: payManagers },
  'GET /api/comp/periods': { kind: 'roles', roles: payReaders },
  'POST /api/comp/periods/{period}/close': { kind: 'roles', roles: payManagers },
  'POST /api/comp/runs': { kind: 'roles', roles: payManagers },
  'GET /api/comp/runs': { kind: 'roles', roles: payManagers },
  'GET /api/comp/runs/{id}': { kind: 'roles', roles: payManagers },
  'GET /api/comp/runs/{a}/compare/{b}': { kind: 'roles', roles: payManagers },
  'GET /api/comp/statements': { kind: 'roles', roles: payReaders, filtered: true },
  'GET /api/comp/statements/{payee}/{period}': { kind: 'roles', roles: payReaders, scoped: true },
  'GET /api/comp/statements/{payee}/{period}/export.csv': { kind: 'roles', roles: payReaders, scoped: true },
  'GET /api/comp/statements/{payee}/{period}/export.xlsx': { kind: 'roles', roles: payReaders, scoped: true },
  'GET /api/comp/statements/{payee}/{period}/export.pdf': { kind: 'roles', roles: payReaders, scoped: true },
  'GET /api/comp/payroll/{file}': { kind: 'roles', roles: payReaders, filtered: true },
  'POST /api/comp/disputes': { kind: 'roles', roles: payReaders, scoped: true },
  'GET /api/comp/disputes': { kind: 'roles', roles: payReaders, filtered: true },
  'GET /api/comp/disputes/{id}': { kind: 'roles', roles: payReaders, scoped: true },
  'POST /api/comp/disputes/{id}/messages': { kind: 'roles', roles: payReaders, scoped: true },
  'POST /api/comp/disputes/{id}/resolve': { kind: 'roles', roles: payManagers },
  'POST /api/comp/adjustments': { kind: 'roles', roles: payManagers },
  'GET /api/comp/adjustments': { kind: 'roles', roles: payReaders, filtered: true },
  // The estimate of another payee's deal needs that payee in scope.
  'POST /api/comp/estimate': { kind: 'roles', roles: payReaders, scoped: true },
};

/** A flat 10% commission on each rep's won revenue, for the compensation routes. */
const matrixPlan = [
  'id: matrix-plan',
  'name: Matrix plan',
  'period: month',
  'effective_from: 2026-01-01',
  'credit:',
  '  types:',
  '    - { id: revenue, amount: amount }',
  'components:',
  '  - { id: commission, kind: commission, credit: revenue, rate: 10% }',
  '',
].join('\n');

type Built = {
  path: string;
  init?: RequestInit;
  expectWhenAllowed?: number;
  /** For a filtered route: whether the answer (its text) holds the target's data. */
  shows?: (text: string) => boolean;
};

describe.each(testDatabaseKinds())('authorization matrix on %s', (kind) => {
  let attain: Attain & { dispose(): Promise<void> };
  let app: ReturnType<typeof createApp>;
  let fx: AccessFixture;
  const clients = {} as Record<Caller, TestClient>;
  const repClients = {} as Record<Target, TestClient>;
  const tokenOf = {} as Record<Target, number>;
  let spareUserId = 0;
  let counter = 0;
  let forecastPeriodId = 0;
  /** The compensation fixture: a run of August 2026 with a statement and a dispute per rep. */
  const comp = { runId: 0, lineOf: {} as Record<Target, string>, disputeOf: {} as Record<Target, number> };
  const payeeOf: Record<Target, string> = { a: 'rep-a', b: 'rep-b', c: 'rep-c' };

  beforeAll(async () => {
    attain = await createTestAttain(kind);
    app = createApp(attain);
    fx = await createAccessFixture(attain.store);
    for (const caller of callers) {
      const personId = caller === 'manager' ? fx.people.east : caller === 'rep' ? fx.people.a : null;
      clients[caller] = await createUserAndSignIn(app, attain, {
        email: `${caller}@example.com`,
        role: roleOf[caller],
        personId,
      });
    }
    repClients.a = clients.rep;
    repClients.b = await createUserAndSignIn(app, attain, {
      email: 'rep-b@example.com',
      role: 'sales_rep',
      personId: fx.people.b,
    });
    repClients.c = await createUserAndSignIn(app, attain, {
      email: 'rep-c@example.com',
      role: 'sales_rep',
      personId: fx.people.c,
    });
    for (const t of targets) {
      const created = await repClients[t].json('/api/tokens', {
        method: 'POST',
        body: JSON.stringify({ name: `token of ${t}` }),
      });
      tokenOf[t] = created.body.apiToken.id;
    }
    const spare = await clients.admin.json('/api/users', {
      method: 'POST',
      body: JSON.stringify({ email: 'spare@example.com', name: 'Spare', role: 'finance' }),
    });
    spareUserId = spare.body.user.id;
    forecastPeriodId = (
      await attain.store.db
        .selectFrom('periods')
        .select('id')
        .where('kind', '=', 'quarter')
        .where('starts_on', '=', '2026-10-01')
        .executeTakeFirstOrThrow()
    ).id;

    const system = systemActor('matrix set-up');
    await attain.comp.savePlan('matrix-plan', matrixPlan, system);
    for (const t of targets)
      await attain.comp.assignPlan('matrix-plan', { position: fx.positions[t], from: '2026-01-01' }, system);
    const run = await attain.comp.runNow({ period: '2026-08' }, system);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    comp.runId = run.id;
    for (const t of targets) {
      const { statement } = await attain.comp.statementDetail(everything, payeeOf[t], '2026-08');
      comp.lineOf[t] = statement.lines[0]!.id;
      comp.disputeOf[t] = (
        await raiseDispute(
          attain.comp,
          everything,
          { payee: payeeOf[t], period: '2026-08', lineId: comp.lineOf[t], message: 'Why this amount?' },
          system,
        )
      ).id;
      await createAdjustment(
        attain.comp,
        { payee: payeeOf[t], period: '2026-09', amount: '10', reason: 'Matrix adjustment' },
        system,
      );
    }
  });
  afterAll(async () => {
    await attain?.dispose();
  });

  const personOf = (t: Target) => fx.people[t];
  const json = (method: string, body: unknown): RequestInit => ({ method, body: JSON.stringify(body) });

  /** The request each route gets, for a target rep's data where the route has a subject. */
  function build(route: string, t: Target, caller: Caller): Built {
    counter += 1;
    switch (route) {
      case 'GET /api/health':
      case 'GET /api/auth/providers':
      case 'GET /api/auth/me':
      case 'GET /api/tokens':
      case 'GET /api/data/counts':
      case 'GET /api/data/snapshot':
      case 'GET /api/mappings':
      case 'GET /api/imports':
      case 'GET /api/people':
      case 'GET /api/metrics':
      case 'GET /api/periods':
      case 'GET /api/users':
      case 'GET /api/audit':
      case 'GET /api/audit/export.csv':
        return { path: route.split(' ')[1]! };
      case 'POST /api/auth/sign-in':
        return {
          path: '/api/auth/sign-in',
          init: json('POST', { email: `${caller}@example.com`, password: 'wrong password!' }),
          expectWhenAllowed: 401,
        };
      case 'POST /api/auth/link':
        return {
          path: '/api/auth/link',
          init: json('POST', { token: 'not-a-real-link-token' }),
          expectWhenAllowed: 404,
        };
      case 'POST /api/auth/link/complete':
        return {
          path: '/api/auth/link/complete',
          init: json('POST', { token: 'not-a-real-link-token', password: testPassword }),
          expectWhenAllowed: 404,
        };
      case 'GET /api/auth/oidc/start':
        return { path: '/api/auth/oidc/start', expectWhenAllowed: 404 };
      case 'GET /api/auth/oidc/callback':
        return { path: '/api/auth/oidc/callback?state=x&code=y', expectWhenAllowed: 404 };
      case 'POST /api/auth/sign-out':
        return { path: '/api/auth/sign-out', init: { method: 'POST' } };
      case 'POST /api/auth/password':
        // A wrong current password: reaching the check is what "allowed" means here.
        return {
          path: '/api/auth/password',
          init: json('POST', { currentPassword: 'not it at all', newPassword: 'another long password' }),
          expectWhenAllowed: 400,
        };
      case 'POST /api/tokens':
        return { path: '/api/tokens', init: json('POST', { name: `matrix ${counter}` }) };
      case 'DELETE /api/tokens/{id}':
        return { path: `/api/tokens/${tokenOf[t]}`, init: { method: 'DELETE' } };
      case 'POST /api/uploads':
        return {
          path: '/api/uploads?name=accounts.csv',
          init: { method: 'POST', body: 'account_key,name\nacc-x,X\n' },
        };
      case 'POST /api/imports':
        return {
          path: '/api/imports',
          init: json('POST', { uploads: ['6f1d2c1e-0000-4000-8000-000000000000'] }),
          expectWhenAllowed: 404,
        };
      case 'GET /api/imports/{id}':
        return { path: '/api/imports/999999', expectWhenAllowed: 404 };
      case 'GET /api/import-jobs/{id}':
        return { path: '/api/import-jobs/6f1d2c1e-0000-4000-8000-000000000000', expectWhenAllowed: 404 };
      case 'GET /api/people/{id}':
        return { path: `/api/people/${personOf(t)}` };
      case 'GET /api/people/{id}/scorecard':
        return { path: `/api/people/${personOf(t)}/scorecard?periodId=${fx.periods.q3}` };
      case 'GET /api/opportunities':
        return { path: `/api/opportunities?ownerId=${personOf(t)}` };
      case 'GET /api/opportunities/export.csv':
        return { path: `/api/opportunities/export.csv?ownerId=${personOf(t)}` };
      case 'GET /api/opportunities/{id}':
        return { path: `/api/opportunities/${fx.deals[t].q3}` };
      case 'GET /api/activities':
        return { path: `/api/activities?personId=${personOf(t)}` };
      case 'GET /api/kpi/export.xlsx':
        return { path: '/api/kpi/export.xlsx?metrics=won_revenue,quota&by=rep&period=quarter&at=2026-08-01' };
      case 'GET /api/alerts':
        return { path: '/api/alerts' };
      case 'GET /api/kpi':
        // Q3 2026, by rep: a manager of East sees Ann's and Ben's groups, a rep their own.
        return {
          path: '/api/kpi?metrics=won_revenue,quota&by=rep&period=quarter&at=2026-08-01',
          shows: (text) =>
            (JSON.parse(text) as { groups: { key: unknown }[] }).groups.some((g) => g.key === personOf(t)),
        };
      case 'GET /api/kpi/series':
        // Q3 and Q4 2026, by rep: filtered like GET /api/kpi.
        return {
          path: '/api/kpi/series?metrics=won_revenue,quota&by=rep&period=quarter&at=2026-08-01&count=2',
          shows: (text) =>
            (JSON.parse(text) as { groups: { key: unknown }[] }).groups.some((g) => g.key === personOf(t)),
        };
      case 'GET /api/kpi/columns':
        // The series as columns: the caller's groups are its keys.
        return {
          path: '/api/kpi/columns?metrics=won_revenue,quota&by=rep&period=quarter&at=2026-08-01&count=2',
          shows: (text) => (JSON.parse(text) as { keys: unknown[] }).keys.includes(personOf(t)),
        };
      case 'GET /api/kpi/export.csv':
        return {
          path: '/api/kpi/export.csv?metrics=won_revenue,quota&by=rep&period=quarter&at=2026-08-01',
          shows: (text) => text.split('\r\n').some((line) => line.startsWith(`${personOf(t)},`)),
        };
      case 'PATCH /api/periods/{id}':
        return { path: `/api/periods/${fx.periods.q1}`, init: json('PATCH', { status: 'open' }) };
      case 'GET /api/quotas':
        return { path: `/api/quotas?personId=${personOf(t)}&periodId=${fx.periods.q3}` };
      case 'GET /api/forecast/periods':
        return { path: '/api/forecast/periods?kind=quarter' };
      case 'GET /api/forecast':
        return { path: `/api/forecast?periodId=${forecastPeriodId}&positionId=${fx.positions[t]}` };
      case 'GET /api/forecast/accuracy':
        return { path: `/api/forecast/accuracy?count=2&positionId=${fx.positions[t]}` };
      case 'POST /api/forecast/submissions':
        return {
          path: '/api/forecast/submissions',
          init: json('POST', {
            periodId: forecastPeriodId,
            positionId: fx.positions[t],
            commit: '1',
            mostLikely: '2',
            bestCase: '3',
            pipeline: `${4 + counter}`,
          }),
          expectWhenAllowed: 201,
        };
      case 'PATCH /api/quotas/{id}':
        return {
          path: `/api/quotas/${fx.quotas[t].q3}`,
          init: json('PATCH', { target: `${40000 + counter}.00`, reason: 'matrix test' }),
        };
      case 'POST /api/users':
        return {
          path: '/api/users',
          init: json('POST', { email: `new-${counter}@example.com`, name: 'New', role: 'finance' }),
          expectWhenAllowed: 201,
        };
      case 'PATCH /api/users/{id}':
        return { path: `/api/users/${spareUserId}`, init: json('PATCH', { name: `Spare ${counter}` }) };
      case 'POST /api/users/{id}/reset-link':
        return { path: `/api/users/${spareUserId}/reset-link`, init: { method: 'POST' } };
      case 'GET /api/comp/plans':
      case 'GET /api/comp/periods':
      case 'GET /api/comp/runs':
      case 'GET /api/comp/positions':
        return { path: route.split(' ')[1]! };
      case 'GET /api/comp/adjustments':
        return {
          path: '/api/comp/adjustments?period=2026-09',
          shows: (text) =>
            (JSON.parse(text) as { adjustments: { payee: string }[] }).adjustments.some(
              (a) => a.payee === payeeOf[t],
            ),
        };
      case 'POST /api/comp/plans/validate':
        return { path: '/api/comp/plans/validate', init: json('POST', { source: matrixPlan }) };
      case 'GET /api/comp/plans/{id}':
        return { path: '/api/comp/plans/matrix-plan' };
      case 'PUT /api/comp/plans/{id}':
        return { path: '/api/comp/plans/matrix-plan', init: json('PUT', { source: matrixPlan }) };
      case 'GET /api/comp/plans/{id}/assignments':
        return { path: '/api/comp/plans/matrix-plan/assignments' };
      case 'POST /api/comp/plans/{id}/assignments':
        return {
          path: '/api/comp/plans/matrix-plan/assignments',
          init: json('POST', { position: fx.positions[t], from: '2031-01-01', targetIncentive: '50000' }),
          expectWhenAllowed: 201,
        };
      case 'POST /api/comp/periods/{period}/close':
        // Never run: reaching the check (409) is what "allowed" means here.
        return { path: '/api/comp/periods/2031-01/close', init: { method: 'POST' }, expectWhenAllowed: 409 };
      case 'POST /api/comp/runs':
        return {
          path: '/api/comp/runs',
          init: json('POST', { period: '2026-09', payees: [payeeOf[t]] }),
          expectWhenAllowed: 202,
        };
      case 'GET /api/comp/runs/{id}':
        return { path: `/api/comp/runs/${comp.runId}` };
      case 'GET /api/comp/runs/{a}/compare/{b}':
        return { path: `/api/comp/runs/${comp.runId}/compare/${comp.runId}` };
      case 'GET /api/comp/statements':
        return {
          path: '/api/comp/statements?period=2026-08',
          shows: (text) =>
            (JSON.parse(text) as { statements: { payee: string }[] }).statements.some(
              (s) => s.payee === payeeOf[t],
            ),
        };
      case 'GET /api/comp/statements/{payee}/{period}':
        return { path: `/api/comp/statements/${payeeOf[t]}/2026-08` };
      case 'GET /api/comp/statements/{payee}/{period}/export.csv':
      case 'GET /api/comp/statements/{payee}/{period}/export.xlsx':
      case 'GET /api/comp/statements/{payee}/{period}/export.pdf':
        return { path: `/api/comp/statements/${payeeOf[t]}/2026-08/export.${route.split('.').at(-1)}` };
      case 'GET /api/comp/payroll/{file}':
        return {
          path: '/api/comp/payroll/2026-08.csv',
          shows: (text) => text.split('\r\n').some((line) => line.startsWith(`${payeeOf[t]},`)),
        };
      case 'POST /api/comp/disputes':
        return {
          path: '/api/comp/disputes',
          init: json('POST', {
            payee: payeeOf[t],
            period: '2026-08',
            lineId: comp.lineOf[t],
            message: `matrix ${counter}`,
          }),
          expectWhenAllowed: 201,
        };
      case 'GET /api/comp/disputes':
        return {
          path: '/api/comp/disputes?period=2026-08',
          shows: (text) =>
            (JSON.parse(text) as { disputes: { payee: string }[] }).disputes.some(
              (d) => d.payee === payeeOf[t],
            ),
        };
      case 'GET /api/comp/disputes/{id}':
        return { path: `/api/comp/disputes/${comp.disputeOf[t]}` };
      case 'POST /api/comp/disputes/{id}/messages':
        return {
          path: `/api/comp/disputes/${comp.disputeOf[t]}/messages`,
          init: json('POST', { message: `matrix ${counter}` }),
          expectWhenAllowed: 201,
        };
      case 'POST /api/comp/disputes/{id}/resolve':
        // No such dispute: reaching the lookup (404) is what "allowed" means here.
        return {
          path: '/api/comp/disputes/999999/resolve',
          init: json('POST', { resolution: 'explained', message: 'matrix' }),
          expectWhenAllowed: 404,
        };
      case 'POST /api/comp/adjustments':
        return {
          path: '/api/comp/adjustments',
          init: json('POST', { payee: payeeOf[t], period: '2026-10', amount: '10', reason: 'matrix test' }),
          expectWhenAllowed: 201,
        };
      case 'POST /api/comp/estimate':
        return {
          path: '/api/comp/estimate',
          init: json('POST', { payee: payeeOf[t], deal: { amount: '1000', closeOn: '2026-08-20' } }),
        };
      default:
        throw new Error(`No request written for ${route}: add it to build() and to rules.`);
    }
  }

  it('has an entry for every route of the app, and the app has every route with an entry', () => {
    const routes = routeTableOf(app).map((r) => `${r.method} ${r.path}`);
    expect(new Set(routes).size).toBe(routes.length);
    expect([...routes].sort()).toEqual(Object.keys(rules).sort());
  });

  it('refuses every non-public route to an anonymous caller with 401, and serves the public ones', async () => {
    for (const route of routeTableOf(app).map((r) => `${r.method} ${r.path}`)) {
      const rule = rules[route]!;
      const { path, init } = build(route, 'a', 'admin');
      const headers =
        typeof init?.body === 'string' && init.body.startsWith('{')
          ? { 'content-type': 'application/json' }
          : undefined;
      const response = await app.request(path, { ...init, headers });
      expect(response.status, `${route} anonymous`).toBe(rule.kind === 'public' ? rule.anonymous : 401);
    }
  });

  it('allows and denies every route × role × own / same-team / other-team data as written', async () => {
    const failures: string[] = [];
    for (const route of routeTableOf(app).map((r) => `${r.method} ${r.path}`)) {
      const rule = rules[route]!;
      if (rule.kind === 'public') continue;
      for (const caller of callers)
        for (const t of targets) {
          const allowed =
            rule.kind === 'signed_in'
              ? (rule.allowed?.(caller, t) ?? true)
              : rule.roles.includes(caller) && (!rule.scoped || inScope(caller, t));
          const built = build(route, t, caller);
          let client = clients[caller];
          // Signing out ends the session: do it on a session of its own.
          if (route === 'POST /api/auth/sign-out')
            client = await signIn(app, `${caller}@example.com`, testPassword);
          const response = await client.request(built.path, built.init);
          const status = response.status;
          const text = await response.text();
          const ok = allowed
            ? built.expectWhenAllowed !== undefined
              ? status === built.expectWhenAllowed
              : status >= 200 && status < 300
            : // Out of scope is "not found" (no probing for ids); lacking the permission is 403.
              rule.kind === 'roles' && rule.roles.includes(caller)
              ? status === 404 || status === 403
              : status === 403 || status === 404;
          if (!ok || status >= 500)
            failures.push(
              `${route} as ${caller} on ${t}'s data: expected ${allowed ? 'allow' : 'deny'}, got ${status} ${text}`,
            );
          else if (rule.kind === 'roles' && rule.filtered && allowed) {
            if (!built.shows) throw new Error(`${route} is filtered: its request needs shows()`);
            if (built.shows(text) !== inScope(caller, t))
              failures.push(
                `${route} as ${caller}: ${t}'s data ${inScope(caller, t) ? 'missing from' : 'leaked into'} the answer ${text}`,
              );
          }
        }
    }
    expect(failures).toEqual([]);
  });
});
