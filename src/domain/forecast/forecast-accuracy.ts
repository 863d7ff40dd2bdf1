/**
 * Forecast accuracy (docs/forecasting.md §Accuracy): WAPE, signed bias and, for ranges, the share of
 * actuals inside P10–P90, over a set of (period, group) outcomes.
 */

/** One forecast and what happened. */
export type ForecastOutcome = {
  forecastMinor: number;
  actualMinor: number;
  p10Minor?: number;
  p90Minor?: number;
};

export type AccuracyScores = {
  outcomes: number;
  /** Σ|forecast − actual| ÷ Σ|actual|; null when every actual is 0. */
  wape: number | null;
  /** Σ(forecast − actual) ÷ Σ|actual|: positive over-forecasts, negative under-forecasts. */
  bias: number | null;
  /** Share of outcomes with P10 ≤ actual ≤ P90, over the outcomes that have a range; null when none has. */
  coverage: number | null;
};

/** Scores a set of outcomes. */
export function scoreForecasts(outcomes: readonly ForecastOutcome[]): AccuracyScores {
  let absoluteError = 0;
  let signedError = 0;
  let actual = 0;
  let ranged = 0;
  let inside = 0;
  for (const o of outcomes) {
    absoluteError += Math.abs(o.forecastMinor - o.actualMinor);
    signedError += o.forecastMinor - o.actualMinor;
    actual += Math.abs(o.actualMinor);
    if (o.p10Minor !== undefined && o.p90Minor !== undefined) {
      ranged++;
      if (o.p10Minor <= o.actualMinor && o.actualMinor <= o.p90Minor) inside++;
    }
  }
  return {
    outcomes: outcomes.length,
    wape: actual > 0 ? absoluteError / actual : null,
    bias: actual > 0 ? signedError / actual : null,
    coverage: ranged > 0 ? inside / ranged : null,
  };
}
