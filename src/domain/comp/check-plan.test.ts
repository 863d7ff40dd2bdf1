import { describe, expect, it } from 'vitest';
import { checkPlan, parseBound } from './check-plan.ts';
import { planDocumentSchema } from './plan-document.ts';

/** A valid plan; each test breaks one thing. */
function base(): Record<string, any> {
  return {
    id: 'base',
    name: 'Base',
    period: 'month',
    effective_from: '2026-01-01',
    credit: {
      types: [
        { id: 'revenue', amount: 'amount' },
        { id: 'margin', amount: 'margin' },
      ],
    },
    measures: [
      { id: 'revenue_qtd', credit: 'revenue', window: 'quarter_to_date', quota: 'revenue' },
      { id: 'margin_mtd', credit: 'margin', window: 'month_to_date' },
    ],
    components: [
      {
        id: 'commission',
        kind: 'commission',
        credit: 'revenue',
        tiers: {
          basis: 'attainment',
          measure: 'revenue_qtd',
          method: 'marginal',
          bands: [{ to: '100%', rate: '6%' }, { to: '125%', rate: '8%' }, { rate: '12%' }],
        },
        multipliers: [{ label: 'margin', when: 'deal.margin_pct >= 40.0', factor: 2 }],
      },
    ],
  };
}

function problemsOf(mutate: (plan: Record<string, any>) => void) {
  const raw = base();
  mutate(raw);
  const plan = planDocumentSchema.parse(raw);
  return checkPlan(plan);
}

const fields = (mutate: (plan: Record<string, any>) => void) => problemsOf(mutate).map((p) => p.field);

describe('checkPlan', () => {
  it('finds nothing wrong with a consistent plan', () => {
    expect(problemsOf(() => {})).toEqual([]);
  });

  it('resolves measure and component credit types', () => {
    expect(
      problemsOf((p) => {
        p.measures[0].credit = 'bookings';
        p.components[0].credit = 'revnue';
      }),
    ).toEqual([
      expect.objectContaining({
        field: 'measures[0].credit',
        value: 'bookings',
        message: 'no credit type "bookings" (credit types: revenue, margin)',
      }),
      expect.objectContaining({ field: 'components[0].credit', value: 'revnue' }),
    ]);
  });

  it('resolves the measures of tiers, thresholds, gates and multipliers', () => {
    expect(
      fields((p) => {
        p.components[0].tiers.measure = 'nope';
        p.components[0].threshold = { measure: 'nope2', min_attainment: '20%' };
        p.components[0].gate = { measure: 'nope3', min_attainment: '100%', cap: '2000' };
        p.components[0].multipliers.push({
          label: 'above plan',
          attainment_above: '100%',
          measure: 'nope4',
          factor: 1.5,
        });
      }),
    ).toEqual([
      'components[0].multipliers[1].measure',
      'components[0].threshold.measure',
      'components[0].gate.measure',
      'components[0].tiers.measure',
    ]);
  });

  it('reads one attainment bound per multiplier, with its measure', () => {
    expect(
      fields((p) => {
        p.components[0].multipliers.push(
          {
            label: 'band',
            measure: 'revenue_qtd',
            attainment_above: '50%',
            attainment_below: '100%',
            factor: 1.2,
          },
          { label: 'no measure', attainment_above: '100%', factor: 1.5 },
          { label: 'stray measure', measure: 'revenue_qtd', factor: 1.5 },
        );
      }),
    ).toEqual([
      'components[0].multipliers[1]',
      'components[0].multipliers[2].measure',
      'components[0].multipliers[3].measure',
    ]);
  });

  it('needs a measure with a quota for attainment', () => {
    const problems = problemsOf((p) => {
      p.components[0].tiers.measure = 'margin_mtd';
      p.components[0].threshold = { measure: 'margin_mtd', min_attainment: '20%' };
    });
    expect(problems.map((p) => p.field)).toEqual([
      'components[0].threshold.measure',
      'components[0].tiers.measure',
    ]);
    expect(problems[1]?.message).toBe('attainment tiers needs a measure with a quota; "margin_mtd" has none');
  });

  it('checks band ordering: from < to, contiguous, only the last open-ended, starting at 0', () => {
    expect(
      problemsOf((p) => {
        p.components[0].tiers.bands = [
          { from: '10%', to: '100%', rate: '6%' },
          { rate: '8%' },
          { from: '130%', to: '120%', rate: '10%' },
          { rate: '12%' },
        ];
      }).map((p) => [p.field, p.message]),
    ).toEqual([
      ['components[0].tiers.bands[0].from', 'the first band starts at 0'],
      ['components[0].tiers.bands[1].to', 'only the last band can be open-ended (no `to`)'],
      ['components[0].tiers.bands[2].to', "must be above the band's start (130%)"],
    ]);
  });

  it('reports a gap between bands', () => {
    expect(
      problemsOf((p) => {
        p.components[0].tiers.bands = [
          { to: '100%', rate: '6%' },
          { from: '110%', rate: '8%' },
        ];
      }),
    ).toEqual([
      expect.objectContaining({
        field: 'components[0].tiers.bands[1].from',
        message: 'bands must be contiguous: this band starts where the previous one ends (100%)',
      }),
    ]);
  });

  it('reads amount bounds as money and refuses percentages there', () => {
    expect(
      problemsOf((p) => {
        p.components[0].tiers = {
          basis: 'amount',
          scope: 'per_transaction',
          method: 'marginal',
          bands: [
            { to: 1000, rate: '1%' },
            { to: '3000', rate: '2%' },
            { to: '50%', rate: '3%' },
          ],
        };
      }),
    ).toEqual([
      expect.objectContaining({
        field: 'components[0].tiers.bands[2].to',
        message: 'amount tiers take money bounds such as "1000", not a percentage (50%)',
      }),
    ]);
  });

  it('needs a rate in every band of a rate tier and at/pay in every interpolated point', () => {
    expect(
      fields((p) => {
        p.components[0].tiers.bands[1] = { to: '125%' };
      }),
    ).toEqual(['components[0].tiers.bands[1].rate']);
    expect(
      fields((p) => {
        p.components[0].tiers.method = 'interpolated';
        p.components[0].tiers.bands = [
          { at: '50%', pay: '0' },
          { at: '100%' },
          { pay: '20000' },
          { at: '90%', pay: '25000' },
        ];
      }),
    ).toEqual([
      'components[0].tiers.bands[1].pay',
      'components[0].tiers.bands[2].at',
      'components[0].tiers.bands[3].at',
    ]);
  });

  it('needs exactly one of rate, rate_table and tiers in a commission', () => {
    expect(
      problemsOf((p) => {
        p.components[0].rate = '5%';
      }).map((x) => x.message),
    ).toEqual(['a commission pays by exactly one of rate, rate_table or tiers; it has rate and tiers']);
    expect(
      problemsOf((p) => {
        delete p.components[0].tiers;
      }).map((x) => x.message),
    ).toEqual(['a commission pays by one of rate, rate_table or tiers; it has none']);
  });

  it('checks SPIFFs: amount_per_deal or rate, from ≤ to', () => {
    expect(
      problemsOf((p) => {
        p.components.push({
          id: 'spiff',
          kind: 'spiff',
          credit: 'revenue',
          from: '2026-10-01',
          to: '2026-09-30',
        });
      }).map((x) => [x.field, x.message]),
    ).toEqual([
      ['components[1]', 'a SPIFF pays amount_per_deal or rate; it has neither'],
      ['components[1].to', 'is before from (2026-10-01)'],
    ]);
  });

  it('checks plan dates: real days, effective_from < effective_to', () => {
    expect(
      problemsOf((p) => {
        p.effective_to = '2026-01-01';
      }).map((x) => x.field),
    ).toEqual(['effective_to']);
    expect(
      problemsOf((p) => {
        p.effective_from = '2026-02-30';
      }).map((x) => x.message),
    ).toEqual(['"2026-02-30" is not a calendar day']);
  });

  it('compiles every CEL expression and names its path', () => {
    const problems = problemsOf((p) => {
      p.eligible = 'deal.amount >';
      p.credit.types[0].when = "deal.type == 'new' &&";
      p.components[0].when = 'deal.type ==';
      p.components[0].multipliers.push({ label: 'bad', when: 'deal.(margin', factor: 2 });
    });
    expect(problems.map((p) => p.field)).toEqual([
      'eligible',
      'credit.types[0].when',
      'components[0].when',
      'components[0].multipliers[1].when',
    ]);
    expect(problems[3]?.value).toBe('deal.(margin');
  });

  it('checks rate-table keys as CEL too', () => {
    expect(
      fields((p) => {
        delete p.components[0].tiers;
        p.components[0].rate_table = { key: 'deal.product_family ==', rates: { GTX: '10%' } };
      }),
    ).toEqual(['components[0].rate_table.key']);
  });

  it('checks bonuses: attainment needs a measure with a quota; tables are interpolated', () => {
    expect(
      fields((p) => {
        p.components.push({ id: 'team', kind: 'bonus', amount: '5000', basis: 'attainment' });
        p.components.push({
          id: 'team2',
          kind: 'bonus',
          amount: '5000',
          basis: 'attainment',
          measure: 'margin_mtd',
          tiers: { basis: 'attainment', measure: 'revenue_qtd', method: 'marginal', bands: [{ rate: 1 }] },
        });
      }),
    ).toEqual(['components[1].measure', 'components[2].measure', 'components[2].tiers.method']);
  });

  it('checks crediting rules and rollup levels', () => {
    expect(
      fields((p) => {
        p.credit.rules = ['owner', 'rollup', 'owner'];
      }),
    ).toEqual(['credit.rules[2]', 'credit.rollup_levels']);
  });

  it('checks duplicate ids and test expectations', () => {
    expect(
      fields((p) => {
        p.credit.types.push({ id: 'revenue', amount: 'units' });
        p.components.push({ ...p.components[0] });
        p.tests = [
          { name: 't', input: {}, expect: [{ payee: 'a', period: '2026-01', line: 'x' }] },
          { name: 't', input: {}, expect: [{ payee: 'a', period: '2026-01' }] },
        ];
      }),
    ).toEqual([
      'credit.types[2].id',
      'components[1].id',
      'tests[0].expect[0]',
      'tests[1].name',
      'tests[1].expect[0]',
    ]);
  });

  it('checks the draw', () => {
    expect(
      fields((p) => {
        p.draw = { kind: 'recoverable', amount: '5000', until: '2025-12-31', recovery: { max_share: '0%' } };
      }),
    ).toEqual(['draw.until', 'draw.recovery.max_share']);
  });
});

describe('parseBound', () => {
  it('reads attainment as a percentage or a fraction, amounts as money', () => {
    expect(parseBound('125%', 'attainment')).toEqual({ ppm: 1_250_000 });
    expect(parseBound(1.25, 'attainment')).toEqual({ ppm: 1_250_000 });
    expect(parseBound('1000', 'amount')).toEqual({ ppm: 1_000_000_000 });
    expect(parseBound('12.5%', 'amount').error).toMatch(/not a percentage/);
    expect(parseBound('lots', 'attainment').error).toMatch(/expected an attainment/);
  });
});
