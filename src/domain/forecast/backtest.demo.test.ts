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

  it('forecasts each period from the pipeline as it stood on the horizon day', () => {
    for (const row of result.rows) {
      expect(row.asOf).toBe(horizonAsOf(row.horizon, row.period));
      expect(row.p10Minor!).toBeLessThanOrEqual(row.p50Minor!);
      expect(row.p50Minor!).toBeLessThanOrEqual(row.p90Minor!);
    }
  });
});
