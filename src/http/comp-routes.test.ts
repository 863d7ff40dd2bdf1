// The compensation routes in-process, on the access fixture (src/app/testing/access-fixture.ts):
// Ann (rep-a) and Ben (rep-b) sell in East, Cleo (rep-c) in West; Ann won 10,000.00 on 2026-02-10
// and 20,000.00 on 2026-08-15, Ben 11,000.00 and 21,000.00, Cleo 12,000.00 and 22,000.00. The plan
// pays a flat 10% on won revenue by month, so August pays Ann 2,000.00, Ben 2,100.00 and Cleo
// 2,200.00. The steps run in order and build on each other, as an administrator's month would.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attain } from '../app/create-attain.ts';
import { createAccessFixture, type AccessFixture } from '../app/testing/access-fixture.ts';
import { createTestAttain } from '../app/testing/test-attain.ts';
import { testDatabaseKinds } from '../store/testing/test-store.ts';
import { createApp } from './create-app.ts';
import { createUserAndSignIn, type TestClient } from './testing/test-client.ts';

const plan = (extra: string[] = []) =>
  [
    'id: flat-ten',
    'name: Flat ten percent',
    'period: month',
    'effective_from: 2026-01-01',
    'credit:',
    '  types:',
    '    - { id: revenue, amount: amount }',
    'components:',
    '  - { id: commission, kind: commission, credit: revenue, rate: 10% }',
    ...extra,
    '',
  ].join('\n');

const planTest = (earnings: string) => [
  'tests:',
  '  - name: a 1,000 deal pays 100',
  '    input:',
  '      periods: [2026-01]',
  '      transactions: [{ id: T1, date: 2026-01-10, owner: alice, amount: "1000" }]',
  '    expect:',
  `      - { payee: alice, period: 2026-01, earnings: "${earnings}" }`,
];

describe.each(testDatabaseKinds())('compensation routes on %s', (kind) => {
  let attain: Attain & { dispose(): Promise<void> };
  let app: ReturnType<typeof createApp>;
  let fx: AccessFixture;
  let admin: TestClient;
  let ed: TestClient;
  let ann: TestClient;
  const runs: number[] = [];

  beforeAll(async () => {
    attain = await createTestAttain(kind);
    app = createApp(attain);
    fx = await createAccessFixture(attain.store);
    admin = await createUserAndSignIn(app, attain, { email: 'admin@example.com', role: 'comp_admin' });
    ed = await createUserAndSignIn(app, attain, {
      email: 'ed@example.com',
      role: 'sales_manager',
      personId: fx.people.east,
    });
    ann = await createUserAndSignIn(app, attain, {
      email: 'ann@example.com',
      role: 'sales_rep',
      personId: fx.people.a,
    });
  });
  afterAll(async () => {
    await attain?.dispose();
  });

  const send = (client: TestClient, method: string, path: string, body?: unknown) =>
    client.json(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  async function runPeriod(period: string) {
    const started = await send(admin, 'POST', '/api/comp/runs', { period });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.run.status).toBe('running');
    await attain.comp.settle();
    const done = await admin.json(`/api/comp/runs/${started.body.run.id}`);
    expect(done.body.status, JSON.stringify(done.body.error)).toBe('succeeded');
    runs.push(done.body.id);
    return done.body;
  }

  async function statementOf(client: TestClient, payee: string, period: string) {
    const response = await client.json(`/api/comp/statements/${payee}/${period}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  }

  it('refuses an invalid plan with every problem and its path, and saves one whose tests fail as a draft', async () => {
    const invalid = await send(admin, 'PUT', '/api/comp/plans/flat-ten', {
      source: plan().replace('rate: 10%', 'rate: ten percent').replace('period: month', 'period: fortnight'),
    });
    expect(invalid.status).toBe(400);
    expect(invalid.type).toContain('application/problem+json');
    const fields = invalid.body.problems.map((p: { field: string }) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['period', 'components[0].rate']));
    expect(invalid.body.problems.find((p: any) => p.field === 'components[0].rate').line).toBe(9);

    const wrongId = await send(admin, 'PUT', '/api/comp/plans/other-id', { source: plan() });
    expect(wrongId.status).toBe(400);
    expect(wrongId.body.problems[0].field).toBe('id');

    const failing = await send(admin, 'PUT', '/api/comp/plans/flat-ten', { source: plan(planTest('99.00')) });
    expect(failing.status).toBe(200);
    expect(failing.body).toMatchObject({ version: 1, status: 'draft' });
    expect(failing.body.testResults).toEqual([
      {
        name: 'a 1,000 deal pays 100',
        passed: false,
        failures: [{ expectation: 'alice 2026-01 earnings', expected: '99.00', actual: '100.00' }],
      },
    ]);

    const validated = await send(admin, 'POST', '/api/comp/plans/validate', {
      source: plan(planTest('100')),
    });
    expect(validated.body).toEqual({
      problems: [],
      testResults: [{ name: 'a 1,000 deal pays 100', passed: true, failures: [] }],
    });
    const fixed = await send(admin, 'PUT', '/api/comp/plans/flat-ten', { source: plan(planTest('100')) });
    expect(fixed.body).toMatchObject({ version: 2, status: 'active' });

    const list = await admin.json('/api/comp/plans');
    expect(list.body.plans).toEqual([
      expect.objectContaining({
        id: 'flat-ten',
        version: 2,
        status: 'active',
        tests: { passed: 1, failed: 0 },
      }),
    ]);
    const detail = await admin.json('/api/comp/plans/flat-ten');
    expect(detail.body.current.version).toBe(2);
    expect(detail.body.versions.map((v: any) => v.version)).toEqual([2, 1]);
    expect((await admin.json('/api/comp/plans/no-such-plan')).status).toBe(404);
    // Saving is audited with the version.
    const audit = await attain.store.db
      .selectFrom('audit_log')
      .select('summary')
      .where('action', '=', 'comp_plan_saved')
      .execute();
    expect(audit).toHaveLength(2);
  });

  it('assigns the plan to positions with a target incentive', async () => {
    for (const position of [fx.positions.a, fx.positions.b, fx.positions.c]) {
      const assigned = await send(admin, 'POST', '/api/comp/plans/flat-ten/assignments', {
        position,
        from: '2026-01-01',
        targetIncentive: '60000',
        payMix: '70/30',
      });
      expect(assigned.status, JSON.stringify(assigned.body)).toBe(201);
    }
    const bad = await send(admin, 'POST', '/api/comp/plans/flat-ten/assignments', {
      position: 'no-such-position',
      from: '2026-01-01',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.problems[0].field).toBe('position');
    const list = await admin.json('/api/comp/plans/flat-ten/assignments');
    expect(list.body.assignments.map((a: any) => [a.holder?.key, a.targetIncentive, a.payMix])).toEqual([
      ['rep-a', '60000.00', '70/30'],
      ['rep-b', '60000.00', '70/30'],
      ['rep-c', '60000.00', '70/30'],
    ]);
  });

  it('lists the positions to assign, with holder today and plans, searched by key, title or holder', async () => {
    const all = await admin.json('/api/comp/positions');
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body.total).toBe(6);
    expect(all.body.positions.map((p: any) => p.key)).toEqual([
      'pos-a',
      'pos-b',
      'pos-c',
      'pos-east',
      'pos-west',
      'pos-vp',
    ]);
    expect(all.body.positions[0]).toEqual({
      id: fx.positions.a,
      key: 'pos-a',
      title: 'AE East 1',
      role: 'rep',
      holder: { key: 'rep-a', name: 'Ann Rep' },
      plans: [{ planId: 'flat-ten', from: '2026-01-01', to: null }],
    });
    expect(all.body.positions.find((p: any) => p.key === 'pos-vp').plans).toEqual([]);
    // Mia holds West today (she held East until 2026-04-01): the holder is today's.
    const mia = await admin.json('/api/comp/positions?q=mia');
    expect(mia.body.positions.map((p: any) => [p.key, p.holder.name])).toEqual([['pos-west', 'Mia Mover']]);
    const east = await admin.json('/api/comp/positions?q=East');
    expect(east.body.positions.map((p: any) => p.key)).toEqual(['pos-a', 'pos-b', 'pos-east']);
    // The search is a substring, not a pattern.
    expect((await admin.json('/api/comp/positions?q=%25')).body).toEqual({ positions: [], total: 0 });
    const page = await admin.json('/api/comp/positions?limit=2&offset=2');
    expect([page.body.positions.map((p: any) => p.key), page.body.total]).toEqual([['pos-c', 'pos-east'], 6]);
    expect((await ann.json('/api/comp/positions')).status).toBe(403);

    // The assignment form shows each problem beside its field: the paths name them.
    const backwards = await send(admin, 'POST', '/api/comp/plans/flat-ten/assignments', {
      position: 'pos-vp',
      from: '2026-06-01',
      to: '2026-05-01',
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.problems).toEqual([
      { field: 'to', value: '2026-05-01', message: 'must be after from' },
    ]);
    const malformed = await send(admin, 'POST', '/api/comp/plans/flat-ten/assignments', {
      position: 'pos-vp',
      from: '2026-06-01',
      targetIncentive: '12,000',
      payMix: '70-30',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.problems.map((p: any) => p.field).sort()).toEqual([
      'json.payMix',
      'json.targetIncentive',
    ]);
    expect((await admin.json('/api/comp/plans/flat-ten/assignments')).body.assignments).toHaveLength(3);
  });

  it('runs a period in the background and stores a statement per payee', async () => {
    const run = await runPeriod('2026-08');
    expect(run.summary).toEqual({ payees: 3, earnings: '6300.00', payable: '6300.00', lines: 3 });
    expect(run.planVersions).toEqual([{ planId: 'flat-ten', version: 2, fingerprint: expect.any(String) }]);
    expect(run.inputFingerprint).toMatch(/^[0-9a-f]{64}$/);
    const stored = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM comp_statements WHERE run_id = ${run.id}`.execute(attain.store.db);
    expect(stored.rows[0]!.n).toBe(3);
    const periods = await admin.json('/api/comp/periods');
    expect(periods.body.periods.find((p: any) => p.period === '2026-08')).toMatchObject({
      status: 'open',
      lastRunId: run.id,
    });
    const invalid = await send(admin, 'POST', '/api/comp/runs', { period: '2026-13' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.problems[0].field).toBe('json.period');
    const unknown = await send(admin, 'POST', '/api/comp/runs', { period: '2026-08', payees: ['nobody'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.problems[0]).toMatchObject({ field: 'payees[0]', value: 'nobody' });
  });

  it('shows a rep their own statement and nobody else’s; a manager their team', async () => {
    const own = await statementOf(ann, 'rep-a', '2026-08');
    expect(own.statement.totals.earnings).toBe('2000.00');
    expect(own.statement.lines).toHaveLength(1);
    expect(own.statement.lines[0]).toMatchObject({ kind: 'commission', amount: '2000.00' });
    expect(own.statement.lines[0].explanation).toContain('a-q3');
    expect(own.closed).toBe(false);
    expect((await ann.json('/api/comp/statements/rep-b/2026-08')).status).toBe(404);
    expect((await ann.json('/api/comp/statements/rep-b/2026-08/export.csv')).status).toBe(404);
    const annList = await ann.json('/api/comp/statements?period=2026-08');
    expect(annList.body.statements.map((s: any) => s.payee)).toEqual(['rep-a']);
    const edList = await ed.json('/api/comp/statements?period=2026-08');
    expect(edList.body.statements.map((s: any) => [s.payee, s.totals.payable])).toEqual([
      ['rep-a', '2000.00'],
      ['rep-b', '2100.00'],
    ]);
    expect((await ed.json('/api/comp/statements/rep-c/2026-08')).status).toBe(404);
  });

  it('exports a statement as CSV, XLSX and PDF and the payroll file, each in the audit trail', async () => {
    const csv = await ann.request('/api/comp/statements/rep-a/2026-08/export.csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const csvText = await csv.text();
    expect(csvText).toContain('2000.00');
    expect(csvText).toContain('commission');
    const pdf = await ann.request('/api/comp/statements/rep-a/2026-08/export.pdf');
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 4)
        .toString(),
    ).toBe('%PDF');
    const xlsx = await ann.request('/api/comp/statements/rep-a/2026-08/export.xlsx');
    expect(
      Buffer.from(await xlsx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    const payroll = await admin.request('/api/comp/payroll/2026-08.csv');
    expect(payroll.status).toBe(200);
    const payrollText = await payroll.text();
    expect(payrollText).toMatch(/rep-a,.*2000\.00/);
    expect(payrollText).toMatch(/rep-c,.*2200\.00/);
    // A rep's payroll file holds their own line only (scope applies to every export).
    const own = await ann.request('/api/comp/payroll/2026-08.csv');
    expect(own.status).toBe(200);
    const ownRows = (await own.text()).trim().split('\r\n').slice(1);
    expect(ownRows).toHaveLength(1);
    expect(ownRows[0]).toMatch(/^rep-a,/);
    expect((await admin.request('/api/comp/payroll/2031-01.csv')).status).toBe(404);
    const audit = await attain.store.db
      .selectFrom('audit_log')
      .select(['action', 'actor'])
      .where('action', 'in', ['comp_statement_exported', 'comp_payroll_exported'])
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { action: 'comp_statement_exported', actor: 'ann@example.com' },
      { action: 'comp_statement_exported', actor: 'ann@example.com' },
      { action: 'comp_statement_exported', actor: 'ann@example.com' },
      { action: 'comp_payroll_exported', actor: 'admin@example.com' },
      { action: 'comp_payroll_exported', actor: 'ann@example.com' },
    ]);
  });

  it('takes a dispute on a line, resolves it with an adjustment that the next run pays, and compares the runs', async () => {
    const own = await statementOf(ann, 'rep-a', '2026-08');
    const line = own.statement.lines[0];
    const notALine = await send(ann, 'POST', '/api/comp/disputes', {
      payee: 'rep-a',
      period: '2026-08',
      lineId: 'no-such-line',
      message: 'What is this?',
    });
    expect(notALine.status).toBe(400);
    expect(notALine.body.problems[0].field).toBe('lineId');
    const raised = await send(ann, 'POST', '/api/comp/disputes', {
      payee: 'rep-a',
      period: '2026-08',
      lineId: line.id,
      message: 'The deal was 21,500, not 20,000.',
    });
    expect(raised.status, JSON.stringify(raised.body)).toBe(201);
    const dispute = raised.body.dispute;
    expect(dispute).toMatchObject({ status: 'open', lineId: line.id, payee: 'rep-a' });
    expect(dispute.disputedLine.trace).toEqual(line.trace);
    expect(
      (
        await send(ann, 'POST', `/api/comp/disputes/${dispute.id}/resolve`, {
          resolution: 'explained',
          message: 'x',
        })
      ).status,
    ).toBe(403);
    // Ed manages Ann: he sees it and can write in it.
    expect(
      (await send(ed, 'POST', `/api/comp/disputes/${dispute.id}/messages`, { message: 'Checking.' })).status,
    ).toBe(201);
    const noAmount = await send(admin, 'POST', `/api/comp/disputes/${dispute.id}/resolve`, {
      resolution: 'adjusted',
      message: 'Corrected.',
    });
    expect(noAmount.status).toBe(400);
    expect(noAmount.body.problems[0].field).toBe('amount');
    const resolved = await send(admin, 'POST', `/api/comp/disputes/${dispute.id}/resolve`, {
      resolution: 'adjusted',
      message: 'The amount was 21,500: 10% of 1,500 is added.',
      amount: '150',
    });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect(resolved.body.dispute).toMatchObject({ status: 'resolved', resolution: 'adjusted' });
    expect(resolved.body.dispute.adjustment).toMatchObject({
      period: '2026-08',
      amount: '150.00',
      approver: 'admin@example.com',
    });
    const history = await ann.json(`/api/comp/disputes/${dispute.id}`);
    expect(history.body.dispute.events.map((e: any) => e.kind)).toEqual(['raised', 'message', 'resolved']);
    expect(
      (
        await send(admin, 'POST', `/api/comp/disputes/${dispute.id}/resolve`, {
          resolution: 'explained',
          message: 'again',
        })
      ).status,
    ).toBe(409);

    const before = runs.at(-1)!;
    const rerun = await runPeriod('2026-08');
    const after = await statementOf(ann, 'rep-a', '2026-08');
    expect(after.runId).toBe(rerun.id);
    expect(after.statement.lines.map((l: any) => [l.kind, l.amount])).toEqual([
      ['commission', '2000.00'],
      ['adjustment', '150.00'],
    ]);
    expect(after.statement.totals).toMatchObject({
      earnings: '2000.00',
      adjustments: '150.00',
      payable: '2150.00',
    });
    expect(after.disputes).toEqual([expect.objectContaining({ id: dispute.id, status: 'resolved' })]);

    const comparison = await admin.json(`/api/comp/runs/${before}/compare/${rerun.id}`);
    expect(comparison.status).toBe(200);
    expect(comparison.body.payeesChanged).toEqual(['rep-a']);
    expect(comparison.body.totalsDelta.payable).toBe('150.00');
    expect(comparison.body.statements[0].lines).toEqual([
      expect.objectContaining({ change: 'added', kind: 'adjustment', delta: '150.00' }),
    ]);
  });

  it('closes a period: it is never rewritten, and a later change is paid as a prior-period adjustment', async () => {
    const closing = runs.at(-1)!;
    const closed = await send(admin, 'POST', '/api/comp/periods/2026-08/close');
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body.period).toMatchObject({ period: '2026-08', status: 'closed', lastRunId: closing });
    expect((await send(admin, 'POST', '/api/comp/periods/2026-08/close')).status).toBe(409);
    const again = await send(admin, 'POST', '/api/comp/runs', { period: '2026-08' });
    expect(again.status).toBe(409);
    // The August deal turns out to be 25,000.00, not 20,000.00.
    await attain.store.db
      .updateTable('opportunities')
      .set({ amount_minor: 2_500_000 })
      .where('id', '=', fx.deals.a.q3)
      .execute();
    await runPeriod('2026-09');
    const august = await statementOf(ann, 'rep-a', '2026-08');
    expect(august.runId).toBe(closing);
    expect(august.closed).toBe(true);
    expect(august.statement.totals.earnings).toBe('2000.00');
    const september = await statementOf(ann, 'rep-a', '2026-09');
    expect(september.statement.lines).toEqual([
      expect.objectContaining({ kind: 'prior_period_adjustment', amount: '500.00' }),
    ]);
    expect(september.statement.lines[0].explanation).toContain('2026-08');
    // Ben's August did not change: nothing for him.
    expect((await statementOf(admin, 'rep-b', '2026-09')).statement.lines).toEqual([]);
    // An adjustment for a closed period is refused; a dispute on it is adjusted in the next open one.
    const refused = await send(admin, 'POST', '/api/comp/adjustments', {
      payee: 'rep-a',
      period: '2026-08',
      amount: '10',
      reason: 'late',
    });
    expect(refused.status).toBe(409);
    const line = august.statement.lines[0];
    const raised = await send(ann, 'POST', '/api/comp/disputes', {
      payee: 'rep-a',
      period: '2026-08',
      lineId: line.id,
      message: 'Still one question.',
    });
    const resolved = await send(admin, 'POST', `/api/comp/disputes/${raised.body.dispute.id}/resolve`, {
      resolution: 'adjusted',
      message: 'Goodwill.',
      amount: '25.50',
    });
    expect(resolved.body.dispute.adjustment).toMatchObject({ period: '2026-09', amount: '25.50' });
    const adjustments = await admin.json('/api/comp/adjustments?period=2026-09');
    expect(adjustments.body.adjustments.map((a: any) => a.amount)).toEqual(['25.50']);
  });

  it('lists approved adjustments with the payee and the run that pays each, once a run has', async () => {
    const before = await admin.json('/api/comp/adjustments?period=2026-09');
    // The goodwill adjustment resolved above waits for the next run of September.
    expect(before.body.adjustments).toEqual([
      expect.objectContaining({ payee: 'rep-a', payeeName: 'Ann Rep', amount: '25.50', paidInRun: null }),
    ]);
    const created = await send(admin, 'POST', '/api/comp/adjustments', {
      payee: 'rep-b',
      period: '2026-09',
      amount: '80.50',
      reason: 'Booth duty at the September trade show',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.adjustment).toMatchObject({
      payee: 'rep-b',
      period: '2026-09',
      amount: '80.50',
      currency: 'USD',
      approver: 'admin@example.com',
      disputeId: null,
    });
    // Vera (the VP) is on no plan: an adjustment for her would never be paid, so it is refused.
    const noPlan = await send(admin, 'POST', '/api/comp/adjustments', {
      payee: 'vp',
      period: '2026-09',
      amount: '100',
      reason: 'Spot bonus',
    });
    expect(noPlan.status).toBe(400);
    expect(noPlan.body.problems).toEqual([
      { field: 'payee', value: 'vp', message: 'has no plan in 2026-09' },
    ]);
    const noReason = await send(admin, 'POST', '/api/comp/adjustments', {
      payee: 'rep-b',
      period: '2026-09',
      amount: '0',
      reason: '  ',
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.problems).toEqual([expect.objectContaining({ field: 'reason' })]);

    const run = await runPeriod('2026-09');
    const after = await admin.json('/api/comp/adjustments?period=2026-09');
    expect(after.body.adjustments.map((a: any) => [a.payee, a.payeeName, a.amount, a.paidInRun])).toEqual([
      ['rep-a', 'Ann Rep', '25.50', run.id],
      ['rep-b', 'Ben Rep', '80.50', run.id],
    ]);
    const ben = await statementOf(admin, 'rep-b', '2026-09');
    expect(ben.statement.lines.map((l: any) => [l.kind, l.amount, l.trace.details?.reason])).toEqual([
      ['adjustment', '80.50', 'Booth duty at the September trade show'],
    ]);
    // The dispute's August adjustment is paid by the August run the period was closed on.
    const august = await admin.json('/api/comp/adjustments?period=2026-08');
    expect(august.body.adjustments.map((a: any) => a.paidInRun)).toEqual([runs[1]]);
    // A rep sees the adjustments of their own pay only (as their statements), not Ben's.
    const own = await ann.json('/api/comp/adjustments');
    expect(own.status).toBe(200);
    expect(own.body.adjustments.length).toBeGreaterThan(0);
    expect(new Set(own.body.adjustments.map((a: any) => a.payee))).toEqual(new Set(['rep-a']));
    expect(own.body.adjustments.map((a: any) => a.amount)).toContain('25.50');
  });

  it('estimates what a deal would pay a rep on their plan', async () => {
    const estimate = await send(ann, 'POST', '/api/comp/estimate', {
      deal: { amount: '5000', closeOn: '2026-10-15' },
    });
    expect(estimate.status, JSON.stringify(estimate.body)).toBe(200);
    expect(estimate.body).toMatchObject({ payee: 'rep-a', period: '2026-10', delta: '500.00' });
    const open = await send(ann, 'POST', '/api/comp/estimate', { opportunityId: fx.deals.a.open });
    expect(open.status, JSON.stringify(open.body)).toBe(200);
    expect(open.body).toMatchObject({ payee: 'rep-a', period: '2026-12', delta: '500.00' });
    expect((await send(ann, 'POST', '/api/comp/estimate', { opportunityId: fx.deals.b.open })).status).toBe(
      404,
    );
    expect((await send(ann, 'POST', '/api/comp/estimate', {})).status).toBe(400);
  });

  it('refuses to resolve a dispute with an adjustment no plan would pay, and changes nothing', async () => {
    // Cleo left her plan at the end of August. August is closed, so an adjustment on her August
    // line would go to September, where no plan pays her.
    await attain.store.db
      .updateTable('comp_plan_assignments')
      .set({ valid_to: '2026-09-01' })
      .where('position_id', '=', fx.positions.c)
      .execute();
    const cleo = await createUserAndSignIn(app, attain, {
      email: 'cleo@example.com',
      role: 'sales_rep',
      personId: fx.people.c,
    });
    const august = await statementOf(cleo, 'rep-c', '2026-08');
    const raised = await send(cleo, 'POST', '/api/comp/disputes', {
      payee: 'rep-c',
      period: '2026-08',
      lineId: august.statement.lines[0].id,
      message: 'My August rate looks wrong.',
    });
    expect(raised.status, JSON.stringify(raised.body)).toBe(201);
    const id = raised.body.dispute.id;
    const refused = await send(admin, 'POST', `/api/comp/disputes/${id}/resolve`, {
      resolution: 'adjusted',
      message: 'Corrected rate.',
      amount: '40',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.problems).toEqual([
      { field: 'resolution', value: 'adjusted', message: 'rep-c has no plan in 2026-09' },
    ]);
    const still = await admin.json(`/api/comp/disputes/${id}`);
    expect(still.body.dispute).toMatchObject({ status: 'open', adjustment: null });
    const september = await admin.json('/api/comp/adjustments?period=2026-09');
    expect(september.body.adjustments.map((a: any) => a.payee)).not.toContain('rep-c');
    // Explained instead, it resolves.
    const explained = await send(admin, 'POST', `/api/comp/disputes/${id}/resolve`, {
      resolution: 'explained',
      message: 'Paid by payroll outside the plan.',
    });
    expect(explained.status, JSON.stringify(explained.body)).toBe(200);
    expect(explained.body.dispute).toMatchObject({ status: 'resolved', resolution: 'explained' });
  });
});
