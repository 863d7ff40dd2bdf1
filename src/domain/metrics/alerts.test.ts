import { describe, expect, it } from 'vitest';
import { toDayNumber } from '../calendar/day-number.ts';
import { computeAlerts, type Alert } from './alerts.ts';
import { evaluateMetrics } from './evaluate-metrics.ts';
import { fiscalMetricPeriod } from './metric-periods.ts';
import { demoMetricsInput } from './testing/demo-metrics-input.ts';

const demo = demoMetricsInput({ seed: 42, reps: 50, startOn: '2023-01-01', months: 24 });
const asOf = toDayNumber('2024-11-15');
const options = {
  asOf,
  period: fiscalMetricPeriod('quarter', asOf, 1),
  currency: 'USD',
  currencyDigits: 2,
};

describe('computeAlerts over the demo organisation', () => {
  const alerts = computeAlerts(demo.input, options);
  const of = (kind: Alert['kind']) => alerts.filter((a) => a.kind === kind);

  it('flags exactly the reps whose coverage the coverage metric puts below 3:1', () => {
    const coverage = evaluateMetrics(demo.input, {
      metrics: ['pipeline_coverage'],
      groupBy: 'rep',
      period: options.period,
      asOf,
    });
    const below = coverage.groups
      .filter((g) => (g.metrics.pipeline_coverage!.flags ?? []).includes('coverage_below_3x'))
      .map((g) => g.key)
      .sort();
    expect(below.length).toBeGreaterThan(0);
    expect(
      of('low_coverage')
        .map((a) => a.personId)
        .sort(),
    ).toEqual(below);
    for (const alert of of('low_coverage')) expect(alert.value).toBeLessThan(3);
  });

  it('flags reps doing fewer activities a day than their remaining quota implies', () => {
    for (const alert of of('behind_activity_pace')) {
      expect(alert.value).toBeLessThan(alert.threshold);
      expect(alert.message).toMatch(/activities a day against the/);
    }
  });

  it('lists stalled open deals, each far past the usual time in its stage, longest first', () => {
    const stalled = of('stalled_deal');
    expect(stalled.length).toBeGreaterThan(0);
    for (const alert of stalled) {
      expect(alert.value).toBeGreaterThan(alert.threshold);
      expect(alert.opportunityId).not.toBeNull();
    }
    const ratios = stalled.map((a) => a.value / a.threshold);
    expect([...ratios].sort((a, b) => b - a)).toEqual(ratios);
  });

  it('flags a stage whose conversion fell by 5 points or more, and only then', () => {
    for (const alert of of('conversion_falling'))
      expect(alert.value).toBeLessThanOrEqual(alert.threshold - 0.05);
    // With the threshold at 100 points nothing can fall that far.
    expect(
      computeAlerts(demo.input, { ...options, conversionDrop: 1 }).filter(
        (a) => a.kind === 'conversion_falling',
      ),
    ).toEqual([]);
  });

  it('keeps a manager’s alerts to the people they may see', () => {
    const someone = of('low_coverage')[0]!.personId!;
    const scoped = computeAlerts({ ...demo.input, visible: (person) => person === someone }, options);
    expect(scoped.every((a) => a.personId === someone || a.personId === null)).toBe(true);
    expect(scoped.some((a) => a.kind === 'low_coverage' && a.personId === someone)).toBe(true);
  });

  it('is deterministic: the same input gives the same alerts', () => {
    expect(computeAlerts(demo.input, options)).toEqual(alerts);
  });
});
