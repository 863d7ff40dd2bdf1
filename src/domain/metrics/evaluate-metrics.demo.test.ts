import { describe, expect, it } from 'vitest';
import { toDayNumber } from '../calendar/day-number.ts';
import { generateOrganisation } from '../demo/generate-organisation.ts';
import { pipelineAsOf } from '../snapshot/pipeline-as-of.ts';
import { evaluateMetrics } from './evaluate-metrics.ts';
import { calendarMetricPeriod } from './metric-periods.ts';
import type { GroupResult, MetricsRequest } from './metric-types.ts';
import { demoMetricsInput } from './testing/demo-metrics-input.ts';

// The generator's own realism test uses this organisation (generate-organisation.test.ts).
const options = { seed: 42, reps: 50, startOn: '2023-01-01', months: 24 };
const demo = demoMetricsInput(options);
const asOf = toDayNumber('2024-12-31');
const window = { from: toDayNumber('2023-01-01'), to: toDayNumber('2025-01-01') };

function evaluate(request: Partial<MetricsRequest> & Pick<MetricsRequest, 'metrics'>): GroupResult[] {
  return evaluateMetrics(demo.input, { groupBy: 'company', period: window, asOf, ...request }).groups;
}

const value = (groups: GroupResult[], label: string, metric: string) =>
  groups.find((g) => g.label === label)!.metrics[metric]!.value as number;

describe('evaluateMetrics over the demo organisation', () => {
  it('finds the win rates the generator is built for: 15–40% overall, 18–32% on new business', () => {
    const company = evaluate({ metrics: ['win_rate'] })[0]!;
    expect(company.metrics.win_rate!.value).toBeGreaterThan(0.15);
    expect(company.metrics.win_rate!.value).toBeLessThan(0.4);
    const byType = evaluate({ metrics: ['win_rate'], groupBy: 'deal_type' });
    expect(value(byType, 'new_business', 'win_rate')).toBeGreaterThan(0.18);
    expect(value(byType, 'new_business', 'win_rate')).toBeLessThan(0.32);
    // Renewals are mostly kept.
    expect(value(byType, 'renewal', 'win_rate')).toBeGreaterThan(0.6);
  });

  it('adds up won revenue exactly as the records do', () => {
    let expected = 0n;
    let deals = 0;
    for (const item of generateOrganisation({ ...options, kinds: ['opportunity'] })) {
      if (item.kind !== 'opportunity') continue;
      const o = item.record;
      if (o.stage !== 'Closed Won' || o.closedOn === null || o.closedOn > '2024-12-31') continue;
      expected += BigInt(o.amountMinor ?? 0);
      deals++;
    }
    const company = evaluate({ metrics: ['won_revenue', 'won_deals'] })[0]!;
    expect(company.metrics.won_deals!.value).toBe(deals);
    expect(BigInt((company.metrics.won_revenue!.value as string).replace('.', ''))).toBe(expected);
  });

  it('sells bigger deals over longer cycles as segments go up', () => {
    const bySegment = evaluate({ metrics: ['average_deal_size', 'sales_cycle_days'], groupBy: 'segment' });
    const size = (segment: string) => Number(value(bySegment, segment, 'average_deal_size'));
    expect(size('SMB')).toBeLessThan(size('Mid-Market'));
    expect(size('Mid-Market')).toBeLessThan(size('Enterprise'));
    expect(value(bySegment, 'SMB', 'sales_cycle_days')).toBeLessThan(
      value(bySegment, 'Enterprise', 'sales_cycle_days'),
    );
  });

  it('loses most deals early in the funnel, and converts better stage after stage', () => {
    const company = evaluate({ metrics: ['stage_conversion', 'stage_losses'] })[0]!.metrics;
    const losses = company.stage_losses!.breakdown!.map((b) => b.value as number);
    expect(losses).toHaveLength(6);
    expect(losses[0]).toBeGreaterThan(3 * losses[5]!);
    const rates = company.stage_conversion!.breakdown!.map((b) => b.value as number);
    expect(rates[0]).toBeLessThan(rates[4]!);
    expect(rates.every((rate) => rate > 0.4 && rate < 1)).toBe(true);
  });

  it('has about half the reps at quota over a year, with revenue concentrated in a few', () => {
    const year = calendarMetricPeriod('year', toDayNumber('2024-06-01'));
    const company = evaluate({
      metrics: ['reps_at_or_above_quota', 'top_decile_revenue_share', 'top_bottom_decile_ratio'],
      period: year,
    })[0]!.metrics;
    expect(company.reps_at_or_above_quota!.value).toBeGreaterThan(0.3);
    expect(company.reps_at_or_above_quota!.value).toBeLessThan(0.7);
    // The top 10% of ~50 reps bring in far more than 10% of the revenue, many times the bottom 10%.
    expect(company.top_decile_revenue_share!.value).toBeGreaterThan(0.25);
    expect(company.top_bottom_decile_ratio!.value).toBeGreaterThan(5);
  });

  it('ramps new hires over several months (the generator ramps volume over six, then the cycle)', () => {
    const company = evaluate({ metrics: ['ramp_months', 'hires_still_ramping'] })[0]!.metrics;
    expect(company.ramp_months!.denominator).toBeGreaterThanOrEqual(3);
    expect(company.ramp_months!.value).toBeGreaterThan(3);
    expect(company.ramp_months!.value).toBeLessThan(15);
  });

  it('measures open pipeline as pipelineAsOf reconstructs it, on any past day', () => {
    const s = demo.input.opportunities;
    for (const date of ['2023-03-31', '2023-11-15', '2024-06-30', '2024-12-31']) {
      const day = toDayNumber(date);
      const pipeline = pipelineAsOf(s, day);
      let amount = 0;
      let count = 0;
      for (let i = 0; i < pipeline.rowCount; i++) {
        if (pipeline.isClosed[i] === 1) continue;
        count++;
        if (!Number.isNaN(pipeline.amountMinor[i]!)) amount += pipeline.amountMinor[i]!;
      }
      const company = evaluate({ metrics: ['open_pipeline', 'open_pipeline_count'], asOf: day })[0]!.metrics;
      expect([date, company.open_pipeline_count!.value]).toEqual([date, count]);
      expect([date, Math.round(Number(company.open_pipeline!.value) * 100)]).toEqual([date, amount]);
    }
  });

  it('covers the rest of a quarter with pipeline, and says what the quota implies each day', () => {
    const day = toDayNumber('2024-11-15');
    const quarter = calendarMetricPeriod('quarter', day);
    const company = evaluate({
      metrics: ['pipeline_coverage', 'implied_daily_activities', 'activities_per_rep_per_day'],
      period: quarter,
      asOf: day,
    })[0]!.metrics;
    expect(company.pipeline_coverage!.value).toBeGreaterThan(1);
    expect(company.pipeline_coverage!.value).toBeLessThan(10);
    expect(company.implied_daily_activities!.value).toBeGreaterThan(0);
    expect(company.activities_per_rep_per_day!.value).toBeGreaterThan(0.1);
  });
});
