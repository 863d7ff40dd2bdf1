import { describe, expect, it } from 'vitest';
import type { CompInput, TransactionInput } from './comp-types.ts';
import { estimateDeal } from './estimate-deal.ts';
import { planDocumentSchema, type PlanDocument } from './plan-document.ts';

function plan(extra: Record<string, unknown> = {}): PlanDocument {
  return planDocumentSchema.parse({
    id: 'estimate-test',
    name: 'Estimate test',
    period: 'month',
    effective_from: '2026-01-01',
    credit: { types: [{ id: 'revenue', amount: 'amount' }] },
    components: [{ id: 'commission', kind: 'commission', credit: 'revenue', rate: '10%' }],
    ...extra,
  });
}

const input: CompInput = {
  currency: 'USD',
  payees: [{ id: 'alice', name: 'Alice Ng' }],
  transactions: [{ id: 'D-1', name: 'Acme-001', date: '2026-06-03', owner: 'alice', amount: '32000' }],
};

const deal: TransactionInput = {
  id: 'OPP-9',
  name: 'Globex-9',
  date: '2026-06-20',
  owner: 'alice',
  amount: '10000',
};

describe('estimateDeal', () => {
  it('a flat rate: the deal adds its commission to earnings and pay in its period', () => {
    const estimate = estimateDeal(plan(), input, deal, 'alice');
    expect(estimate).toMatchObject({
      period: '2026-06',
      payee: 'alice',
      payoutWithout: '3200.00',
      payoutWith: '4200.00',
      delta: '1000.00',
      earningsDelta: '1000.00',
    });
    expect(estimate.lines.map((l) => [l.line.kind, l.line.amount, l.delta, l.before])).toEqual([
      ['commission', '1000.00', '1000.00', undefined],
    ]);
    expect(estimate.explanation).toContain(
      'Globex-9 ($10,000.00, 2026-06-20) would add $1,000.00 to your earnings for 2026-06',
    );
  });

  it('under a non-recoverable draw: earnings rise but the pay only above the draw', () => {
    const estimate = estimateDeal(
      plan({ draw: { kind: 'non_recoverable', amount: '5000' } }),
      input,
      deal,
      'alice',
    );
    expect(estimate).toMatchObject({
      payoutWithout: '5000.00',
      payoutWith: '5000.00',
      delta: '0.00',
      earningsDelta: '1000.00',
    });
    const byKind = Object.fromEntries(estimate.lines.map((l) => [l.line.kind, l]));
    expect(byKind.draw).toMatchObject({ before: '1800.00', delta: '-1000.00' });
    expect(estimate.explanation).toContain('and $0.00 to your pay');
  });

  it('uses attainment so far: a deal crossing 100% pays the higher band on the part above', () => {
    const tiered = plan({
      measures: [{ id: 'revenue_month', credit: 'revenue', quota: 'revenue' }],
      components: [
        {
          id: 'commission',
          kind: 'commission',
          credit: 'revenue',
          tiers: {
            basis: 'attainment',
            measure: 'revenue_month',
            method: 'marginal',
            bands: [{ to: '100%', rate: '5%' }, { rate: '10%' }],
          },
        },
      ],
    });
    const withQuota: CompInput = {
      ...input,
      quotas: [{ payee: 'alice', period: '2026-06', measure: 'revenue', amount: '40000' }],
    };
    const estimate = estimateDeal(tiered, withQuota, deal, 'alice');
    // 8,000 at 5% + 2,000 at 10% = 600
    expect(estimate.earningsDelta).toBe('600.00');
    expect(estimate.measure).toBe('revenue_month');
    expect(estimate.attainmentBefore).toBe('0.8000');
    expect(estimate.attainmentAfter).toBe('1.0500');
  });

  it('replaces an open deal already in the input with the same id instead of counting it twice', () => {
    const estimate = estimateDeal(
      plan(),
      { ...input, transactions: [...input.transactions, deal] },
      deal,
      'alice',
    );
    expect(estimate.delta).toBe('1000.00');
  });
});
