/**
 * Contract: a statement written to the store (header + comp_statement_lines) and opened again is
 * the engine's `run.statement(p, k)`, byte for byte, on every kind of database — for plans that
 * use every tier method, rate tables, multipliers, thresholds, gates, caps, windows with true-ups,
 * bonuses, SPIFFs, splits, overlays, roll-ups, draws, clawbacks, holds, adjustments and
 * prior-period corrections.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calculateFromColumns, type CompRun } from '../../domain/comp/calculate-compensation.ts';
import { columnsFromInput } from '../../domain/comp/comp-columns.ts';
import type { CompInput, Statement, TransactionInput } from '../../domain/comp/comp-types.ts';
import { validatePlanShape, type PlanDocument } from '../../domain/comp/plan-document.ts';
import { insertPlanVersion } from '../../store/comp/comp-plan-store.ts';
import {
  insertRun,
  loadLockedFigures,
  updateRun,
  writeRunStatements,
  type StatementSource,
} from '../../store/comp/comp-run-store.ts';
import { createTestStore, testDatabaseKinds, type TestStore } from '../../store/testing/test-store.ts';
import { StatementBook } from './statement-book.ts';

const bands = [
  { to: '50%', rate: '2%' },
  { to: '100%', rate: '5%' },
  { to: '150%', rate: '8%' },
  { rate: '12%' },
];

const creditAll = {
  rules: ['owner', 'splits', 'overlays', 'rollup'],
  rollup_levels: 2,
  types: [
    { id: 'revenue', amount: 'amount' },
    { id: 'margin', amount: 'margin' },
  ],
};

/** Plans that between them reach every kind of line and every field of a trace. */
const planSources: Record<string, unknown>[] = [
  {
    id: 'tiers-credit',
    name: 'Marginal tiers, multipliers, SPIFF, bonuses, draw, clawback',
    period: 'month',
    effective_from: '2026-01-01',
    credit: creditAll,
    measures: [{ id: 'rev', credit: 'revenue', window: 'period', quota: 'revenue' }],
    components: [
      {
        id: 'commission',
        kind: 'commission',
        credit: 'revenue',
        tiers: { basis: 'attainment', measure: 'rev', method: 'marginal', bands },
        multipliers: [
          { label: 'margin accelerator', when: 'deal.margin_pct >= 40.0', factor: 1.5 },
          { label: 'low margin', when: 'deal.margin_pct < 15.0', factor: 0.5 },
          { label: 'over plan', attainment_above: '100%', factor: '1.1' },
          { label: 'odd factor', when: "deal.product_family == 'ODD'", factor: '1.000007' },
        ],
      },
      {
        id: 'gtx-spiff',
        kind: 'spiff',
        credit: 'revenue',
        from: '2026-02-01',
        to: '2026-02-28',
        when: "deal.product_family == 'GTX'",
        amount_per_deal: '250',
      },
      {
        id: 'rate-spiff',
        kind: 'spiff',
        credit: 'revenue',
        from: '2026-03-01',
        to: '2026-03-31',
        rate: '1%',
      },
      { id: 'mbo', kind: 'bonus', amount: '1000', basis: 'score', max_payout: '120%' },
      { id: 'team', kind: 'bonus', amount: '500', basis: 'attainment', measure: 'rev', max_payout: '150%' },
    ],
    draw: { kind: 'recoverable', amount: '800' },
    clawback: { window_days: 120, method: 'prorated' },
  },
  {
    id: 'windows-caps',
    name: 'Quarter-to-date whole tiers, threshold, gate, caps, rate table, hold',
    period: 'month',
    effective_from: '2026-01-01',
    credit: { rules: ['owner', 'splits', 'rollup'], rollup_levels: 1, types: creditAll.types },
    measures: [
      { id: 'qtd', credit: 'revenue', window: 'quarter_to_date', quota: 'revenue' },
      { id: 'gm', credit: 'margin', window: 'period', quota: 'margin' },
    ],
    components: [
      {
        id: 'qtd-commission',
        kind: 'commission',
        credit: 'revenue',
        tiers: { basis: 'attainment', measure: 'qtd', method: 'whole', bands },
        threshold: { measure: 'qtd', min_attainment: '50%' },
        cap: { per_deal: '900', per_period: '2500', per_year: '6000' },
      },
      {
        id: 'family',
        kind: 'commission',
        credit: 'margin',
        rate_table: { key: 'deal.product_family', rates: { GTX: '10%', MG: '6%' }, default: '3%' },
        gate: { measure: 'gm', min_attainment: '100%', cap: '150' },
      },
    ],
    hold: { until: 'collected' },
  },
  {
    id: 'amount-tiers',
    name: 'Retroactive, interpolated and amount tiers, flat rate, non-recoverable draw',
    period: 'month',
    effective_from: '2026-01-01',
    credit: { rules: ['owner', 'splits', 'overlays'], types: [{ id: 'revenue', amount: 'amount' }] },
    measures: [{ id: 'rev', credit: 'revenue', window: 'period', quota: 'revenue' }],
    components: [
      {
        id: 'retro',
        kind: 'commission',
        credit: 'revenue',
        tiers: { basis: 'attainment', measure: 'rev', method: 'retroactive', bands },
      },
      {
        id: 'table',
        kind: 'commission',
        credit: 'revenue',
        tiers: {
          basis: 'attainment',
          measure: 'rev',
          method: 'interpolated',
          bands: [
            { at: '0%', pay: '0' },
            { at: '100%', pay: '400' },
            { at: '200%', pay: '1200' },
          ],
        },
      },
      {
        id: 'running',
        kind: 'commission',
        credit: 'revenue',
        tiers: { basis: 'amount', method: 'marginal', bands: [{ to: '5000', rate: '1%' }, { rate: '2%' }] },
      },
      { id: 'flat', kind: 'commission', credit: 'revenue', rate: '0.5%', when: "deal.type == 'renewal'" },
    ],
    draw: { kind: 'non_recoverable', amount: '300' },
  },
];

const people = ['alice', 'bob', 'carol', 'maria', 'dan', 'sam'];

function baseInput(transactions: TransactionInput[]): CompInput {
  const periods = ['2026-01', '2026-02', '2026-03'];
  return {
    periods,
    payees: people.map((id) => ({ id, name: `${id[0]!.toUpperCase()}${id.slice(1)} Example` })),
    reporting: [
      { payee: 'alice', manager: 'maria', from: '2025-01-01' },
      { payee: 'bob', manager: 'maria', from: '2025-01-01' },
      { payee: 'carol', manager: 'maria', from: '2026-02-15' },
      { payee: 'maria', manager: 'dan', from: '2025-01-01' },
    ],
    transactions,
    quotas: people.flatMap((payee) =>
      periods.flatMap((period) => [
        { payee, period, measure: 'revenue', amount: payee === 'dan' ? '60000' : '12000' },
        { payee, period, measure: 'margin', amount: '3000' },
      ]),
    ),
    scores: [
      { payee: 'alice', period: '2026-02', component: 'mbo', score: '80%' },
      { payee: 'bob', period: '2026-03', component: 'mbo', score: '150%' },
    ],
    adjustments: [
      {
        payee: 'bob',
        period: '2026-02',
        amount: '-125.50',
        reason: 'Duplicate deal\tcorrected',
        approver: 'cfo',
      },
      { payee: 'alice', period: '2026-03', amount: '75', reason: 'SPIFF "late" entry', approver: 'vp' },
    ],
    locked: [
      {
        payee: 'alice',
        period: '2026-01',
        earnings: '10',
        lines: { 'commission:D01': '10.00', 'retro:D01': '10.00', 'qtd-commission:D01': '10.00' },
      },
    ],
  };
}

const fixedDeals: TransactionInput[] = [
  { id: 'D01', date: '2026-01-05', owner: 'alice', amount: '4000', margin_pct: 45, product_family: 'GTX' },
  { id: 'D02', date: '2026-01-20', owner: 'bob', amount: '9000.55', margin_pct: 10, product_family: 'MG' },
  {
    id: 'D03',
    date: '2026-02-03',
    owner: 'alice',
    amount: '7000',
    margin_pct: 30,
    product_family: 'GTX',
    name: 'Acme\\North "big"',
    splits: [
      { payee: 'alice', share: '60%' },
      { payee: 'bob', share: '40%' },
    ],
    overlays: [{ payee: 'sam', share: '25%' }],
    collections: [{ date: '2026-03-10', amount: '7000' }],
  },
  {
    id: 'D04',
    date: '2026-02-10',
    owner: 'carol',
    amount: '15000',
    margin_pct: 50,
    product_family: 'ODD',
    cancelled_on: '2026-03-12',
    collections: [{ date: '2026-02-20', amount: '5000' }],
  },
  { id: 'D05', date: '2026-02-18', owner: 'alice', amount: '12000', margin_pct: 20, type: 'renewal' },
  {
    id: 'D06',
    date: '2026-03-02',
    owner: 'bob',
    amount: '3000',
    margin_pct: 12,
    product_family: 'GTX',
    collections: [
      { date: '2026-03-05', amount: '1000' },
      { date: '2026-03-25', amount: '2000' },
    ],
  },
  {
    id: 'D07',
    date: '2026-03-15',
    owner: 'alice',
    amount: '22000',
    margin_pct: 41,
    product_family: 'MG',
    splits: [
      { payee: 'alice', share: '50%' },
      { payee: 'carol', share: '50%' },
    ],
  },
  { id: 'D08', date: '2026-03-28', owner: 'carol', amount: '1.05', margin_pct: 70, type: 'renewal' },
];

function planOf(source: Record<string, unknown>): PlanDocument {
  const { plan, problems } = validatePlanShape(source);
  if (!plan) throw new Error(JSON.stringify(problems));
  return plan;
}

function compute(plan: PlanDocument, input: CompInput): CompRun {
  const { columns, problems } = columnsFromInput(plan, input);
  expect(problems).toEqual([]);
  return calculateFromColumns(plan, columns, { periods: input.periods! });
}

/** Every statement of a run (payee × period), written as a comp run writes them. */
async function storeRun(store: TestStore, plan: PlanDocument, run: CompRun): Promise<number> {
  const runId = await insertRun(store.db, {
    period: run.periods[run.periods.length - 1]!,
    payees: null,
    createdBy: 'test',
    createdByUserId: null,
    startedAt: '2026-04-01T00:00:00.000Z',
  });
  const R = run.periods.length;
  const source: StatementSource = {
    componentIds: plan.components.map((c) => c.id),
    count: run.payeeIds.length * R,
    statement(i) {
      const p = Math.floor(i / R);
      const k = i % R;
      return {
        record: run.statementRecord(p, k),
        personId: null,
        planId: plan.id,
        planVersion: plan.version,
        earningsMinor: run.totals.earnings[i]!,
        payableMinor: run.totals.payable[i]!,
      };
    },
  };
  await writeRunStatements(store, runId, [source], async (tx) => {
    await updateRun(tx, runId, { status: 'succeeded', finishedAt: '2026-04-01T00:00:01.000Z' });
  });
  return runId;
}

function expectedStatements(run: CompRun): Statement[] {
  const out: Statement[] = [];
  for (let p = 0; p < run.payeeIds.length; p++)
    for (let k = 0; k < run.periods.length; k++) out.push(run.statement(p, k));
  return out.sort((a, b) => (a.payee < b.payee ? -1 : a.payee > b.payee ? 1 : a.period < b.period ? -1 : 1));
}

describe.each(testDatabaseKinds())('stored statements on %s', (kind) => {
  let store: TestStore;
  let book: StatementBook;
  const plans = planSources.map(planOf);

  beforeAll(async () => {
    store = await createTestStore(kind);
    book = new StatementBook(store);
    for (const [i, plan] of plans.entries())
      await insertPlanVersion(store.db, {
        planId: plan.id,
        name: plan.name,
        period: plan.period,
        currency: plan.currency,
        effectiveFrom: plan.effective_from,
        effectiveTo: null,
        source: JSON.stringify(planSources[i], null, 2),
        document: plan,
        fingerprint: `test-${i}`,
        testResults: [],
        testsPassed: 0,
        testsFailed: 0,
        createdBy: 'test',
        createdByUserId: null,
        createdAt: '2026-01-01T00:00:00.000Z',
      });
  }, 60_000);
  afterAll(async () => {
    await store?.dispose();
  });

  it.each(planSources.map((p, i) => [p.id as string, i] as const))(
    '%s: every statement opened from the store is the engine’s, byte for byte',
    async (_id, i) => {
      const plan = plans[i]!;
      const run = compute(plan, baseInput(fixedDeals));
      const expected = expectedStatements(run);
      const runId = await storeRun(store, plan, run);
      const stored = await book.ofRun(runId);
      expect(stored).toEqual(expected);
      expect(JSON.stringify(stored)).toBe(JSON.stringify(expected));
    },
  );

  it('the fixtures reach every line kind and every part of a trace', async () => {
    const kinds = new Set<string>();
    const parts = new Set<string>();
    for (const plan of plans)
      for (const s of expectedStatements(compute(plan, baseInput(fixedDeals))))
        for (const line of s.lines) {
          kinds.add(line.kind);
          for (const key of Object.keys(line.trace)) parts.add(key);
          for (const c of line.trace.credits ?? []) parts.add(`credit:${c.rule}`);
          if (line.trace.capped) for (const cap of line.trace.capped.cap.split('+')) parts.add(`cap:${cap}`);
          if (line.trace.method) parts.add(`method:${line.trace.method}`);
          if ((line.trace.portions ?? []).some((p) => p.rate.length > 8)) parts.add('exact-rate');
          if ((line.trace.portions ?? []).length > 1) parts.add('portions:many');
        }
    expect([...kinds].sort()).toEqual(
      [
        'adjustment',
        'bonus',
        'clawback',
        'commission',
        'draw',
        'draw_recovery',
        'hold',
        'prior_period_adjustment',
        'release',
        'retro_adjustment',
        'spiff',
      ].sort(),
    );
    for (const part of [
      'credits',
      'multipliers',
      'portions',
      'attainmentBefore',
      'attainmentAfter',
      'capped',
      'details',
      'rate',
      'credit:owner',
      'credit:split',
      'credit:overlay',
      'credit:rollup',
      'cap:threshold',
      'cap:gate',
      'cap:per_deal',
      'method:marginal',
      'method:whole',
      'method:retroactive',
      'method:interpolated',
      'method:rate_table',
      'method:flat',
      'portions:many',
      'exact-rate',
    ])
      expect([...parts], part).toContain(part);
  });

  it('random deals: the stored statements are the engine’s (property)', async () => {
    const deal = fc.record({
      day: fc.integer({ min: 1, max: 89 }),
      owner: fc.constantFrom('alice', 'bob', 'carol'),
      cents: fc.integer({ min: 1, max: 3_000_000 }),
      margin: fc.integer({ min: 0, max: 80 }),
      family: fc.constantFrom('GTX', 'MG', 'ODD', 'X'),
      split: fc.option(fc.constantFrom('alice', 'bob', 'carol'), { nil: undefined }),
      cancelledAfter: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(deal, { minLength: 1, maxLength: 25 }),
        fc.nat(2),
        async (deals, planIndex) => {
          const transactions: TransactionInput[] = deals.map((d, k) => {
            const date = new Date(Date.UTC(2026, 0, d.day)).toISOString().slice(0, 10);
            const cancelled = d.cancelledAfter
              ? new Date(Date.UTC(2026, 0, d.day + d.cancelledAfter)).toISOString().slice(0, 10)
              : undefined;
            return {
              id: `R${String(k).padStart(3, '0')}`,
              date,
              owner: d.owner,
              amount: (d.cents / 100).toFixed(2),
              margin_pct: d.margin,
              product_family: d.family,
              ...(cancelled && cancelled < '2026-04-01' ? { cancelled_on: cancelled } : {}),
              ...(d.split && d.split !== d.owner
                ? {
                    splits: [
                      { payee: d.owner, share: '70%' },
                      { payee: d.split, share: '30%' },
                    ],
                  }
                : {}),
            };
          });
          transactions.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
          const plan = plans[planIndex]!;
          const run = compute(plan, baseInput(transactions));
          const runId = await storeRun(store, plan, run);
          expect(JSON.stringify(await book.ofRun(runId))).toBe(JSON.stringify(expectedStatements(run)));
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);

  it('closed periods read their line amounts from the stored lines', async () => {
    const plan = plans[0]!;
    const run = compute(plan, baseInput(fixedDeals));
    const runId = await storeRun(store, plan, run);
    await store.db
      .insertInto('comp_closed_periods')
      .values({ period: '2026-02', run_id: runId, closed_at: '2026-03-01T00:00:00.000Z', closed_by: 'test' })
      .execute();
    const figures = await loadLockedFigures(store.db, ['2026-02']);
    const statements = expectedStatements(run).filter((s) => s.period === '2026-02');
    expect(
      figures
        .map((f) => ({ payee: f.payee, earnings: f.earnings, lines: f.lines }))
        .sort((a, b) => (a.payee < b.payee ? -1 : 1)),
    ).toEqual(
      statements.map((s) => ({
        payee: s.payee,
        earnings: s.totals.earnings,
        lines: Object.fromEntries(s.lines.map((l) => [l.id, l.amount])),
      })),
    );
  });
});
