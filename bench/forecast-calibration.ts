/**
 * Deal-level accuracy of the win-propensity model on a demo organisation of any size and seed
 * (docs/forecasting.md §Win propensity):
 *
 *   npx tsx bench/forecast-calibration.ts [seed=7] [reps=200]
 *
 * Trains the model as of the start and the 4th week of each quarter of FY2023–FY2024, scores the
 * deals open on that day, and prints AUC, Brier score and calibration by tenth of predicted
 * probability (predicted → won, deals), with the largest gap; then the revenue WAPE of the
 * propensity method against the stage-weighted baseline.
 */
import { generatePeriods } from '../src/domain/calendar/fiscal-calendar.ts';
import { nativeStages } from '../src/domain/demo/native-stages.ts';
import { runBacktest } from '../src/domain/forecast/backtest.ts';
import { indexActivities } from '../src/domain/forecast/propensity.ts';
import { demoMetricsInput } from '../src/domain/metrics/testing/demo-metrics-input.ts';

const seed = Number(process.argv[2] ?? 7);
const reps = Number(process.argv[3] ?? 200);
const started = performance.now();
const demo = demoMetricsInput({
  seed,
  reps,
  startOn: '2022-01-01',
  months: 36,
  kinds: ['person', 'opportunity', 'activity'],
});
const periods = generatePeriods({ fiscalYearStartMonth: 1, fromFiscalYear: 2023, toFiscalYear: 2024 })
  .filter((p) => p.kind === 'quarter')
  .map((p) => ({ from: p.startDay, to: p.endDay + 1, label: p.label }));
const stageProbabilities = Object.fromEntries(nativeStages.map((s) => [s.name, s.probability]));
const result = runBacktest(
  {
    snapshot: demo.input.opportunities,
    dimensions: demo.input.dimensions,
    activities: indexActivities(demo.input.activities),
  },
  { periods, stageProbabilities, horizons: ['period_start', 'week_4'], propensity: {}, shockWindows: 0 },
);
console.log(
  `seed ${seed}, ${reps} reps, ${demo.input.opportunities.rowCount} opportunities, ${Math.round(performance.now() - started)} ms`,
);
for (const d of result.dealScores ?? []) {
  const gap = Math.max(...d.calibration.map((c) => Math.abs(c.meanPredicted - c.observedRate)));
  console.log(
    d.horizon,
    `${d.deals} deals, AUC ${d.auc?.toFixed(3)}, Brier ${d.brier?.toFixed(3)}, largest gap ${gap.toFixed(4)}`,
  );
  console.log(
    '  ',
    d.calibration
      .map((c) => `${c.meanPredicted.toFixed(2)}→${c.observedRate.toFixed(2)} (${c.count})`)
      .join(' '),
  );
}
for (const s of result.scores)
  if (s.method === 'propensity' || s.method === 'stage_weighted')
    console.log(s.horizon, s.method, 'WAPE', s.wape?.toFixed(3), 'bias', s.bias?.toFixed(3));
