// The win-propensity model on the demo generator's data, where the truth is known: trained as of
// each horizon day of 8 quarters (FY2023 Q1 .. FY2024 Q4), scoring the deals open on that day,
// against how those deals ended. The numbers this test prints are the ones docs/forecasting.md
// reports (run: npx vitest run src/domain/forecast/propensity.demo.test.ts).
import { describe, expect, it } from 'vitest';
import { generatePeriods } from '../calendar/fiscal-calendar.ts';
import { nativeStages } from '../demo/native-stages.ts';
import { demoMetricsInput } from '../metrics/testing/demo-metrics-input.ts';
import { runBacktest } from './backtest.ts';
import { buildDealTimelines } from './deal-timelines.ts';
import { dealsAsOf } from './deals-as-of.ts';
import { indexActivities, scorePropensity, trainPropensityModel } from './propensity.ts';

/** The demo organisation of seed 7 over 36 months from 2022, with activities. */
const demoOf = (reps: number) =>
  demoMetricsInput({
    seed: 7,
    reps,
    startOn: '2022-01-01',
    months: 36,
    kinds: ['person', 'opportunity', 'activity'],
  });
const demo = demoOf(50);
const periods = generatePeriods({ fiscalYearStartMonth: 1, fromFiscalYear: 2023, toFiscalYear: 2024 })
  .filter((p) => p.kind === 'quarter')
  .map((p) => ({ from: p.startDay, to: p.endDay + 1, label: p.label }));
const stageProbabilities = Object.fromEntries(nativeStages.map((s) => [s.name, s.probability]));
const activities = indexActivities(demo.input.activities);

describe('win propensity on the demo organisation', () => {
  const result = runBacktest(
    { snapshot: demo.input.opportunities, dimensions: demo.input.dimensions, activities },
    { periods, stageProbabilities, horizons: ['period_start', 'week_4'], propensity: {} },
  );
  const deal = (horizon: string) => result.dealScores!.find((d) => d.horizon === horizon)!;
  const score = (method: string, horizon: string) =>
    result.scores.find((s) => s.method === method && s.horizon === horizon)!;

  it('ranks deals: AUC of at least 0.75 at the start of the period and at week 4', () => {
    for (const d of result.dealScores!) {
      console.log(
        d.horizon,
        `${d.deals} deals, AUC ${d.auc!.toFixed(3)}, Brier ${d.brier!.toFixed(3)}`,
        d.calibration.map((c) => `${c.meanPredicted.toFixed(2)}→${c.observedRate.toFixed(2)}`).join(' '),
      );
      expect(d.deals).toBeGreaterThan(1_000);
      expect(d.auc!).toBeGreaterThanOrEqual(0.75);
    }
  });

  it('is calibrated within ±0.05 in deciles 8 and 9 only: it over-predicts the middle by up to 0.15', () => {
    // The issue asks ±0.05 in every decile with 100 or more deals: not met (docs/forecasting.md).
    for (const horizon of ['period_start', 'week_4']) {
      const bins = deal(horizon).calibration;
      for (const bin of bins) {
        expect(bin.count).toBeGreaterThanOrEqual(100);
        expect(Math.abs(bin.observedRate - bin.meanPredicted)).toBeLessThan(0.15);
      }
      for (const bin of bins.slice(7, 9))
        expect(Math.abs(bin.observedRate - bin.meanPredicted)).toBeLessThan(0.05);
    }
  });

  it('forecasts revenue better than the stage-weighted pipeline at the start of the period and at week 4', () => {
    for (const horizon of ['period_start', 'week_4'])
      expect(score('propensity', horizon).wape!).toBeLessThan(score('stage_weighted', horizon).wape!);
  });

  it('says why: the top factors of a score, in words', () => {
    const timelines = buildDealTimelines(demo.input.opportunities);
    const asOf = periods[4]!.from - 1;
    const model = trainPropensityModel(demo.input.opportunities, timelines, activities, asOf);
    if (!model.usable) throw new Error(model.reason);
    const open = dealsAsOf(demo.input.opportunities, timelines, asOf).open;
    const scores = scorePropensity(model, demo.input.opportunities, timelines, activities, open.row, asOf, 3);
    expect(scores.factors.every((f) => f.length <= 3)).toBe(true);
    const all = scores.factors.flat();
    expect(all.length).toBeGreaterThan(open.count);
    expect(all.some((f) => f.text.startsWith('in '))).toBe(true);
    for (const f of all) expect(f.text).not.toMatch(/^(log_|stage=|NaN)/);
  });

  it('says when there is too little history to trust, and how much there was', () => {
    const timelines = buildDealTimelines(demo.input.opportunities);
    const early = trainPropensityModel(
      demo.input.opportunities,
      timelines,
      activities,
      periods[0]!.from - 330,
    );
    expect(early.usable).toBe(false);
    if (!early.usable)
      expect(early.reason).toMatch(/too little closed history.*\d+ deals \(\d+ won, \d+ lost\)/);
  });
});

// The check: calibrated within ±0.05 in each tenth of predicted probability that holds
// 100 or more deals. 50 reps give about 200 deals a tenth, whose sampling error alone (about 0.035)
// can exceed that; 200 reps give about 720 a tenth. Seeds 1 and 2: docs/forecasting.md.
describe('win propensity on a 200-rep demo organisation', () => {
  const large = demoOf(200);
  const result = runBacktest(
    {
      snapshot: large.input.opportunities,
      dimensions: large.input.dimensions,
      activities: indexActivities(large.input.activities),
    },
    { periods, stageProbabilities, horizons: ['period_start', 'week_4'], propensity: {}, shockWindows: 0 },
  );

  it('is calibrated within ±0.05 in every tenth, at the start of the period and at week 4', () => {
    for (const d of result.dealScores!) {
      console.log(
        d.horizon,
        `${d.deals} deals, AUC ${d.auc!.toFixed(3)}, Brier ${d.brier!.toFixed(3)}`,
        d.calibration
          .map((c) => `${c.meanPredicted.toFixed(3)}→${c.observedRate.toFixed(3)} (${c.count})`)
          .join(' '),
      );
      expect(d.auc!).toBeGreaterThanOrEqual(0.75);
      for (const bin of d.calibration) {
        expect(bin.count).toBeGreaterThanOrEqual(100);
        expect(
          Math.abs(bin.observedRate - bin.meanPredicted),
          `${d.horizon} tenth ${bin.bin}`,
        ).toBeLessThanOrEqual(0.05);
      }
    }
  });
});
