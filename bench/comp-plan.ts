/** The compensation benchmark's plan (bench/comp-bench.ts), and the same numbers for the DuckDB reference. */
import type { ReferencePlan } from './comp-duckdb.ts';

/**
 * The benchmark plan: monthly, revenue credited to the owner or the split payees and rolled up two
 * levels; marginal tiers on the month's attainment; a margin accelerator and a low-margin
 * decelerator on the deal's gross margin.
 */
export const benchPlanSource = {
  id: 'bench-marginal-margin',
  name: 'Benchmark: marginal attainment tiers, margin accelerator, splits, two-level roll-up',
  currency: 'USD',
  period: 'month',
  effective_from: '2025-01-01',
  credit: {
    rules: ['owner', 'splits', 'rollup'],
    rollup_levels: 2,
    types: [{ id: 'revenue', amount: 'amount' }],
  },
  measures: [{ id: 'revenue_month', credit: 'revenue', window: 'period', quota: 'revenue' }],
  components: [
    {
      id: 'commission',
      kind: 'commission',
      credit: 'revenue',
      tiers: {
        basis: 'attainment',
        measure: 'revenue_month',
        method: 'marginal',
        bands: [
          { to: '50%', rate: '2%' },
          { to: '100%', rate: '5%' },
          { to: '150%', rate: '8%' },
          { rate: '12%' },
        ],
      },
      multipliers: [
        { label: 'margin accelerator', when: 'deal.margin_pct >= 40.0', factor: 1.5 },
        { label: 'low-margin decelerator', when: 'deal.margin_pct < 15.0', factor: 0.5 },
      ],
    },
  ],
};

/** The same numbers for the SQL reference. */
export const referencePlan: ReferencePlan = {
  boundsPpm: [500_000, 1_000_000, 1_500_000],
  ratesPpm: [20_000, 50_000, 80_000, 120_000],
  acceleratorMinBps: 4_000,
  acceleratorPpm: 1_500_000,
  deceleratorBelowBps: 1_500,
  deceleratorPpm: 500_000,
  rounding: 'line',
};
