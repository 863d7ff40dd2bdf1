/**
 * The demo backtest of docs/forecasting.md §Results on the demo generator, for any seed:
 *
 *   npx tsx bench/forecast-backtest.ts [seed=7] [quarter|month] [propensity] [rows]
 *
 * 8 quarters (or 24 months) of FY2023–FY2024, company level, 2,000 trials, seed 1. Prints each
 * method's WAPE and bias per horizon, and the P10–P90 coverage with the common shock and with the
 * deals simulated as independent (shockWindows 0), side by side in one run. With `propensity`, the
 * win-propensity method too (trained at every horizon, on the demo's activities as well); with
 * `rows`, every period's numbers in millions.
 */
import { demoMetricsInput } from '../src/domain/metrics/testing/demo-metrics-input.ts';
import { nativeStages } from '../src/domain/demo/native-stages.ts';
import { runBacktest } from '../src/domain/forecast/backtest.ts';
import { indexActivities } from '../src/domain/forecast/propensity.ts';
import { generatePeriods } from '../src/domain/calendar/fiscal-calendar.ts';

const seed = Number(process.argv[2] ?? 7);
const kind = process.argv[3] === 'month' ? 'month' : 'quarter';
const flags = new Set(process.argv.slice(4));
const withPropensity = flags.has('propensity');
const demo = demoMetricsInput({
  seed,
  reps: 50,
  startOn: '2022-01-01',
  months: 36,
  kinds: withPropensity ? ['person', 'opportunity', 'activity'] : ['person', 'opportunity'],
});
const periods = generatePeriods({ fiscalYearStartMonth: 1, fromFiscalYear: 2023, toFiscalYear: 2024 })
  .filter((p) => p.kind === kind)
  .map((p) => ({ from: p.startDay, to: p.endDay + 1, label: p.label }));
const stageProbabilities = Object.fromEntries(nativeStages.map((s) => [s.name, s.probability]));
const input = {
  snapshot: demo.input.opportunities,
  dimensions: demo.input.dimensions,
  ...(withPropensity ? { activities: indexActivities(demo.input.activities) } : {}),
};
const request = {
  periods,
  stageProbabilities,
  monteCarlo: { trials: 2000, seed: 1 },
  ...(withPropensity ? { propensity: {} } : {}),
};

let t = performance.now();
const result = runBacktest(input, request);
const ms = Math.round(performance.now() - t);
t = performance.now();
const independent = runBacktest(input, { ...request, shockWindows: 0 });
const independentMs = Math.round(performance.now() - t);
console.log(`seed ${seed}, ${periods.length} ${kind}s; ${ms} ms with the shock, ${independentMs} ms without`);
console.log('horizon'.padEnd(24), 'method'.padEnd(16), 'n', 'WAPE', 'bias', 'coverage (independent)');
for (const s of result.scores) {
  const other = independent.scores.find((o) => o.method === s.method && o.horizon === s.horizon);
  console.log(
    s.horizon.padEnd(24),
    s.method.padEnd(16),
    s.outcomes,
    s.wape?.toFixed(3),
    s.bias?.toFixed(3),
    s.coverage == null ? '' : `${s.coverage.toFixed(2)} (${other?.coverage?.toFixed(2)})`,
  );
}
for (const d of result.dealScores ?? [])
  console.log(
    d.horizon.padEnd(24),
    `deal scores: ${d.deals} deals, AUC ${d.auc?.toFixed(3)}, Brier ${d.brier?.toFixed(3)}`,
  );
if (flags.has('rows'))
  for (const r of result.rows)
    console.log(
      r.period.label,
      r.horizon,
      (r.actualMinor / 1e8).toFixed(2),
      (r.stageWeightedMinor / 1e8).toFixed(2),
      (r.historicalMinor / 1e8).toFixed(2),
      ((r.p10Minor ?? 0) / 1e8).toFixed(2),
      ((r.p50Minor ?? 0) / 1e8).toFixed(2),
      ((r.p90Minor ?? 0) / 1e8).toFixed(2),
    );
