import ExcelJS from 'exceljs';
// The metric and KPI routes in-process, on the access fixture (src/app/testing/access-fixture.ts):
// Ann and Ben sell in East, Cleo in West; each won a deal on 2026-02-10 (Q1) and on 2026-08-15
// (Q3) and carries a 40,000 USD quota in both quarters. East was Mia's until 2026-04-01 and Ed's
// from then on; West was Wes's until then and Mia's after. The expected numbers are written out
// from the fixture here, not computed by the code under test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attain } from '../app/create-attain.ts';
import { createAccessFixture, type AccessFixture } from '../app/testing/access-fixture.ts';
import { createTestAttain } from '../app/testing/test-attain.ts';
import { metricDefinitions } from '../domain/metrics/metric-definitions.ts';
import { testDatabaseKinds } from '../store/testing/test-store.ts';
import { createApp } from './create-app.ts';
import { createUserAndSignIn, type TestClient } from './testing/test-client.ts';

type Group = { key: string | number | null; label: string; metrics: Record<string, any> };

describe.each(testDatabaseKinds())('metric routes on %s', (kind) => {
  let attain: Attain & { dispose(): Promise<void> };
  let app: ReturnType<typeof createApp>;
  let fx: AccessFixture;
  let admin: TestClient;
  let ed: TestClient;
  let mia: TestClient;
  let ann: TestClient;

  beforeAll(async () => {
    attain = await createTestAttain(kind);
    app = createApp(attain);
    fx = await createAccessFixture(attain.store);
    admin = await createUserAndSignIn(app, attain, { email: 'admin@example.com', role: 'admin' });
    ed = await createUserAndSignIn(app, attain, {
      email: 'ed@example.com',
      role: 'sales_manager',
      personId: fx.people.east,
    });
    mia = await createUserAndSignIn(app, attain, {
      email: 'mia@example.com',
      role: 'sales_manager',
      personId: fx.people.mia,
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

  const q3 = 'period=quarter&at=2026-08-01';
  const q1 = 'period=quarter&at=2026-02-01';

  async function kpi(client: TestClient, query: string) {
    const response = await client.json(`/api/kpi?${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as { groups: Group[]; [key: string]: any };
  }
  const values = (groups: Group[], metric: string) =>
    Object.fromEntries(groups.map((g) => [g.label, g.metrics[metric]?.value]));

  it('serves every metric’s definition, as written in the registry', async () => {
    const { status, body } = await ann.json('/api/metrics');
    expect(status).toBe(200);
    expect(body.metrics).toHaveLength(metricDefinitions.length);
    const winRate = body.metrics.find((m: { id: string }) => m.id === 'win_rate');
    expect(winRate).toMatchObject({
      label: 'Win rate',
      unit: 'ratio',
      direction: 'higher',
      category: 'competency',
      status: 'computed',
      definition: expect.stringContaining('won or lost'),
      alternative: expect.stringContaining('close_rate'),
      groupBys: expect.arrayContaining(['rep', 'manager', 'segment']),
    });
    expect(body.metrics.find((m: { id: string }) => m.id === 'mrr')).toMatchObject({
      status: 'defined',
      money: true,
    });
  });

  it('computes won revenue, win rate and quota by rep for an administrator: everybody', async () => {
    const body = await kpi(admin, `metrics=won_revenue,win_rate,quota&by=rep&${q3}`);
    expect(body).toMatchObject({
      groupBy: 'rep',
      period: { from: '2026-07-01', to: '2026-10-01', label: 'FY2026 Q3' },
      asOf: '2026-11-23',
      currency: 'USD',
      metrics: ['won_revenue', 'win_rate', 'quota'],
    });
    expect(values(body.groups, 'won_revenue')).toEqual({
      'Ann Rep': '20000.00',
      'Ben Rep': '21000.00',
      'Cleo Rep': '22000.00',
    });
    expect(values(body.groups, 'win_rate')).toEqual({ 'Ann Rep': 1, 'Ben Rep': 1, 'Cleo Rep': 1 });
    expect(values(body.groups, 'quota')).toEqual({
      'Ann Rep': '40000.00',
      'Ben Rep': '40000.00',
      'Cleo Rep': '40000.00',
    });
    expect(body.groups.map((g) => g.key)).toEqual([fx.people.a, fx.people.b, fx.people.c]);
  });

  it('gives a rep only their own group and numbers, whatever the grouping', async () => {
    const byRep = await kpi(ann, `metrics=won_revenue,quota,quota_attainment&by=rep&${q3}`);
    expect(byRep.groups.map((g) => g.label)).toEqual(['Ann Rep']);
    expect(byRep.groups[0]!.metrics.won_revenue.value).toBe('20000.00');
    expect(byRep.groups[0]!.metrics.quota.value).toBe('40000.00');
    expect(byRep.groups[0]!.metrics.quota_attainment.value).toBe(0.5);
    const company = await kpi(ann, `metrics=won_revenue,won_deals&by=company&${q3}`);
    expect(values(company.groups, 'won_revenue')).toEqual({ Company: '20000.00' });
    const byManager = await kpi(ann, `metrics=won_revenue&by=manager&${q3}`);
    expect(values(byManager.groups, 'won_revenue')).toEqual({ 'Ed East': '20000.00' });
  });

  it('gives a manager their team as it was on each record’s day', async () => {
    // Ed has run East since 2026-04-01: Q3 is Ann's and Ben's; Q1 was before his time.
    expect(values((await kpi(ed, `metrics=won_revenue&by=rep&${q3}`)).groups, 'won_revenue')).toEqual({
      'Ann Rep': '20000.00',
      'Ben Rep': '21000.00',
    });
    const edQ1 = await kpi(ed, `metrics=won_revenue,quota&by=rep&${q1}`);
    expect(edQ1.groups).toEqual([]);
    // Mia ran East in Q1 and West in Q3.
    expect(values((await kpi(mia, `metrics=won_revenue&by=rep&${q1}`)).groups, 'won_revenue')).toEqual({
      'Ann Rep': '10000.00',
      'Ben Rep': '11000.00',
    });
    const miaQ3 = await kpi(mia, `metrics=won_revenue,quota&by=rep&${q3}`);
    expect(values(miaQ3.groups, 'won_revenue')).toEqual({ 'Cleo Rep': '22000.00' });
    expect(values(miaQ3.groups, 'quota')).toEqual({ 'Cleo Rep': '40000.00' });
  });

  it('groups by manager through the effective-dated hierarchy: the holder of the parent position that day', async () => {
    const q1Managers = await kpi(admin, `metrics=won_revenue&by=manager&${q1}`);
    expect(values(q1Managers.groups, 'won_revenue')).toEqual({
      'Mia Mover': '21000.00',
      'Wes West': '12000.00',
    });
    const q3Managers = await kpi(admin, `metrics=won_revenue,quota&by=manager&${q3}`);
    expect(values(q3Managers.groups, 'won_revenue')).toEqual({
      'Ed East': '41000.00',
      'Mia Mover': '22000.00',
    });
    expect(values(q3Managers.groups, 'quota')).toEqual({ 'Ed East': '80000.00', 'Mia Mover': '40000.00' });
    const byTeam = await kpi(admin, `metrics=won_revenue&by=team&${q3}`);
    expect(values(byTeam.groups, 'won_revenue')).toEqual({ East: '41000.00', West: '22000.00' });
    const byRegion = await kpi(admin, `metrics=won_revenue&by=region&${q3}`);
    expect(values(byRegion.groups, 'won_revenue')).toEqual({ Americas: '63000.00' });
  });

  it('counts nothing dated after the as-of day, and compares with the prior period', async () => {
    const before = await kpi(
      admin,
      `metrics=won_revenue,open_pipeline_count&by=company&${q3}&asOf=2026-08-14`,
    );
    expect(before.asOf).toBe('2026-08-14');
    expect(values(before.groups, 'won_revenue')).toEqual({ Company: '0.00' });
    // Q2 as of the same point of it: the as-of day (2026-11-23) moved back 91 days, Q3's start − Q2's.
    const compared = await kpi(admin, `metrics=won_revenue&by=company&${q3}&compare=prior_period`);
    expect(compared.prior).toEqual({
      from: '2026-04-01',
      to: '2026-07-01',
      label: 'FY2026 Q2',
      asOf: '2026-08-24',
    });
    expect(compared.groups[0]!.metrics.won_revenue).toMatchObject({
      value: '63000.00',
      prior: { value: '0.00' },
      change: '63000.00',
    });
    const trailing = await kpi(admin, 'metrics=won_deals&by=company&period=trailing_300&at=2026-08-31');
    expect(trailing.period).toEqual({
      from: '2025-11-05',
      to: '2026-09-01',
      label: '300 days to 2026-08-31',
    });
    expect(values(trailing.groups, 'won_deals')).toEqual({ Company: 6 });
    const calendar = await kpi(
      admin,
      'metrics=won_deals&by=company&period=half&calendar=calendar&at=2026-03-01',
    );
    expect(calendar.period).toEqual({ from: '2026-01-01', to: '2026-07-01', label: '2026 H1' });
  });

  it('lists the records behind each number on request, within scope', async () => {
    const admins = await kpi(admin, `metrics=won_revenue,activities&by=rep&${q3}&withRecords=true`);
    const annGroup = admins.groups.find((g) => g.key === fx.people.a)!;
    expect(annGroup.metrics.won_revenue.records).toEqual({ kind: 'opportunity', ids: [fx.deals.a.q3] });
    expect(annGroup.metrics.activities.records.kind).toBe('activity');
    expect(annGroup.metrics.activities.records.ids).toHaveLength(1);
    const own = await kpi(ann, `metrics=won_deals&by=company&period=year&at=2026-06-01&withRecords=true`);
    expect(own.groups[0]!.metrics.won_deals.records).toEqual({
      kind: 'opportunity',
      ids: [fx.deals.a.q1, fx.deals.a.q3],
    });
    const withoutRecords = await kpi(ann, `metrics=won_deals&by=company&${q3}`);
    expect(withoutRecords.groups[0]!.metrics.won_deals.records).toBeUndefined();
  });

  it('exports the same as CSV, one row per group, within scope', async () => {
    const response = await ed.request(
      `/api/kpi/export.csv?metrics=won_revenue,win_rate&by=rep&${q3}&compare=prior_period`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(await response.text()).toBe(
      [
        'group_key,group,won_revenue,won_revenue_prior,won_revenue_change,win_rate,win_rate_prior,win_rate_change',
        `${fx.people.a},Ann Rep,20000.00,0.00,20000.00,1,,`,
        `${fx.people.b},Ben Rep,21000.00,0.00,21000.00,1,,`,
        '',
      ].join('\r\n'),
    );
    const audit = await attain.store.db
      .selectFrom('audit_log')
      .select(['action', 'actor'])
      .where('action', '=', 'metrics_exported')
      .execute();
    expect(audit).toEqual([{ action: 'metrics_exported', actor: expect.stringContaining('ed') }]);
  });

  it('exports the same as XLSX, numbers as numbers, within scope', async () => {
    const response = await ed.request(`/api/kpi/export.xlsx?metrics=won_revenue,win_rate&by=rep&${q3}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await response.arrayBuffer());
    const rows = workbook.worksheets[0]!.getSheetValues()
      .slice(1)
      .map((r) => (r as unknown[]).slice(1));
    expect(rows).toEqual([
      ['group_key', 'group', 'won_revenue', 'win_rate'],
      [fx.people.a, 'Ann Rep', 20000, 1],
      [fx.people.b, 'Ben Rep', 21000, 1],
    ]);
  });

  it('answers a series of quarters in one request, each as its own request would, within scope', async () => {
    // Q1 to Q3 2026 by rep for Mia: East's reps in Q1 (hers then), Cleo in Q3 (West, hers since).
    const { status, body } = await mia.json(
      '/api/kpi/series?metrics=won_revenue,win_rate&by=rep&period=quarter&at=2026-02-01&count=3',
    );
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.periods).toEqual([
      { from: '2026-01-01', to: '2026-04-01', label: 'FY2026 Q1' },
      { from: '2026-04-01', to: '2026-07-01', label: 'FY2026 Q2' },
      { from: '2026-07-01', to: '2026-10-01', label: 'FY2026 Q3' },
    ]);
    const byLabel = Object.fromEntries(
      (body.groups as Group[]).map((g) => [g.label, g.metrics.won_revenue.values]),
    );
    expect(byLabel).toEqual({
      'Ann Rep': ['10000.00', '0.00', '0.00'],
      'Ben Rep': ['11000.00', '0.00', '0.00'],
      'Cleo Rep': ['0.00', '0.00', '22000.00'],
    });
    const cleo = (body.groups as Group[]).find((g) => g.label === 'Cleo Rep')!;
    expect(cleo.metrics.win_rate).toEqual({
      values: [null, null, 1],
      numerators: [0, 0, 1],
      denominators: [0, 0, 1],
    });
    // The same numbers one quarter at a time.
    for (const [i, at] of ['2026-02-01', '2026-05-01', '2026-08-01'].entries()) {
      const single = await kpi(mia, `metrics=won_revenue&by=rep&period=quarter&at=${at}`);
      for (const g of single.groups) expect(byLabel[g.label]![i]).toBe(g.metrics.won_revenue.value);
    }
    const bad = await mia.json('/api/kpi/series?metrics=won_revenue&by=rep&period=week&count=61');
    expect(bad.status).toBe(400);
    expect(bad.body.problems.map((p: { field: string }) => p.field)).toEqual(['query.count']);
  });

  it('answers the series as columns: the same numbers, groups once, within scope', async () => {
    const path = 'metrics=won_revenue,win_rate&by=rep&period=quarter&at=2026-02-01&count=3';
    const series = await mia.json(`/api/kpi/series?${path}`);
    const { status, body } = await mia.json(`/api/kpi/columns?${path}`);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.periods).toEqual(series.body.periods);
    expect(body.labels).toEqual((series.body.groups as Group[]).map((g) => g.label));
    expect(body.keys).toEqual((series.body.groups as Group[]).map((g) => g.key));
    expect(body.labels).toEqual(['Ann Rep', 'Ben Rep', 'Cleo Rep']);
    // values[period][group]
    expect(body.columns.won_revenue.values).toEqual([
      ['10000.00', '11000.00', '0.00'],
      ['0.00', '0.00', '0.00'],
      ['0.00', '0.00', '22000.00'],
    ]);
    expect(body.columns.win_rate.values[2][2]).toBe(1);
    expect(body.columns.win_rate.denominators[2]).toEqual([0, 0, 1]);
    expect(Object.keys(body).sort()).toEqual(
      ['asOf', 'columns', 'currency', 'groupBy', 'issues', 'keys', 'labels', 'metrics', 'periods'].sort(),
    );
    // One period by default.
    const one = await mia.json('/api/kpi/columns?metrics=won_revenue&by=rep&period=quarter&at=2026-02-01');
    expect(one.body.periods).toHaveLength(1);
    expect(one.body.columns.won_revenue.values[0]).toEqual(['10000.00', '11000.00']);
    const bad = await mia.json('/api/kpi/columns?metrics=won_revenue,nope&by=rep&period=week');
    expect(bad.status).toBe(400);
  });

  it('answers one group on request (a drill-down’s records), the same as in the whole answer', async () => {
    const all = await kpi(admin, `metrics=won_revenue&by=rep&${q3}&withRecords=true`);
    const one = await kpi(admin, `metrics=won_revenue&by=rep&${q3}&withRecords=true&group=${fx.people.b}`);
    expect(one.groups).toEqual(all.groups.filter((g) => g.key === fx.people.b));
    expect(one.groups[0]!.metrics.won_revenue.records.ids).toHaveLength(1);
    expect((await kpi(admin, `metrics=won_revenue&by=company&${q3}&group=company`)).groups).toHaveLength(1);
    expect((await kpi(admin, `metrics=won_revenue&by=rep&${q3}&group=999999`)).groups).toEqual([]);
    // Within scope: Ann cannot ask for Ben's group.
    expect((await kpi(ann, `metrics=won_revenue&by=rep&${q3}&group=${fx.people.b}`)).groups).toEqual([]);
  });

  it('leaves out the parts by stage or activity type when breakdowns=false, and keeps the numbers', async () => {
    const full = await kpi(admin, `metrics=pipeline_coverage,lost_deals&by=rep&${q3}`);
    const lean = await kpi(admin, `metrics=pipeline_coverage,lost_deals&by=rep&${q3}&breakdowns=false`);
    expect(full.groups[0]!.metrics.pipeline_coverage.breakdown).toBeDefined();
    for (const [i, group] of lean.groups.entries()) {
      for (const id of ['pipeline_coverage', 'lost_deals']) {
        const { breakdown: _breakdown, ...rest } = full.groups[i]!.metrics[id];
        expect(group.metrics[id]).toEqual(rest);
      }
    }
  });

  it('refuses unknown metrics and malformed queries with 400, naming each', async () => {
    const unknown = await admin.json('/api/kpi?metrics=win_rate,winrate,revenue&by=rep');
    expect(unknown.status).toBe(400);
    expect(unknown.type).toBe('application/problem+json');
    expect(unknown.body.problems).toEqual([
      { field: 'query.metrics', message: 'not metrics: winrate, revenue (GET /api/metrics lists them)' },
    ]);
    const malformed = await admin.json('/api/kpi?metrics=win_rate&by=owner&period=fortnight&at=2026-02-30');
    expect(malformed.status).toBe(400);
    expect(malformed.body.problems.map((p: { field: string }) => p.field).sort()).toEqual([
      'query.at',
      'query.by',
      'query.period',
    ]);
    const csv = await admin.json('/api/kpi/export.csv?metrics=nope');
    expect(csv.status).toBe(400);
    expect(csv.body.problems[0].message).toContain('nope');
    const anonymous = await app.request('/api/kpi?metrics=win_rate');
    expect(anonymous.status).toBe(401);
  });

  it('follows an import at once: dimensions are read again', async () => {
    const before = await kpi(admin, `metrics=won_revenue&by=team&${q3}`);
    expect(values(before.groups, 'won_revenue')).toEqual({ East: '41000.00', West: '22000.00' });
    await attain.store.db
      .updateTable('teams')
      .set({ name: 'East Coast' })
      .where('name', '=', 'East')
      .execute();
    // An import calls invalidate(); the fixture writes straight to the store, so this test does it.
    attain.metrics.invalidate();
    const after = await kpi(admin, `metrics=won_revenue&by=team&${q3}`);
    expect(values(after.groups, 'won_revenue')).toEqual({ 'East Coast': '41000.00', West: '22000.00' });
  });

  it('answers a repeated request again the same, and follows a quota edit at once (the answer cache)', async () => {
    const query = `metrics=quota,quota_attainment&by=rep&${q3}`;
    const first = await kpi(admin, query);
    expect(await kpi(admin, query)).toEqual(first);
    expect(values(first.groups, 'quota')['Ann Rep']).toBe('40000.00');
    const edit = await admin.json(`/api/quotas/${fx.quotas.a.q3}`, {
      method: 'PATCH',
      body: JSON.stringify({ target: '50000.00', reason: 'territory grew' }),
    });
    expect(edit.status, JSON.stringify(edit.body)).toBe(200);
    const after = await kpi(admin, query);
    expect(values(after.groups, 'quota')['Ann Rep']).toBe('50000.00');
    // Ed sees his team through his own scope: another key, the same new number
    expect(values((await kpi(ed, query)).groups, 'quota')['Ann Rep']).toBe('50000.00');
  });
});
