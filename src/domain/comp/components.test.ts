import { describe, expect, it } from 'vitest';
import { calculateCompensation } from './calculate-compensation.ts';
import type { CompInput, TransactionInput } from './comp-types.ts';
import { statementOf, testPlan as plan } from './comp-test-fixtures.ts';

const tx = (
  id: string,
  date: string,
  amount: string,
  extra: Partial<TransactionInput> = {},
): TransactionInput => ({
  id,
  date,
  owner: 'alice',
  amount,
  ...extra,
});

const quarterMeasure = [{ id: 'rev', credit: 'revenue', window: 'period', quota: 'revenue' }];
const quota = (amount: string, period = '2026-03') => [
  { payee: 'alice', period, measure: 'revenue', amount },
];

function run(components: unknown[], input: CompInput, extra: Record<string, unknown> = {}) {
  return calculateCompensation(plan({ measures: quarterMeasure, components, ...extra }), input);
}

const bands = [{ to: '100%', rate: '5%' }, { to: '150%', rate: '10%' }, { rate: '15%' }];

describe('tier methods (quota 1,000; deals 600 then 600)', () => {
  const input: CompInput = {
    transactions: [tx('A', '2026-03-02', '600'), tx('B', '2026-03-09', '600')],
    quotas: quota('1000'),
  };
  const cases: [string, Record<string, unknown>, string[], string][] = [
    ['marginal', { method: 'marginal' }, ['commission:A 30.00', 'commission:B 40.00'], '70.00'],
    ['whole', { method: 'whole' }, ['commission:A 30.00', 'commission:B 60.00'], '90.00'],
    [
      'retroactive',
      { method: 'retroactive' },
      ['commission:A 30.00', 'commission:retro:B 30.00', 'commission:B 60.00'],
      '120.00',
    ],
    [
      'interpolated',
      {
        method: 'interpolated',
        bands: [
          { at: '100%', pay: '100' },
          { at: '200%', pay: '300' },
        ],
      },
      ['commission:A 60.00', 'commission:B 80.00'],
      '140.00',
    ],
  ];
  it.each(cases)('%s', (_name, tiers, lines, earnings) => {
    const result = run(
      [
        {
          id: 'commission',
          kind: 'commission',
          credit: 'revenue',
          tiers: { basis: 'attainment', measure: 'rev', bands, ...tiers },
        },
      ],
      input,
    );
    const s = statementOf(result.statements, 'alice', '2026-03');
    expect(s.lines.map((l) => `${l.id} ${l.amount}`)).toEqual(lines);
    expect(s.totals.earnings).toBe(earnings);
  });

  it('bounds: a deal landing exactly on a boundary takes the upper band (lower_inclusive) or the lower one (upper_inclusive)', () => {
    const exact: CompInput = { transactions: [tx('A', '2026-03-02', '1000')], quotas: quota('1000') };
    const pay = (bounds: string) =>
      statementOf(
        run(
          [
            {
              id: 'c',
              kind: 'commission',
              credit: 'revenue',
              tiers: { basis: 'attainment', measure: 'rev', method: 'whole', bounds, bands },
            },
          ],
          exact,
        ).statements,
        'alice',
        '2026-03',
      ).totals.earnings;
    expect(pay('lower_inclusive')).toBe('100.00');
    expect(pay('upper_inclusive')).toBe('50.00');
  });

  it('amount tiers, cumulative, on the running total of the period', () => {
    const result = run(
      [
        {
          id: 'c',
          kind: 'commission',
          credit: 'revenue',
          tiers: { basis: 'amount', method: 'marginal', bands: [{ to: '1000', rate: '1%' }, { rate: '2%' }] },
        },
      ],
      { transactions: [tx('A', '2026-03-02', '800'), tx('B', '2026-03-09', '800')] },
    );
    expect(statementOf(result.statements, 'alice', '2026-03').lines.map((l) => l.amount)).toEqual([
      '8.00',
      '14.00',
    ]);
  });
});

describe('rates, multipliers, thresholds, gates and caps', () => {
  it('rate table by product family with a default', () => {
    const result = run(
      [
        {
          id: 'c',
          kind: 'commission',
          credit: 'revenue',
          rate_table: { key: 'deal.product_family', rates: { GTX: '10%', MG: '6%' }, default: '8%' },
        },
      ],
      {
        transactions: [
          tx('A', '2026-03-02', '1000', { product_family: 'GTX' }),
          tx('B', '2026-03-03', '1000', { product_family: 'MG' }),
          tx('C', '2026-03-04', '1000', { product_family: 'other' }),
        ],
      },
    );
    expect(statementOf(result.statements, 'alice', '2026-03').lines.map((l) => l.amount)).toEqual([
      '100.00',
      '60.00',
      '80.00',
    ]);
  });

  it('an accelerator and a decelerator on deal margin, and a 3× launch window by date', () => {
    const result = run(
      [
        {
          id: 'c',
          kind: 'commission',
          credit: 'revenue',
          rate: '10%',
          multipliers: [
            { label: 'margin accelerator', when: 'deal.margin_pct > 40', factor: 2 },
            { label: 'low margin', when: 'deal.margin_pct < 20', factor: 0.5 },
            { label: 'launch', when: "deal.date >= '2026-03-10' && deal.date < '2026-03-20'", factor: 3 },
          ],
        },
      ],
      {
        transactions: [
          tx('A', '2026-03-02', '1000', { margin_pct: 45 }),
          tx('B', '2026-03-03', '1000', { margin_pct: 10 }),
          tx('C', '2026-03-04', '1000', { margin_pct: 30 }),
          tx('D', '2026-03-12', '1000', { margin_pct: 50 }),
        ],
      },
    );
    const s = statementOf(result.statements, 'alice', '2026-03');
    expect(s.lines.map((l) => l.amount)).toEqual(['200.00', '50.00', '100.00', '600.00']);
    expect(s.lines[3]!.trace.multipliers).toEqual([
      { label: 'margin accelerator', factor: '2' },
      { label: 'launch', factor: '3' },
    ]);
  });

  it('an attainment multiplier applies to deals made while attainment (before the deal) is above plan', () => {
    const result = run(
      [
        {
          id: 'c',
          kind: 'commission',
          credit: 'revenue',
          rate: '10%',
          multipliers: [{ label: 'above plan', attainment_above: '100%', measure: 'rev', factor: 1.5 }],
        },
      ],
      { transactions: [tx('A', '2026-03-02', '1200'), tx('B', '2026-03-03', '100')], quotas: quota('1000') },
    );
    expect(statementOf(result.statements, 'alice', '2026-03').lines.map((l) => l.amount)).toEqual([
      '120.00',
      '15.00',
    ]);
  });

  it('a threshold pays nothing below 20% attainment, and says so', () => {
    const below = run(
      [
        {
          id: 'c',
          kind: 'commission',
          credit: 'revenue',
          rate: '10%',
          threshold: { measure: 'rev', min_attainment: '20%' },
        },
      ],
      { transactions: [tx('A', '2026-03-02', '150')], quotas: quota('1000') },
    );
    const s = statementOf(below.statements, 'alice', '2026-03');
    expect(s.lines[0]!.amount).toBe('0.00');
    expect(s.lines[0]!.trace.capped).toEqual({ cap: 'threshold', before: '15.00', after: '0.00' });
    expect(s.lines[0]!.explanation).toContain('below the 20% threshold');
    const above = run(
      [
        {
          id: 'c',
          kind: 'commission',
          credit: 'revenue',
          rate: '10%',
          threshold: { measure: 'rev', min_attainment: '20%' },
        },
      ],
      { transactions: [tx('A', '2026-03-02', '200')], quotas: quota('1000') },
    );
    expect(statementOf(above.statements, 'alice', '2026-03').totals.earnings).toBe('20.00');
  });

  it('a gate caps the component while another measure is under plan', () => {
    const result = calculateCompensation(
      plan({
        credit: {
          types: [
            { id: 'revenue', amount: 'amount' },
            { id: 'margin', amount: 'margin' },
          ],
        },
        measures: [...quarterMeasure, { id: 'gm', credit: 'margin', window: 'period', quota: 'margin' }],
        components: [
          {
            id: 'c',
            kind: 'commission',
            credit: 'revenue',
            rate: '10%',
            gate: { measure: 'gm', min_attainment: '100%', cap: '50' },
          },
        ],
      }),
      {
        transactions: [tx('A', '2026-03-02', '1000', { margin_pct: 20 })],
        quotas: [...quota('1000'), { payee: 'alice', period: '2026-03', measure: 'margin', amount: '500' }],
      },
    );
    const s = statementOf(result.statements, 'alice', '2026-03');
    expect(s.totals.earnings).toBe('50.00');
    expect(s.lines[0]!.trace.capped).toEqual({ cap: 'gate', before: '100.00', after: '50.00' });
  });

  it.each([
    ['per_deal', { per_deal: '70' }, ['70.00', '70.00', '50.00']],
    ['per_period', { per_period: '150' }, ['100.00', '50.00', '0.00']],
    ['per_year', { per_year: '120' }, ['100.00', '20.00', '0.00']],
  ])('caps %s cut lines and say so', (_name, cap, amounts) => {
    const result = run([{ id: 'c', kind: 'commission', credit: 'revenue', rate: '10%', cap }], {
      transactions: [
        tx('A', '2026-03-02', '1000'),
        tx('B', '2026-03-03', '1000'),
        tx('C', '2026-03-04', '500'),
      ],
    });
    const s = statementOf(result.statements, 'alice', '2026-03');
    expect(s.lines.map((l) => l.amount)).toEqual(amounts);
    expect(s.lines.some((l) => l.trace.capped !== undefined)).toBe(true);
  });
});

describe('bonus and SPIFF', () => {
  it('an MBO bonus on a score, capped by max_payout', () => {
    const result = calculateCompensation(
      plan({
        period: 'quarter',
        components: [{ id: 'mbo', kind: 'bonus', amount: '5000', basis: 'score', max_payout: '120%' }],
      }),
      {
        transactions: [],
        payees: [{ id: 'alice' }, { id: 'bob' }],
        periods: ['2026-Q2'],
        scores: [
          { payee: 'alice', period: '2026-Q2', component: 'mbo', score: '80%' },
          { payee: 'bob', period: '2026-Q2', component: 'mbo', score: '150%' },
        ],
      },
    );
    expect(statementOf(result.statements, 'alice', '2026-Q2').totals.earnings).toBe('4000.00');
    expect(statementOf(result.statements, 'bob', '2026-Q2').totals.earnings).toBe('6000.00');
  });

  it('a team bonus on the manager’s rolled-up attainment', () => {
    const result = calculateCompensation(
      plan({
        credit: {
          rules: ['owner', 'rollup'],
          rollup_levels: 1,
          types: [{ id: 'revenue', amount: 'amount' }],
        },
        measures: quarterMeasure,
        components: [
          {
            id: 'team',
            kind: 'bonus',
            amount: '1000',
            basis: 'attainment',
            measure: 'rev',
            max_payout: '150%',
          },
        ],
      }),
      {
        payees: [{ id: 'maria' }],
        reporting: [
          { payee: 'alice', manager: 'maria', from: '2026-01-01' },
          { payee: 'bob', manager: 'maria', from: '2026-01-01' },
        ],
        transactions: [tx('A', '2026-03-02', '600'), tx('B', '2026-03-09', '300', { owner: 'bob' })],
        quotas: [{ payee: 'maria', period: '2026-03', measure: 'revenue', amount: '1200' }],
      },
    );
    const s = statementOf(result.statements, 'maria', '2026-03');
    expect(s.measures[0]).toEqual({ id: 'rev', value: '900.00', quota: '1200.00', attainment: '0.7500' });
    expect(s.totals.earnings).toBe('750.00');
  });

  it('a SPIFF pays per qualifying deal within its own dates', () => {
    const result = run(
      [
        { id: 'c', kind: 'commission', credit: 'revenue', rate: '0%' },
        {
          id: 'spiff',
          kind: 'spiff',
          credit: 'revenue',
          from: '2026-03-10',
          to: '2026-03-20',
          when: "deal.product_family == 'GTX'",
          amount_per_deal: '500',
        },
      ],
      {
        transactions: [
          tx('A', '2026-03-09', '1000', { product_family: 'GTX' }),
          tx('B', '2026-03-10', '1000', { product_family: 'GTX' }),
          tx('C', '2026-03-20', '1000', { product_family: 'MG' }),
          tx('D', '2026-03-20', '1000', { product_family: 'GTX' }),
        ],
      },
    );
    const s = statementOf(result.statements, 'alice', '2026-03');
    expect(s.lines.filter((l) => l.kind === 'spiff').map((l) => l.id)).toEqual(['spiff:B', 'spiff:D']);
    expect(s.totals.earnings).toBe('1000.00');
  });
});

describe('crediting', () => {
  const rate = [{ id: 'c', kind: 'commission', credit: 'revenue', rate: '10%' }];
  it('rolls up through the hierarchy as of the transaction day', () => {
    const result = calculateCompensation(
      plan({
        credit: {
          rules: ['owner', 'rollup'],
          rollup_levels: 2,
          types: [{ id: 'revenue', amount: 'amount' }],
        },
        components: rate,
      }),
      {
        reporting: [
          { payee: 'alice', manager: 'maria', from: '2026-01-01', to: '2026-03-15' },
          { payee: 'alice', manager: 'mark', from: '2026-03-15' },
          { payee: 'maria', manager: 'dana', from: '2026-01-01' },
          { payee: 'mark', manager: 'dana', from: '2026-01-01' },
        ],
        transactions: [tx('A', '2026-03-14', '1000'), tx('B', '2026-03-15', '2000')],
      },
    );
    expect(statementOf(result.statements, 'maria', '2026-03').lines.map((l) => l.id)).toEqual(['c:A']);
    expect(statementOf(result.statements, 'mark', '2026-03').lines.map((l) => l.id)).toEqual(['c:B']);
    const dana = statementOf(result.statements, 'dana', '2026-03');
    expect(dana.totals.earnings).toBe('300.00');
    expect(dana.lines[0]!.trace.credits![0]).toMatchObject({ rule: 'rollup', from: 'alice', level: 2 });
  });

  it('credits the territory owner on the transaction day, and overlays on top of 100%', () => {
    const result = calculateCompensation(
      plan({
        credit: { rules: ['owner', 'overlays', 'territory'], types: [{ id: 'revenue', amount: 'amount' }] },
        components: rate,
      }),
      {
        territories: [{ account: 'acme', payee: 'tom', from: '2026-01-01' }],
        transactions: [
          tx('A', '2026-03-14', '1000', { account: 'acme', overlays: [{ payee: 'sam', share: '50%' }] }),
        ],
      },
    );
    expect(statementOf(result.statements, 'tom', '2026-03').lines[0]!.trace.credits![0]).toMatchObject({
      rule: 'territory',
      amount: '1000.00',
    });
    expect(statementOf(result.statements, 'sam', '2026-03').totals.earnings).toBe('50.00');
    expect(statementOf(result.statements, 'alice', '2026-03').totals.earnings).toBe('100.00');
  });

  it('reports splits that do not sum to 100% and credits them as written', () => {
    const result = calculateCompensation(plan({ components: rate }), {
      transactions: [
        tx('A', '2026-03-14', '1000', {
          splits: [
            { payee: 'alice', share: '50%' },
            { payee: 'bob', share: '40%' },
          ],
        }),
      ],
    });
    expect(result.issues.map((i) => i.code)).toEqual(['split_not_100']);
    expect(statementOf(result.statements, 'bob', '2026-03').lines[0]!.trace.credits![0]!.amount).toBe(
      '400.00',
    );
  });

  it('credit types: margin, units and a count with `when`', () => {
    const result = calculateCompensation(
      plan({
        credit: {
          types: [
            { id: 'margin', amount: 'margin' },
            { id: 'units', amount: 'units' },
            { id: 'new_logos', amount: 'count', when: "deal.type == 'new_business'" },
          ],
        },
        measures: [
          { id: 'gm', credit: 'margin' },
          { id: 'u', credit: 'units' },
          { id: 'logos', credit: 'new_logos' },
        ],
        components: [{ id: 'c', kind: 'commission', credit: 'margin', rate: '10%' }],
      }),
      {
        transactions: [
          tx('A', '2026-03-14', '1000', { margin_pct: 42.5, units: 3, type: 'new_business' }),
          tx('B', '2026-03-15', '1000', { margin: '100', units: 2, type: 'renewal' }),
        ],
      },
    );
    const s = statementOf(result.statements, 'alice', '2026-03');
    expect(s.measures.map((m) => m.value)).toEqual(['525.00', '5.00', '1.00']);
    expect(s.totals.earnings).toBe('52.50');
  });
});

describe('measures and windows', () => {
  it('prorates a quota that changes mid-period by days, rounded once', () => {
    const result = run(
      [
        {
          id: 'c',
          kind: 'commission',
          credit: 'revenue',
          tiers: { basis: 'attainment', measure: 'rev', method: 'whole', bands },
        },
      ],
      {
        transactions: [tx('A', '2026-04-10', '100')],
        quotas: [
          { payee: 'alice', period: '2026-04', measure: 'revenue', amount: '1000' },
          { payee: 'alice', period: '2026-04', measure: 'revenue', amount: '2000', from: '2026-04-11' },
        ],
      },
    );
    // 1000 × 10/30 + 2000 × 20/30 = 1666.666… → 1666.67
    expect(statementOf(result.statements, 'alice', '2026-04').measures[0]!.quota).toBe('1666.67');
  });

  it('quarter-to-date tiers paid monthly pay earned to date minus paid before (monthly quotas add up)', () => {
    const result = calculateCompensation(
      plan({
        measures: [{ id: 'qtd', credit: 'revenue', window: 'quarter_to_date', quota: 'revenue' }],
        components: [
          {
            id: 'c',
            kind: 'commission',
            credit: 'revenue',
            tiers: { basis: 'attainment', measure: 'qtd', method: 'whole', bands },
          },
        ],
      }),
      {
        transactions: [tx('A', '2026-04-10', '1200'), tx('B', '2026-05-10', '100')],
        quotas: [
          { payee: 'alice', period: '2026-04', measure: 'revenue', amount: '1000' },
          { payee: 'alice', period: '2026-05', measure: 'revenue', amount: '1000' },
        ],
      },
    );
    // April: 1200 of 1000 = 120% → 10% = 120. May: QTD quota 2000, A re-priced at 5% = 60 (true-up −60), B 5% = 5.
    expect(statementOf(result.statements, 'alice', '2026-04').totals.earnings).toBe('120.00');
    const may = statementOf(result.statements, 'alice', '2026-05');
    expect(may.lines.map((l) => `${l.id} ${l.amount}`)).toEqual(['c:true-up -60.00', 'c:B 5.00']);
  });

  it('clawback attainment: reduce reverses the credit in the cancellation period; keep leaves it', () => {
    const input: CompInput = {
      transactions: [
        tx('A', '2026-06-10', '1000', { cancelled_on: '2026-08-05' }),
        tx('B', '2026-08-10', '500'),
      ],
    };
    const measures = [{ id: 'rev', credit: 'revenue', window: 'period' }];
    const components = [{ id: 'c', kind: 'commission', credit: 'revenue', rate: '50%' }];
    const reduce = calculateCompensation(
      plan({ measures, components, clawback: { window_days: 180, attainment: 'reduce' } }),
      input,
    );
    const keep = calculateCompensation(
      plan({ measures, components, clawback: { window_days: 180, attainment: 'keep' } }),
      input,
    );
    expect(statementOf(reduce.statements, 'alice', '2026-08').measures[0]!.value).toBe('-500.00');
    expect(statementOf(keep.statements, 'alice', '2026-08').measures[0]!.value).toBe('500.00');
    expect(statementOf(keep.statements, 'alice', '2026-06').measures[0]!.value).toBe('1000.00');
    // the ledger claws the $500 back in August either way
    const august = statementOf(keep.statements, 'alice', '2026-08');
    expect(august.totals.clawbacks).toBe('-500.00');
    expect(august.lines.find((l) => l.kind === 'clawback')!.amount).toBe('-500.00');
  });
});

describe('marginal attainment tiers on another credit type (docs/plans.md "Tiers")', () => {
  it('spreads the credit over the bands in proportion to how the deal moves the tier measure', () => {
    const result = calculateCompensation(
      plan({
        credit: {
          types: [
            { id: 'revenue', amount: 'amount' },
            { id: 'margin', amount: 'margin' },
          ],
        },
        measures: quarterMeasure,
        components: [
          {
            id: 'commission',
            kind: 'commission',
            credit: 'margin',
            tiers: { basis: 'attainment', measure: 'rev', method: 'marginal', bands },
          },
        ],
      }),
      {
        transactions: [
          // revenue 0 → 600 (all in band 1): margin 300 × 5% = 15.00
          tx('A', '2026-03-02', '600', { margin: '300' }),
          // revenue 600 → 1,200: margin 200 spread 400/600 and 200/600 over bands 1 and 2:
          // 133.33 × 5% + 66.67 × 10% = 6.6665 + 6.667 = 13.3335 → 13.33 (rounded once)
          tx('B', '2026-03-09', '600', { margin: '200' }),
          // revenue does not move: the whole margin at the current band (2, 10%) = 10.00
          tx('C', '2026-03-16', '0', { margin: '100' }),
        ],
        quotas: quota('1000'),
      },
    );
    const s = statementOf(result.statements, 'alice', '2026-03');
    expect(s.lines.map((l) => `${l.id} ${l.amount}`)).toEqual([
      'commission:A 15.00',
      'commission:B 13.33',
      'commission:C 10.00',
    ]);
    expect(s.lines[1]!.trace).toMatchObject({
      portions: [
        { tier: 1, amount: '133.33', rate: '0.05' },
        { tier: 2, amount: '66.67', rate: '0.1' },
      ],
      arithmetic: '133.33 × 0.05 + 66.67 × 0.1 = 13.33',
    });
  });
});

describe('months a payee is not assigned to the plan: computed as context, paid nothing (docs/plans.md "The ledger")', () => {
  const months = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, k) => `2026-${String(from + k).padStart(2, '0')}`);
  const monthlyQuotas = (periods: string[], amount: string) =>
    periods.map((period) => ({ payee: 'alice', period, measure: 'revenue', amount }));
  const earningsOf = (statements: ReturnType<typeof run>['statements'], periods: string[]) =>
    periods.map((p) => statementOf(statements, 'alice', p).totals.earnings);

  it('a year cap counts only assigned months: assigned from July, July–December reach the full 10,000', () => {
    const result = run(
      [{ id: 'c', kind: 'commission', credit: 'revenue', rate: '10%', cap: { per_year: '10000' } }],
      {
        periods: months(1, 12),
        assignments: [{ payee: 'alice', from: '2026-07-01' }],
        // January–June: 80,000 of deals (8,000 of commission as context); July–December: 150,000
        transactions: [
          ...months(1, 6).map((p, k) => tx(`A${k}`, `${p}-10`, k < 2 ? '20000' : '10000')),
          ...months(7, 12).map((p, k) => tx(`B${k}`, `${p}-10`, '25000')),
        ],
      },
    );
    // no statements for the context months
    expect(result.statements.map((s) => s.period)).toEqual(months(7, 12));
    // 2,500 a month until the cap: July–October 10,000, then nothing (the cap cuts, it says so)
    expect(earningsOf(result.statements, months(7, 12))).toEqual([
      '2500.00',
      '2500.00',
      '2500.00',
      '2500.00',
      '0.00',
      '0.00',
    ]);
    const november = statementOf(result.statements, 'alice', '2026-11');
    expect(november.lines[0]!.trace.capped).toEqual({ cap: 'per_year', before: '2500.00', after: '0.00' });
  });

  it('a threshold defers nothing from an unassigned month: it is not released in an assigned one', () => {
    const threshold = (assignments: CompInput['assignments']) =>
      calculateCompensation(
        plan({
          measures: [{ id: 'qtd', credit: 'revenue', window: 'quarter_to_date', quota: 'revenue' }],
          components: [
            {
              id: 'c',
              kind: 'commission',
              credit: 'revenue',
              rate: '10%',
              threshold: { measure: 'qtd', min_attainment: '50%' },
            },
          ],
        }),
        {
          periods: months(1, 3),
          ...(assignments ? { assignments } : {}),
          // January: 4,000 of a 10,000 QTD quota (40%, below the threshold: 400 withheld);
          // February: 12,000 of 20,000 (60%, met)
          transactions: [tx('A', '2026-01-10', '4000'), tx('B', '2026-02-10', '8000')],
          quotas: monthlyQuotas(months(1, 3), '10000'),
        },
      );
    // on the plan all quarter: January's 400 is deferred and paid by February's true-up
    const always = threshold(undefined);
    expect(
      statementOf(always.statements, 'alice', '2026-02').lines.map((l) => `${l.id} ${l.amount}`),
    ).toEqual(['c:true-up 400.00', 'c:B 800.00']);
    // assigned from February: January paid nothing, so nothing of it is released
    const fromFebruary = threshold([{ payee: 'alice', from: '2026-02-01' }]);
    const february = statementOf(fromFebruary.statements, 'alice', '2026-02');
    expect(february.lines.map((l) => `${l.id} ${l.amount}`)).toEqual(['c:B 800.00']);
    expect(february.totals.earnings).toBe('800.00');
  });

  it('a quarter-to-date true-up across the assignment start re-prices only the assigned months', () => {
    const qtd = (assignments: CompInput['assignments']) =>
      calculateCompensation(
        plan({
          measures: [{ id: 'qtd', credit: 'revenue', window: 'quarter_to_date', quota: 'revenue' }],
          components: [
            {
              id: 'c',
              kind: 'commission',
              credit: 'revenue',
              tiers: {
                basis: 'attainment',
                measure: 'qtd',
                method: 'marginal',
                bands: [{ to: '100%', rate: '5%' }, { rate: '10%' }],
              },
            },
          ],
        }),
        {
          periods: months(1, 3),
          ...(assignments ? { assignments } : {}),
          transactions: [
            tx('A', '2026-01-10', '25000'),
            tx('B', '2026-02-10', '10000'),
            tx('C', '2026-03-10', '1000'),
          ],
          quotas: monthlyQuotas(months(1, 3), '10000'),
        },
      );
    const lines = (result: ReturnType<typeof qtd>, period: string) =>
      statementOf(result.statements, 'alice', period).lines.map((l) => `${l.id} ${l.amount}`);
    // On the plan all quarter. January: 10,000 × 5% + 15,000 × 10% = 2,000. February (quota
    // 20,000): A re-priced at 1,500 (true-up −500), B from 25,000 to 35,000 all at 10% = 1,000.
    // March (quota 30,000): A 1,250 + B 750 = 2,000 against 2,500 earned (true-up −500), C 100.
    const always = qtd(undefined);
    expect(lines(always, '2026-02')).toEqual(['c:true-up -500.00', 'c:B 1000.00']);
    expect(lines(always, '2026-03')).toEqual(['c:true-up -500.00', 'c:C 100.00']);
    // Assigned from February: January (A) is context, never re-priced. February: B still sits on
    // top of A (25,000 to 35,000, 1,000), no true-up. March: only B is re-priced (750 against
    // 1,000 earned: −250), C 100.
    const fromFebruary = qtd([{ payee: 'alice', from: '2026-02-01' }]);
    expect(fromFebruary.statements.map((s) => s.period)).toEqual(['2026-02', '2026-03']);
    expect(lines(fromFebruary, '2026-02')).toEqual(['c:B 1000.00']);
    expect(lines(fromFebruary, '2026-03')).toEqual(['c:true-up -250.00', 'c:C 100.00']);
    // On the plan in January, off it in February, back in March: February's true-up (January
    // re-priced at −500) is not paid; March re-prices January from what it really paid (2,000 →
    // 1,250 under the 30,000 quota: −750), and never February's B.
    const leftAndBack = qtd([
      { payee: 'alice', from: '2026-01-01', to: '2026-02-01' },
      { payee: 'alice', from: '2026-03-01' },
    ]);
    expect(leftAndBack.statements.map((s) => s.period)).toEqual(['2026-01', '2026-03']);
    expect(lines(leftAndBack, '2026-01')).toEqual(['c:A 2000.00']);
    expect(lines(leftAndBack, '2026-03')).toEqual(['c:true-up -750.00', 'c:C 100.00']);
    expect(statementOf(fromFebruary.statements, 'alice', '2026-03').lines[0]!.trace.details).toMatchObject({
      earned_to_date: '750.00',
      paid_before: '1000.00',
    });
  });

  it('a retroactive re-pricing re-prices the credits of assigned months only', () => {
    const result = calculateCompensation(
      plan({
        measures: [{ id: 'qtd', credit: 'revenue', window: 'quarter_to_date', quota: 'revenue' }],
        components: [
          {
            id: 'c',
            kind: 'commission',
            credit: 'revenue',
            tiers: {
              basis: 'attainment',
              measure: 'qtd',
              method: 'retroactive',
              bands: [{ to: '100%', rate: '5%' }, { rate: '10%' }],
            },
          },
        ],
      }),
      {
        periods: months(1, 3),
        assignments: [{ payee: 'alice', from: '2026-02-01' }],
        transactions: [
          tx('A', '2026-01-10', '20000'),
          tx('B', '2026-02-10', '5000'),
          tx('C', '2026-03-10', '10000'),
        ],
        quotas: [{ payee: 'alice', period: '2026-Q1', measure: 'revenue', amount: '30000' }],
      },
    );
    // C takes the quarter from 25,000 to 35,000 of 30,000: B (February, 250 at 5%) is re-priced at
    // 10% (+250); A (January, context) paid nothing and is not re-priced. C pays 1,000.
    expect(
      statementOf(result.statements, 'alice', '2026-03').lines.map((l) => `${l.id} ${l.amount}`),
    ).toEqual(['c:retro:C 250.00', 'c:C 1000.00']);
  });

  it('a bonus on attainment pays in assigned months the increase of its value, and its year cap counts them only', () => {
    const result = calculateCompensation(
      plan({
        measures: [{ id: 'qtd', credit: 'revenue', window: 'quarter_to_date', quota: 'revenue' }],
        components: [
          {
            id: 'b',
            kind: 'bonus',
            basis: 'attainment',
            measure: 'qtd',
            amount: '3000',
            cap: { per_year: '2000' },
          },
        ],
      }),
      {
        periods: months(1, 2),
        assignments: [{ payee: 'alice', from: '2026-02-01' }],
        transactions: [tx('A', '2026-01-10', '5000'), tx('B', '2026-02-10', '15000')],
        quotas: monthlyQuotas(months(1, 2), '10000'),
      },
    );
    // January (context): 50% of 3,000 = 1,500, not paid. February: 100% = 3,000, of which the
    // 1,500 reached in January is not paid: 1,500, within the 2,000 year cap.
    const february = statementOf(result.statements, 'alice', '2026-02');
    expect(february.lines.map((l) => `${l.id} ${l.amount}`)).toEqual(['b 1500.00']);
  });
});
