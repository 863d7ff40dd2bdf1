/**
 * What the common shock costs a forecast page (docs/forecasting.md §Ranges): the first forecast of
 * a quarter and as-of day also forecasts up to 8 past windows; the next ones, by another grouping,
 * reuse them.
 *
 *   npx tsx bench/forecast-first-call.ts [reps=200]
 *
 * Forecasts FY2024 Q4 as of 2024-11-15 on the demo organisation of seed 7 (36 months from 2022),
 * by company, by rep, then by company again, each with a 2,000-trial Monte Carlo.
 */
import { toDayNumber } from '../src/domain/calendar/day-number.ts';
import { nativeStages } from '../src/domain/demo/native-stages.ts';
import { buildDealTimelines } from '../src/domain/forecast/deal-timelines.ts';
import { forecastPeriod } from '../src/domain/forecast/forecast-period.ts';
import { demoMetricsInput } from '../src/domain/metrics/testing/demo-metrics-input.ts';

const reps = Number(process.argv[2] ?? 200);
const demo = demoMetricsInput({
  seed: 7,
  reps,
  startOn: '2022-01-01',
  months: 36,
  kinds: ['person', 'opportunity'],
});
const snapshot = demo.input.opportunities;
const timelines = buildDealTimelines(snapshot);
const stageProbabilities = Object.fromEntries(nativeStages.map((s) => [s.name, s.probability]));
const period = { from: toDayNumber('2024-10-01'), to: toDayNumber('2025-01-01') };
console.log(`${reps} reps, ${snapshot.rowCount} opportunities`);
for (const groupBy of ['company', 'rep', 'company'] as const) {
  const started = performance.now();
  const result = forecastPeriod(
    { snapshot, timelines, dimensions: demo.input.dimensions },
    {
      period,
      asOf: toDayNumber('2024-11-15'),
      groupBy,
      stageProbabilities,
      monteCarlo: { trials: 2000, seed: 1 },
    },
  );
  console.log(
    `by ${groupBy}: ${Math.round(performance.now() - started)} ms; shock sd ${result.shock?.sd.toFixed(3)} from ${result.shock?.windows} windows`,
  );
}
