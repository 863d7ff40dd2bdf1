import { demoMetricsInput } from '../src/domain/metrics/testing/demo-metrics-input.ts';
import { nativeStages } from '../src/domain/demo/native-stages.ts';
import { runBacktest } from '../src/domain/forecast/backtest.ts';
import { generatePeriods } from '../src/domain/calendar/fiscal-calendar.ts';
const seed = Number(process.argv[2] ?? 7);
const demo = demoMetricsInput({
  seed,
  reps: 50,
  startOn: '2022-01-01',
  months: 36,
  kinds: ['person', 'opportunity'],
});
const periods = generatePeriods({ fiscalYearStartMonth: 1, fromFiscalYear: 2023, toFiscalYear: 2024 })
  .filter((p) => p.kind === 'quarter')
  .map((p) => ({ from: p.startDay, to: p.endDay + 1, label: p.label }));
const stageProbabilities = Object.fromEntries(nativeStages.map((s) => [s.name, s.probability]));
const t = performance.now();
const result = runBacktest(
  { snapshot: demo.input.opportunities, dimensions: demo.input.dimensions },
  {
    periods,
    stageProbabilities,
    monteCarlo: { trials: 2000, seed: 1 },
  },
);
console.log('ms', Math.round(performance.now() - t));
for (const s of result.scores)
  console.log(
    s.horizon.padEnd(24),
    s.method.padEnd(16),
    s.outcomes,
    s.wape?.toFixed(3),
    s.bias?.toFixed(3),
    s.coverage?.toFixed(2) ?? '',
  );
if (process.argv[3])
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
