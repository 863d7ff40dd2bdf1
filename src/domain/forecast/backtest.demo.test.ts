// The backtest on the demo generator's data, where the truth is known. The numbers this test
// prints are the ones docs/forecasting.md reports (run: npx vitest run src/domain/forecast/backtest.demo.test.ts).
import { describe, expect, it } from 'vitest';
import { generatePeriods } from '../calendar/fiscal-calendar.ts';
import { nativeStages } from '../demo/native-stages.ts';
import { demoMetricsInput } from '../metrics/testing/demo-metrics-input.ts';
import { horizonAsOf, runBacktest } from './backtest.ts';

const demo = demoMetricsInput({
  seed: 7,
  reps: 50,
  startOn: '2022-01-01',
  months: 36,
  kinds: ['person', 'opportunity'],
});
// Eight quarters, FY2023 Q1 .. FY2024 Q4, after a year of history to learn from.
const periods = generatePeriods({ fiscalYearStartMonth: 1, fromFiscalYear: 2023, toFiscalYear: 2024 })
  .filter((p) => p.kind === 'quarter')
  .map((p) => ({ from: p.startDay, to: p.endDay + 1, label: p.label }));
const stageProbabilities = Object.fromEntries(nativeStages.map((s) => [s.name, s.probability]));

describe('backtest on the demo organisation', () => {
  const result = runBacktest(
    { snapshot: demo.input.opportunities, dimensions: demo.input.dimensions },
    { periods, stageProbabilities, monteCarlo: { trials: 2_000, seed: 1 } },
  );
  const score = (method: string, horizon: string) =>
    result.scores.find((s) => s.method === method && s.horizon === horizon)!;

  it('scores 8 periods at each horizon', () => {
    console.table(
      result.scores.map((s) => ({
        horizon: s.horizon,
        method: s.method,
        periods: s.outcomes,
        wape: s.wape?.toFixed(3),
        bias: s.bias?.toFixed(3),
        coverage: s.coverage?.toFixed(2),
      })),
    );
    expect(periods).toHaveLength(8);
    for (const s of result.scores) expect(s.outcomes).toBe(8);
  });

  it('beats the stage-weighted pipeline at the start of the period and at week 4', () => {
    for (const horizon of ['period_start', 'week_4']) {
      expect(score('monte_carlo', horizon).wape!).toBeLessThan(score('stage_weighted', horizon).wape!);
      expect(score('historical', horizon).wape!).toBeLessThan(score('stage_weighted', horizon).wape!);
    }
  });

  it('puts the actual inside P10–P90 in at least 70% of the quarters at every horizon', () => {
    for (const s of result.scores.filter((x) => x.method === 'monte_carlo'))
      expect(s.coverage!, s.horizon).toBeGreaterThanOrEqual(0.7);
  });

  it('forecasts each period from the pipeline as it stood on the horizon day', () => {
    for (const row of result.rows) {
      expect(row.asOf).toBe(horizonAsOf(row.horizon, row.period));
      expect(row.p10Minor!).toBeLessThanOrEqual(row.p50Minor!);
      expect(row.p50Minor!).toBeLessThanOrEqual(row.p90Minor!);
    }
  });
});

// 8 quarters give coverage in steps of 12.5 points; 24 months measure it more finely.
describe('P10–P90 coverage over 24 months of the demo organisation', () => {
  const months = generatePeriods({ fiscalYearStartMonth: 1, fromFiscalYear: 2023, toFiscalYear: 2024 })
    .filter((p) => p.kind === 'month')
    .map((p) => ({ from: p.startDay, to: p.endDay + 1, label: p.label }));
  const input = { snapshot: demo.input.opportunities, dimensions: demo.input.dimensions };
  const request = { periods: months, stageProbabilities, monteCarlo: { trials: 2_000, seed: 1 } };
  const coverage = (r: ReturnType<typeof runBacktest>) =>
    Object.fromEntries(
      r.scores.filter((s) => s.method === 'monte_carlo').map((s) => [s.horizon, s.coverage!]),
    );
  const shocked = coverage(runBacktest(input, request));
  const independent = coverage(runBacktest(input, { ...request, shockWindows: 0 }));

  it('is within 70–90% at every horizon with the common shock, and wider than with independent deals', () => {
    console.table(
      Object.keys(shocked).map((h) => ({ horizon: h, shock: shocked[h], independent: independent[h] })),
    );
    expect(months).toHaveLength(24);
    for (const [horizon, share] of Object.entries(shocked)) {
      expect(share, horizon).toBeGreaterThanOrEqual(0.7);
      expect(share, horizon).toBeLessThanOrEqual(0.9);
      expect(share, horizon).toBeGreaterThanOrEqual(independent[horizon]!);
    }
    const mean = (x: Record<string, number>) => Object.values(x).reduce((a, b) => a + b, 0) / 3;
    expect(mean(shocked)).toBeGreaterThan(mean(independent));
  });
});
