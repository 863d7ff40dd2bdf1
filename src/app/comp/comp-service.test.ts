// The compensation service on the access fixture (src/app/testing/access-fixture.ts): the run's
// columnar load path gives the same statements as the engine's object API on the same input,
// and the demo's plans seed, pass their own tests and run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everything } from '../../domain/access/scope.ts';
import { calculateCompensation } from '../../domain/comp/calculate-compensation.ts';
import { upsertOpportunitySplits } from '../../store/comp/crediting-store.ts';
import { testDatabaseKinds } from '../../store/testing/test-store.ts';
import { systemActor } from '../audit/audit-log.ts';
import type { Attain } from '../create-attain.ts';
import { createAccessFixture, type AccessFixture } from '../testing/access-fixture.ts';
import { createTestAttain } from '../testing/test-attain.ts';
import { compPeriodOf } from './comp-period.ts';
import { loadRunInput } from './run-input.ts';
import { seedCompDemo } from './seed-comp-demo.ts';

const plan = [
  'id: tiers',
  'name: Tiers with a margin accelerator',
  'period: month',
  'effective_from: 2026-01-01',
  'credit:',
  '  rules: [owner, splits, rollup]',
  '  rollup_levels: 1',
  '  types: [{ id: revenue, amount: amount }]',
  'measures:',
  '  - { id: revenue_qtd, credit: revenue, window: quarter_to_date, quota: revenue }',
  'components:',
  '  - id: commission',
  '    kind: commission',
  '    credit: revenue',
  '    tiers:',
  '      basis: attainment',
  '      measure: revenue_qtd',
  '      method: marginal',
  '      bands: [{ to: 25%, rate: 5% }, { rate: 10% }]',
  '    multipliers: [{ label: margin accelerator, when: "deal.margin_pct >= 60", factor: 2 }]',
  '',
].join('\n');

describe.each(testDatabaseKinds())('compensation service on %s', (kind) => {
  let attain: Attain & { dispose(): Promise<void> };
  let fx: AccessFixture;
  const actor = systemActor('test');

  beforeAll(async () => {
    attain = await createTestAttain(kind);
    fx = await createAccessFixture(attain.store);
  });
  afterAll(async () => {
    await attain?.dispose();
  });

  it('stores what the engine computes on the same input, splits, margins and roll-up included', async () => {
    // Ann's August deal is split with Ben and has a 65% margin; Cleo's has 40%.
    await attain.store.db
      .updateTable('opportunities')
      .set({ gross_margin_bps: 6500 })
      .where('id', '=', fx.deals.a.q3)
      .execute();
    await attain.store.db
      .updateTable('opportunities')
      .set({ gross_margin_bps: 4000 })
      .where('id', '=', fx.deals.c.q3)
      .execute();
    await upsertOpportunitySplits(attain.store.db, [
      { opportunityId: fx.deals.a.q3, personId: fx.people.a, kind: 'split', sharePpm: 600_000 },
      { opportunityId: fx.deals.a.q3, personId: fx.people.b, kind: 'split', sharePpm: 400_000 },
    ]);
    const saved = await attain.comp.savePlan('tiers', plan, actor);
    expect(saved.status).toBe('active');
    for (const position of [fx.positions.a, fx.positions.b, fx.positions.c, fx.positions.east])
      await attain.comp.assignPlan('tiers', { position, from: '2026-01-01' }, actor);
    const run = await attain.comp.runNow({ period: '2026-08' }, actor);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');

    const period = compPeriodOf('2026-08', 1);
    const input = await loadRunInput(attain.store, period, 1);
    const planInput = input.plans[0]!;
    expect(planInput.input.transactions.map((t) => t.id)).toEqual([
      'a-q1',
      'b-q1',
      'c-q1',
      'a-q3',
      'b-q3',
      'c-q3',
    ]);
    const expected = calculateCompensation(planInput.plan, planInput.input, {
      periods: planInput.input.periods!,
      payees: planInput.payees.map((p) => p.key),
    }).statements.filter((s) => s.period === '2026-08');
    const stored = await attain.comp.listStatements(everything, { period: '2026-08', limit: 100 });
    expect(stored.map((s) => s.payee)).toEqual(['east', 'rep-a', 'rep-b', 'rep-c']);
    for (const s of stored) {
      const { statement } = await attain.comp.statementDetail(everything, s.payee, '2026-08');
      expect(statement).toEqual(expected.find((e) => e.payee === s.payee));
    }
    // Ann: 60% of 20,000 = 12,000 against a 40,000 quarterly quota: 10,000 at 5% and 2,000 at 10%,
    // doubled for the 65% margin = 1,400.
    const ann = await attain.comp.statementDetail(everything, 'rep-a', '2026-08');
    expect(ann.statement.totals.earnings).toBe('1400.00');
    // Ed manages East since April: Ann's and Ben's August credit rolls up to him.
    const ed = await attain.comp.statementDetail(everything, 'east', '2026-08');
    expect(ed.statement.lines.length).toBeGreaterThan(0);
    expect(ed.statement.lines.every((l) => l.trace.credits?.every((c) => c.rule === 'rollup'))).toBe(true);
  });

  it('gives the same input fingerprint to the same data, and another after a change', async () => {
    const first = await attain.comp.runNow({ period: '2026-09' }, actor);
    const second = await attain.comp.runNow({ period: '2026-09' }, actor);
    expect(second.inputFingerprint).toBe(first.inputFingerprint);
    await attain.store.db
      .updateTable('opportunities')
      .set({ amount_minor: 2_000_100 })
      .where('id', '=', fx.deals.a.q3)
      .execute();
    const third = await attain.comp.runNow({ period: '2026-09' }, actor);
    expect(third.inputFingerprint).not.toBe(first.inputFingerprint);
  });

  it('does not correct a closed period another plan paid when a payee moves to a new plan', async () => {
    // Ann is paid by "tiers" through February (closed), then by "flat" from March. March's run
    // computes the year to date under "flat", but February was "tiers"' to pay and stays as it
    // paid it: no prior-period adjustment for it. Ben stays on "tiers": his closed February is
    // still held to what it paid, and a change to his February deal is corrected in March.
    const flat = plan
      .replace('id: tiers', 'id: flat')
      .replace('name: Tiers with a margin accelerator', 'name: Flat 10%')
      .replace('bands: [{ to: 25%, rate: 5% }, { rate: 10% }]', 'bands: [{ rate: 10% }]');
    expect((await attain.comp.savePlan('flat', flat, actor)).status).toBe('active');
    expect((await attain.comp.runNow({ period: '2026-02' }, actor)).status).toBe('succeeded');
    await attain.comp.closePeriod('2026-02', actor);
    await attain.comp.assignPlan('flat', { position: fx.positions.a, from: '2026-03-01' }, actor);
    await attain.store.db
      .updateTable('opportunities')
      .set({ amount_minor: 1_500_000 })
      .where('id', '=', fx.deals.b.q1)
      .execute();
    const run = await attain.comp.runNow({ period: '2026-03' }, actor);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const corrections = (detail: { statement: { lines: { kind: string }[] } }) =>
      detail.statement.lines.filter((l) => l.kind === 'prior_period_adjustment');
    const ann = await attain.comp.statementDetail(everything, 'rep-a', '2026-03');
    expect(ann.planId).toBe('flat');
    expect(corrections(ann)).toEqual([]);
    const ben = await attain.comp.statementDetail(everything, 'rep-b', '2026-03');
    expect(ben.planId).toBe('tiers');
    expect(corrections(ben)).toHaveLength(1);
  });

  it('a payee assigned to a plan twice in the year is on it since the first assignment (a new target from July)', async () => {
    // Cleo is on "tiers" from January; a second assignment from July sets a new target. The run of
    // August passes both, so January–June are months on the plan (paid, counted by a year cap),
    // not context. Ann moved from "tiers" to "flat" in March: for "flat", January and February are
    // context (she was paid by "tiers" then).
    await attain.comp.assignPlan(
      'tiers',
      { position: fx.positions.c, from: '2026-07-01', targetIncentive: '60000' },
      actor,
    );
    const input = await loadRunInput(attain.store, compPeriodOf('2026-08', 1), 1);
    const monthsOnPlan = (planId: string, payee: string) => {
      const planInput = input.plans.find((p) => p.plan.id === planId)!;
      return calculateCompensation(planInput.plan, planInput.input, {
        periods: planInput.input.periods!,
        payees: [payee],
      }).statements.map((s) => s.period);
    };
    const months = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, k) => `2026-${String(from + k).padStart(2, '0')}`);
    expect(monthsOnPlan('tiers', 'rep-c')).toEqual(months(1, 8));
    expect(
      input.plans.find((p) => p.plan.id === 'tiers')!.input.assignments!.filter((a) => a.payee === 'rep-c'),
    ).toEqual([
      { payee: 'rep-c', from: '2026-01-01', to: '2026-07-01' },
      { payee: 'rep-c', from: '2026-07-01', to: null, target_incentive: '60000.00' },
    ]);
    expect(monthsOnPlan('flat', 'rep-a')).toEqual(months(3, 8));
  });

  it('seeds the demo plans, which pass their own tests, and runs the last complete month', async () => {
    const seeded = await seedCompDemo(attain.comp, {
      asOf: '2026-09-05',
      historyStartsOn: '2025-09-01',
      runMonth: true,
    });
    expect(seeded.plans).toEqual(['demo-account-executive v1', 'demo-sales-manager v1']);
    const plans = await attain.comp.listPlans();
    expect(plans.filter((p) => p.id.startsWith('demo-')).map((p) => [p.id, p.status, p.tests])).toEqual([
      ['demo-account-executive', 'active', { passed: 1, failed: 0 }],
      ['demo-sales-manager', 'active', { passed: 1, failed: 0 }],
    ]);
    expect(seeded.run).toMatchObject({ period: '2026-08', status: 'succeeded' });
    // Seeding again changes nothing.
    expect(
      (await seedCompDemo(attain.comp, { asOf: '2026-09-05', historyStartsOn: '2025-09-01', runMonth: true }))
        .plans,
    ).toEqual([]);
  });
});

describe.each(testDatabaseKinds())('balances owed across the fiscal year on %s', (kind) => {
  let attain: Attain & { dispose(): Promise<void> };
  let fx: AccessFixture;
  const actor = systemActor('test');
  // A $500 recoverable draw in December 2025 only; 10% on revenue. Ann earns nothing in December
  // (her first deal is on 2026-02-10, $10,000), so December advances $500 that the new fiscal year
  // must still recover.
  const drawPlan = [
    'id: draw',
    'name: Draw over the year end',
    'period: month',
    'effective_from: 2025-12-01',
    'credit:',
    '  rules: [owner]',
    '  types: [{ id: revenue, amount: amount }]',
    'measures:',
    '  - { id: revenue, credit: revenue, window: period }',
    'components:',
    '  - { id: commission, kind: commission, credit: revenue, rate: 10% }',
    'draw: { kind: recoverable, amount: 500, until: 2025-12-31 }',
    '',
  ].join('\n');

  beforeAll(async () => {
    attain = await createTestAttain(kind);
    fx = await createAccessFixture(attain.store);
    expect((await attain.comp.savePlan('draw', drawPlan, actor)).status).toBe('active');
    await attain.comp.assignPlan('draw', { position: fx.positions.a, from: '2025-12-01' }, actor);
  });
  afterAll(async () => {
    await attain?.dispose();
  });

  it('opens January with what December left owed, and recovers it when there is pay', async () => {
    const december = await attain.comp.runNow({ period: '2025-12' }, actor);
    expect(december.status, JSON.stringify(december.error)).toBe('succeeded');
    const dec = await attain.comp.statementDetail(everything, 'rep-a', '2025-12');
    expect(dec.statement.totals).toMatchObject({
      draw: '500.00',
      balanceCarried: '500.00',
      drawOwed: '500.00',
    });

    // December not closed yet: January carries its latest run's balance and says so.
    const provisional = await attain.comp.runNow({ period: '2026-01' }, actor);
    expect(provisional.issues.map((i) => i.code)).toContain('opening_not_closed');
    await attain.comp.closePeriod('2025-12', actor);

    const january = await attain.comp.runNow({ period: '2026-01' }, actor);
    expect(january.issues.map((i) => i.code)).not.toContain('opening_not_closed');
    const jan = await attain.comp.statementDetail(everything, 'rep-a', '2026-01');
    expect(jan.statement.totals).toMatchObject({
      earnings: '0.00',
      draw: '0.00',
      payable: '0.00',
      balanceCarried: '500.00',
      drawOwed: '500.00',
    });

    const february = await attain.comp.runNow({ period: '2026-02' }, actor);
    expect(february.status, JSON.stringify(february.error)).toBe('succeeded');
    const feb = await attain.comp.statementDetail(everything, 'rep-a', '2026-02');
    expect(feb.statement.totals).toMatchObject({
      earnings: '1000.00',
      drawRecovered: '500.00',
      payable: '500.00',
      balanceCarried: '0.00',
    });
    expect(feb.statement.totals.drawOwed).toBeUndefined();
    const recovery = feb.statement.lines.find((l) => l.kind === 'draw_recovery');
    expect(recovery?.amount).toBe('-500.00');
  });
});
