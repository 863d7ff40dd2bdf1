import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calculateCompensation } from './calculate-compensation.ts';
import { allocateInto } from './crediting.ts';
import type { CompInput } from './comp-types.ts';
import { statementOf, testPlan } from './comp-test-fixtures.ts';
import { decimalToMinor } from './exact-money.ts';

const minor = (text: string) => decimalToMinor(text, 2);

describe('engine properties', () => {
  it('the parts of a 100% split add up to the amount exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 8 }),
        (amount, weights) => {
          const total = weights.reduce((a, b) => a + b, 0);
          const shares = weights.map((w) => Math.floor((w * 1_000_000) / total));
          shares[0]! += 1_000_000 - shares.reduce((a, b) => a + b, 0);
          const out = new Float64Array(shares.length);
          allocateInto(amount, Int32Array.from(shares), 0, shares.length, out, 0);
          expect(out.reduce((a, b) => a + b, 0)).toBe(amount);
        },
      ),
    );
  });

  it('each line is within half a minor unit of the exact amount (marginal tiers with multipliers)', () => {
    const plan = testPlan({
      measures: [{ id: 'rev', credit: 'revenue', quota: 'revenue' }],
      components: [
        {
          id: 'c',
          kind: 'commission',
          credit: 'revenue',
          tiers: {
            basis: 'attainment',
            measure: 'rev',
            method: 'marginal',
            bands: [{ to: '100%', rate: '6.25%' }, { to: '150%', rate: '8.125%' }, { rate: '12%' }],
          },
          multipliers: [{ label: 'acc', when: 'deal.margin_pct >= 40', factor: 1.5 }],
        },
      ],
    });
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            cents: fc.integer({ min: 1, max: 10_000_000 }),
            margin: fc.integer({ min: 0, max: 80 }),
          }),
          {
            minLength: 1,
            maxLength: 12,
          },
        ),
        fc.integer({ min: 100, max: 50_000_000 }),
        (deals, quotaCents) => {
          const input: CompInput = {
            transactions: deals.map((d, k) => ({
              id: `T${String(k).padStart(2, '0')}`,
              date: '2026-03-10',
              owner: 'alice',
              amount: (d.cents / 100).toFixed(2),
              margin_pct: d.margin,
            })),
            quotas: [
              {
                payee: 'alice',
                period: '2026-03',
                measure: 'revenue',
                amount: (quotaCents / 100).toFixed(2),
              },
            ],
          };
          const s = statementOf(calculateCompensation(plan, input).statements, 'alice', '2026-03');
          for (const line of s.lines) {
            // exact: Σ portion × rate × factor, in cents × 10^12
            let exact = 0n;
            for (const p of line.trace.portions ?? []) {
              const rate = BigInt(Math.round(Number(p.rate) * 1e6));
              exact += BigInt(minor(p.amount)) * rate;
            }
            const paid = BigInt(minor(line.amount)) * 1_000_000n;
            const error = paid > exact ? paid - exact : exact - paid;
            expect(error <= 500_000n).toBe(true);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('payout never falls as attainment rises (no decelerators)', () => {
    const plan = testPlan({
      measures: [{ id: 'rev', credit: 'revenue', quota: 'revenue' }],
      components: [
        {
          id: 'c',
          kind: 'commission',
          credit: 'revenue',
          tiers: {
            basis: 'attainment',
            measure: 'rev',
            method: 'marginal',
            bands: [{ to: '50%', rate: '2%' }, { to: '100%', rate: '5%' }, { rate: '9%' }],
          },
        },
      ],
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000_000 }),
        fc.integer({ min: 1, max: 5_000_000 }),
        (a, extra) => {
          const pay = (cents: number) =>
            minor(
              statementOf(
                calculateCompensation(plan, {
                  transactions: [
                    { id: 'T', date: '2026-03-10', owner: 'alice', amount: (cents / 100).toFixed(2) },
                  ],
                  quotas: [{ payee: 'alice', period: '2026-03', measure: 'revenue', amount: '20000' }],
                }).statements,
                'alice',
                '2026-03',
              ).totals.earnings,
            );
          expect(pay(a + extra)).toBeGreaterThanOrEqual(pay(a));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('calculating twice gives byte-identical JSON', () => {
    const plan = testPlan({
      credit: {
        rules: ['owner', 'splits', 'rollup'],
        rollup_levels: 1,
        types: [{ id: 'revenue', amount: 'amount' }],
      },
      measures: [{ id: 'rev', credit: 'revenue', quota: 'revenue' }],
      components: [
        {
          id: 'c',
          kind: 'commission',
          credit: 'revenue',
          tiers: {
            basis: 'attainment',
            measure: 'rev',
            method: 'retroactive',
            bands: [{ to: '100%', rate: '5%' }, { rate: '10%' }],
          },
        },
      ],
    });
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            cents: fc.integer({ min: -100_000, max: 10_000_000 }),
            day: fc.integer({ min: 1, max: 28 }),
            split: fc.boolean(),
          }),
          { maxLength: 15 },
        ),
        (deals) => {
          const input: CompInput = {
            reporting: [{ payee: 'alice', manager: 'maria', from: '2026-01-01' }],
            transactions: deals.map((d, k) => ({
              id: `T${k}`,
              date: `2026-03-${String(d.day).padStart(2, '0')}`,
              owner: 'alice',
              amount: (d.cents / 100).toFixed(2),
              ...(d.split
                ? {
                    splits: [
                      { payee: 'alice', share: '70%' },
                      { payee: 'bob', share: '30%' },
                    ],
                  }
                : {}),
            })),
            quotas: [{ payee: 'alice', period: '2026-03', measure: 'revenue', amount: '20000' }],
          };
          expect(JSON.stringify(calculateCompensation(plan, input))).toBe(
            JSON.stringify(calculateCompensation(plan, input)),
          );
        },
      ),
      { numRuns: 30 },
    );
  });

  it('months before the assignment pay nothing: the assigned months pay min(year cap, their own commission)', () => {
    const plan = testPlan({
      measures: [{ id: 'rev', credit: 'revenue', quota: 'revenue' }],
      components: [
        {
          id: 'c',
          kind: 'commission',
          credit: 'revenue',
          rate: '10%',
          cap: { per_year: '5000' },
        },
      ],
    });
    const months = Array.from({ length: 12 }, (_, k) => `2026-${String(k + 1).padStart(2, '0')}`);
    fc.assert(
      fc.property(
        fc.array(fc.record({ cents: fc.integer({ min: 1, max: 2_000_000 }), month: fc.nat(11) }), {
          maxLength: 30,
        }),
        fc.nat(11),
        (deals, start) => {
          const result = calculateCompensation(plan, {
            periods: months,
            assignments: [{ payee: 'alice', from: `${months[start]!}-01` }],
            transactions: deals.map((d, k) => ({
              id: `T${String(k).padStart(2, '0')}`,
              date: `${months[d.month]!}-10`,
              owner: 'alice',
              amount: (d.cents / 100).toFixed(2),
            })),
          });
          const paid = result.statements.reduce((sum, s) => sum + minor(s.totals.earnings), 0);
          expect(result.statements.every((s) => s.period >= months[start]!)).toBe(true);
          // each line is 10% of its cents, rounded half to even; the year cap is 5,000.00
          const own = deals
            .filter((d) => d.month >= start)
            .reduce((sum, d) => sum + halfEven(d.cents, 10), 0);
          expect(paid).toBe(Math.min(500_000, own));
        },
      ),
      { numRuns: 60 },
    );
  });
});

/** n / d rounded half to even (whole minor units). */
function halfEven(n: number, d: number): number {
  const q = Math.floor(n / d);
  const r = n - q * d;
  if (r * 2 > d) return q + 1;
  if (r * 2 < d) return q;
  return q % 2 === 0 ? q : q + 1;
}
