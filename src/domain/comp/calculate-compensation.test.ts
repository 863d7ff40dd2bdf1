import { describe, expect, it } from 'vitest';
import { calculateCompensation } from './calculate-compensation.ts';
import type { CompInput } from './comp-types.ts';
import { statementOf, testPlan as plan } from './comp-test-fixtures.ts';

const tx = (id: string, date: string, amount: string, extra: Record<string, unknown> = {}) => ({
  id,
  date,
  owner: 'alice',
  amount,
  ...extra,
});

describe('worked examples of issue 6', () => {
  it('step (marginal) rates per transaction pay 2, 3, 20, 14, 30, 95 = 164 in the quarter', () => {
    const p = plan({
      period: 'quarter',
      components: [
        {
          id: 'commission',
          kind: 'commission',
          credit: 'revenue',
          tiers: {
            basis: 'amount',
            scope: 'per_transaction',
            method: 'marginal',
            bands: [
              { to: '1000', rate: '1%' },
              { to: '3000', rate: '2%' },
              { to: '8000', rate: '3%' },
              { to: '20000', rate: '5%' },
            ],
          },
        },
      ],
    });
    const input: CompInput = {
      transactions: [
        tx('T1', '2026-01-05', '200'),
        tx('T2', '2026-01-20', '300'),
        tx('T3', '2026-02-03', '1500'),
        tx('T4', '2026-02-14', '1200'),
        tx('T5', '2026-03-01', '2000'),
        tx('T6', '2026-03-30', '4500'),
      ],
    };
    const result = calculateCompensation(p, input);
    const s = statementOf(result.statements, 'alice', '2026-Q1');
    expect(s.lines.map((l) => [l.id, l.amount])).toEqual([
      ['commission:T1', '2.00'],
      ['commission:T2', '3.00'],
      ['commission:T3', '20.00'],
      ['commission:T4', '14.00'],
      ['commission:T5', '30.00'],
      ['commission:T6', '95.00'],
    ]);
    expect(s.totals.earnings).toBe('164.00');
    expect(s.lines[5]!.trace.portions).toEqual([
      { tier: 1, amount: '1000.00', rate: '0.01', pay: '10.00' },
      { tier: 2, amount: '2000.00', rate: '0.02', pay: '40.00' },
      { tier: 3, amount: '1500.00', rate: '0.03', pay: '45.00' },
    ]);
  });

  it('marginal tiers on quarterly attainment: $500,000 on a $375,000 quota pays $33,125', () => {
    const p = plan({
      period: 'quarter',
      measures: [{ id: 'revenue_qtd', credit: 'revenue', window: 'quarter_to_date', quota: 'revenue' }],
      components: [
        {
          id: 'commission',
          kind: 'commission',
          credit: 'revenue',
          tiers: {
            basis: 'attainment',
            measure: 'revenue_qtd',
            method: 'marginal',
            bands: [
              { to: '100%', rate: '6%' },
              { to: '125%', rate: '8%' },
              { to: '150%', rate: '10%' },
              { rate: '12%' },
            ],
          },
        },
      ],
    });
    const result = calculateCompensation(p, {
      transactions: [tx('D1', '2026-04-10', '300000'), tx('D2', '2026-05-20', '200000')],
      quotas: [{ payee: 'alice', period: '2026-Q2', measure: 'revenue', amount: '375000' }],
    });
    const s = statementOf(result.statements, 'alice', '2026-Q2');
    expect(s.totals.earnings).toBe('33125.00');
    expect(s.lines.map((l) => l.amount)).toEqual(['18000.00', '15125.00']);
    expect(s.measures).toEqual([
      { id: 'revenue_qtd', value: '500000.00', quota: '375000.00', attainment: '1.3333' },
    ]);
    expect(s.lines[1]!.trace.attainmentBefore).toBe('0.8000');
    expect(s.lines[1]!.trace.attainmentAfter).toBe('1.3333');
    expect(s.lines[1]!.explanation).toBe(
      'Deal D2, $200,000 credited to you as owner; attainment moved from 80% to 133.33%; $75,000 at 6% (tier 1) + $93,750 at 8% (tier 2) + $31,250 at 10% (tier 3) = $15,125',
    );
  });

  it('a $1,000 order split between two people credits $500 each', () => {
    const p = plan({
      components: [{ id: 'commission', kind: 'commission', credit: 'revenue', rate: '10%' }],
    });
    const result = calculateCompensation(p, {
      transactions: [
        tx('O1', '2026-03-03', '1000', {
          splits: [
            { payee: 'alice', share: '50%' },
            { payee: 'bob', share: '50%' },
          ],
        }),
      ],
    });
    const alice = statementOf(result.statements, 'alice', '2026-03');
    const bob = statementOf(result.statements, 'bob', '2026-03');
    expect(alice.lines[0]!.trace.credits![0]).toMatchObject({
      rule: 'split',
      share: '0.5',
      amount: '500.00',
      baseAmount: '1000.00',
    });
    expect(bob.lines[0]!.trace.credits![0]!.amount).toBe('500.00');
    expect(alice.totals.earnings).toBe('50.00');
    expect(bob.totals.earnings).toBe('50.00');
    expect(alice.lines[0]!.explanation).toBe(
      'Deal O1, $1,000 credited at 50% split = $500; $500 at 10% = $50',
    );
  });
});
