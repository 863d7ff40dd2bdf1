import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromCivilDate } from '../calendar/day-number.ts';
import { calculateFromColumns, type CalculateOptions, type CompRun } from './calculate-compensation.ts';
import { columnsFromInput, CompColumnsBuilder, type CompColumns } from './comp-columns.ts';
import { testPlan } from './comp-test-fixtures.ts';
import { allocateInto } from './crediting.ts';
import { allocateByShares } from './exact-money.ts';
import type { CompInput } from './comp-types.ts';
import { readPlanText } from './parse-plan.ts';
import type { PlanDocument } from './plan-document.ts';

/** What the compute phase gives: totals, line count and issues. */
function computed(plan: PlanDocument, columns: CompColumns, options: CalculateOptions) {
  const run: CompRun = calculateFromColumns(plan, columns, options);
  return {
    payees: run.payeeIds,
    totals: Object.fromEntries(Object.entries(run.totals).map(([k, v]) => [k, Array.from(v)])),
    lineCount: run.lineCount,
    issues: run.issues,
  };
}

/** The one-pass compute phase and the per-payee walk agree, total for total. */
function expectSame(plan: PlanDocument, columns: CompColumns, options: CalculateOptions = {}): void {
  expect(computed(plan, columns, options)).toEqual(computed(plan, columns, { ...options, stream: false }));
}

/**
 * Months a payee is not assigned pay nothing in the compute phase, one pass or not, and the
 * traced statements of the assigned months give the compute phase's earnings, to the unit.
 */
function expectAssignedOnly(
  plan: PlanDocument,
  columns: CompColumns,
  assigned: Record<string, boolean[]>,
): void {
  for (const stream of [true, false]) {
    const run = calculateFromColumns(plan, columns, { stream });
    const R = run.periods.length;
    for (const [payee, months] of Object.entries(assigned)) {
      const x = run.payeeIds.indexOf(payee);
      if (x < 0) continue;
      months.forEach((isAssigned, r) => {
        const earnings = run.totals.earnings[x * R + r]!;
        if (!isAssigned) expect(earnings).toBe(0);
        else expect(Math.round(Number(run.statement(x, r).totals.earnings) * 100)).toBe(earnings + 0);
      });
    }
  }
}

const examples = path.resolve(import.meta.dirname, '..', '..', '..', 'examples', 'plans');

describe('the one-pass compute phase (stream-compute.ts)', () => {
  it('gives the per-payee walk’s totals, line counts and issues on every example', () => {
    let compared = 0;
    for (const file of fs.readdirSync(examples).filter((f) => f.endsWith('.input.json'))) {
      const planFile = path.join(examples, file.replace('.input.json', '.yaml'));
      if (!fs.existsSync(planFile)) continue;
      const { plan } = readPlanText(fs.readFileSync(planFile, 'utf8'), planFile);
      if (!plan) continue;
      const data = JSON.parse(fs.readFileSync(path.join(examples, file), 'utf8')) as CompInput;
      const { columns, problems } = columnsFromInput(plan, data);
      if (problems.length > 0) continue;
      expectSame(plan, columns);
      compared++;
    }
    expect(compared).toBeGreaterThan(10);
  });

  it('gives the per-payee walk’s totals on random data (splits, roll-up, tiers, multipliers, gaps)', () => {
    const methods = ['marginal', 'whole'] as const;
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 1e9 }),
          method: fc.constantFrom(...methods),
          scope: fc.constantFrom('cumulative', 'per_transaction'),
          basis: fc.constantFrom('attainment', 'amount'),
          upper: fc.boolean(),
          two: fc.boolean(),
          flat: fc.boolean(),
        }),
        ({ seed, method, scope, basis, upper, two, flat }) => {
          const tiers = {
            basis,
            ...(basis === 'attainment' || scope === 'cumulative' ? { measure: 'rev' } : {}),
            scope,
            method,
            bounds: upper ? 'upper_inclusive' : 'lower_inclusive',
            bands:
              basis === 'attainment'
                ? [{ to: '50%', rate: '2%' }, { to: '100%', rate: '5%' }, { rate: '12.5%' }]
                : [{ to: '1000', rate: '2%' }, { to: '5000', rate: '5%' }, { rate: '12.5%' }],
          };
          const commission = {
            id: 'c',
            kind: 'commission',
            credit: 'revenue',
            ...(flat ? { rate: '3%' } : { tiers }),
            multipliers: [
              { label: 'accelerator', when: 'deal.margin_pct >= 40.0', factor: 2 },
              { label: 'decelerator', when: 'deal.margin_pct < 15.0', factor: 0.5 },
            ],
          };
          const plan = testPlan({
            credit: {
              rules: ['owner', 'splits', 'rollup'],
              rollup_levels: 2,
              types: [{ id: 'revenue', amount: 'amount' }],
            },
            measures: [{ id: 'rev', credit: 'revenue', window: 'period', quota: 'revenue' }],
            components: two
              ? [
                  commission,
                  {
                    id: 'flat',
                    kind: 'commission',
                    credit: 'revenue',
                    rate: '1%',
                    when: "deal.type == 'new'",
                  },
                ]
              : [commission],
          });
          let state = seed;
          const rand = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
          const periods = ['2026-01', '2026-02', '2026-03'];
          const b = new CompColumnsBuilder({ currency: 'USD', periods, capacity: 200 });
          const id = (k: number) => `P${k}`;
          for (let k = 0; k < 12; k++) b.payee(id(k), `Person ${k}`);
          const start = fromCivilDate(2026, 1, 1);
          for (let k = 1; k < 3; k++) b.addReporting(id(k), id(0), start - 10);
          for (let k = 3; k < 12; k++) b.addReporting(id(k), id(1 + (k % 2)), start - 10);
          // payee 11 has no quota (attainment is not computed); quotas vary by period
          for (let k = 0; k < 11; k++)
            for (const p of periods)
              b.addQuota(id(k), p, 'revenue', 10_000 + Math.floor(rand() * 40_000) * (k < 3 ? 5 : 1));
          for (let i = 0; i < 150; i++) {
            const amount = Math.floor(rand() * 8_000) - (rand() < 0.05 ? 9_000 : 0);
            const pct = Math.floor(rand() * 60);
            b.addTransaction({
              id: `D${String(i).padStart(4, '0')}`,
              day: start + Math.floor((i * 88) / 150),
              owner: id(3 + Math.floor(rand() * 9)),
              amountMinor: amount,
              marginMinor: Math.round((amount * pct) / 100),
              marginPct: pct,
              type: rand() < 0.5 ? 'new' : 'renewal',
            });
            if (rand() < 0.3) {
              b.addSplit(id(3 + Math.floor(rand() * 9)), 333_333);
              b.addSplit(id(3 + Math.floor(rand() * 9)), rand() < 0.1 ? 600_000 : 666_667);
            }
          }
          // P4 joins the plan mid-February, P5 leaves it at the end of January, P6 is on it all along
          b.addAssignment(id(4), start + 45);
          b.addAssignment(id(5), start - 30, start + 31);
          b.addAssignment(id(6), start - 30);
          const columns = b.build();
          expectSame(plan, columns);
          expectAssignedOnly(plan, columns, { P4: [false, true, true], P5: [true, false, false] });
          expectSame(plan, columns, { periods: ['2026-02', '2026-03'] });
          expectSame(plan, columns, { payees: ['P1', 'P4', 'P11'] });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('splits two ways as allocateByShares does (the two-way fast path of allocateInto)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (amount, share) => {
          const shares = Int32Array.from([share, 1_000_000 - share]);
          const out = new Float64Array(2);
          allocateInto(amount, shares, 0, 2, out, 0);
          expect(Array.from(out)).toEqual(allocateByShares(amount, Array.from(shares)));
        },
      ),
    );
  });
});
