/**
 * The backtest harness (docs/forecasting.md §Backtest): for each past period and each horizon, the
 * pipeline and the history are rebuilt as they stood at the end of the horizon's day (nothing dated
 * after it is read, by pipelineAsOf and the as-of bound of every learner), each method forecasts
 * the period, and the forecasts are scored against what was actually won.
 */
import { MAX_DAY_NUMBER } from '../calendar/day-number.ts';
import { GroupResolver, SlotTable } from '../metrics/group-resolver.ts';
import { buildDealTimelines, wonAsOf } from './deal-timelines.ts';
import { dealsAsOf } from './deals-as-of.ts';
import {
  scoreDealPredictions,
  scoreForecasts,
  type AccuracyScores,
  type DealScoreAccuracy,
  type ForecastOutcome,
} from './forecast-accuracy.ts';
import { NULL_DAY } from '../snapshot/columns.ts';
import { forecastPeriod, type ForecastInput, type ForecastRequest } from './forecast-period.ts';
import type { ForecastGroupBy, ForecastMethod, ForecastPeriod } from './forecast-types.ts';

/** When, within a period, a forecast is made. */
export const backtestHorizons = ['period_start', 'week_4', 'week_8', 'three_weeks_before_end'] as const;
export type BacktestHorizon = (typeof backtestHorizons)[number];

/**
 * The as-of day of a horizon: the day before the period starts; the end of its 4th or 8th week
 * (28 or 56 days in); the day that leaves 21 days to go. Undefined when that day is not before the
 * period's last day (a month has no week 8).
 */
export function horizonAsOf(horizon: BacktestHorizon, period: ForecastPeriod): number | undefined {
  const asOf =
    horizon === 'period_start'
      ? period.from - 1
      : horizon === 'week_4'
        ? period.from + 27
        : horizon === 'week_8'
          ? period.from + 55
          : period.to - 22;
  return asOf < period.to - 1 && asOf >= period.from - 1 ? asOf : undefined;
}

export type BacktestRequest = Omit<ForecastRequest, 'period' | 'asOf' | 'groupBy'> & {
  periods: readonly ForecastPeriod[];
  horizons?: readonly BacktestHorizon[];
  /** Default 'company'; other groupings score every (period, group) pair. */
  groupBy?: ForecastGroupBy;
};

export type BacktestRow = {
  period: ForecastPeriod;
  horizon: BacktestHorizon;
  asOf: number;
  /** Group key (0 for the company). */
  key: number;
  actualMinor: number;
  stageWeightedMinor: number;
  historicalMinor: number;
  /** With `propensity` in the request. */
  propensityMinor?: number;
  p10Minor?: number;
  p50Minor?: number;
  p90Minor?: number;
};

export type BacktestScore = AccuracyScores & { method: ForecastMethod; horizon: BacktestHorizon };

/**
 * With `propensity`: the deal-level scores of each horizon, over every open deal scored on its
 * as-of day that has closed since (deals still open now have no outcome and are left out).
 */
export type DealScoreBacktest = DealScoreAccuracy & { horizon: BacktestHorizon };

export type BacktestResult = {
  rows: BacktestRow[];
  scores: BacktestScore[];
  dealScores?: DealScoreBacktest[];
};

/**
 * Won revenue per group with a close day in the period, as the data stands now (the truth a
 * backtest scores against), grouped by the owner on the day each deal was won.
 */
export function actualRevenue(
  input: ForecastInput,
  period: ForecastPeriod,
  groupBy: ForecastGroupBy,
  currency = -1,
): Map<number, number> {
  const { snapshot } = input;
  const timelines = input.timelines ?? buildDealTimelines(snapshot);
  const { won } = dealsAsOf(snapshot, timelines, MAX_DAY_NUMBER, currency);
  const resolver = new GroupResolver(groupBy, snapshot, input.dimensions ?? { people: [], assignments: [] });
  const actual = new Map<number, number>();
  for (let i = 0; i < won.count; i++) {
    const day = won.wonDay[i]!;
    if (day < period.from || day >= period.to) continue;
    const key = resolver.keyOfPerson(won.owner[i]!, day);
    actual.set(key, (actual.get(key) ?? 0) + won.amountMinor[i]!);
  }
  return actual;
}

/** Runs every method at every horizon of every period and scores them. */
export function runBacktest(input: ForecastInput, request: BacktestRequest): BacktestResult {
  const timelines = input.timelines ?? buildDealTimelines(input.snapshot);
  const withTimelines = { ...input, timelines };
  const groupBy = request.groupBy ?? 'company';
  const horizons = request.horizons ?? backtestHorizons;
  // -1: every deal (forecastPeriod refuses a mix of currencies); -2: a currency no deal has.
  const code =
    request.currency === undefined ? -1 : input.snapshot.currency.dictionary.indexOf(request.currency);
  const currency = request.currency !== undefined && code < 0 ? -2 : code;
  const rows: BacktestRow[] = [];
  const dealPredictions = new Map<BacktestHorizon, { p: number[]; y: number[] }>();
  for (const period of request.periods) {
    const actual = actualRevenue(withTimelines, period, groupBy, currency);
    for (const horizon of horizons) {
      const asOf = horizonAsOf(horizon, period);
      if (asOf === undefined) continue;
      const forecast = forecastPeriod(withTimelines, { ...request, period, asOf, groupBy });
      if (forecast.dealScores) {
        const into = dealPredictions.get(horizon) ?? { p: [], y: [] };
        dealPredictions.set(horizon, into);
        const { row, probability } = forecast.dealScores;
        for (let i = 0; i < row.length; i++) {
          const r = row[i]!;
          if (timelines.closeDay[r] === NULL_DAY || Number.isNaN(probability[i]!)) continue;
          into.p.push(probability[i]!);
          into.y.push(wonAsOf(timelines, r, MAX_DAY_NUMBER));
        }
      }
      // Every group that had a forecast or an actual.
      const keys = new SlotTable();
      for (const g of forecast.historical) keys.slotOf(g.key);
      for (const key of actual.keys()) keys.slotOf(key);
      for (const key of [...keys.keys].sort((a, b) => a - b)) {
        const weighted = forecast.stageWeighted.find((g) => g.key === key);
        const historical = forecast.historical.find((g) => g.key === key);
        const propensity = forecast.propensity?.find((g) => g.key === key);
        rows.push({
          period,
          horizon,
          asOf,
          key,
          actualMinor: actual.get(key) ?? 0,
          stageWeightedMinor: weighted?.expectedMinor ?? 0,
          historicalMinor: historical?.expectedMinor ?? 0,
          ...(forecast.propensity ? { propensityMinor: propensity?.expectedMinor ?? 0 } : {}),
          ...(request.monteCarlo
            ? {
                p10Minor: historical?.p10Minor ?? 0,
                p50Minor: historical?.p50Minor ?? 0,
                p90Minor: historical?.p90Minor ?? 0,
              }
            : {}),
        });
      }
    }
  }
  const scores: BacktestScore[] = [];
  for (const horizon of horizons) {
    const at = rows.filter((row) => row.horizon === horizon);
    if (at.length === 0) continue;
    const score = (method: ForecastMethod, outcomes: ForecastOutcome[]) =>
      scores.push({ method, horizon, ...scoreForecasts(outcomes) });
    score(
      'stage_weighted',
      at.map((row) => ({ forecastMinor: row.stageWeightedMinor, actualMinor: row.actualMinor })),
    );
    score(
      'historical',
      at.map((row) => ({ forecastMinor: row.historicalMinor, actualMinor: row.actualMinor })),
    );
    if (request.propensity)
      score(
        'propensity',
        at.map((row) => ({ forecastMinor: row.propensityMinor ?? 0, actualMinor: row.actualMinor })),
      );
    if (request.monteCarlo)
      score(
        'monte_carlo',
        at.map((row) => ({
          forecastMinor: row.p50Minor!,
          actualMinor: row.actualMinor,
          p10Minor: row.p10Minor!,
          p90Minor: row.p90Minor!,
        })),
      );
  }
  const dealScores: DealScoreBacktest[] = [];
  for (const [horizon, { p, y }] of dealPredictions)
    dealScores.push({ horizon, ...scoreDealPredictions(p, y) });
  return { rows, scores, ...(request.propensity ? { dealScores } : {}) };
}
