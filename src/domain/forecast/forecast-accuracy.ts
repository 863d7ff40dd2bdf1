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

export type CalibrationBin = { bin: number; count: number; meanPredicted: number; observedRate: number };

export type DealScoreAccuracy = {
  deals: number;
  won: number;
  /** Area under the ROC curve (ties count half); null without both outcomes. */
  auc: number | null;
  /** Mean of (p − outcome)²: 0 is perfect, 0.25 is a coin toss at 50%. */
  brier: number | null;
  /** By decile of predicted probability (deals sorted by it, ten equal-count bins). */
  calibration: CalibrationBin[];
};

/**
 * Scores deal-level probabilities against what happened (1 won, 0 lost): AUC, the Brier score and
 * the calibration curve by decile of predicted probability.
 */
export function scoreDealPredictions(
  predicted: readonly number[],
  outcomes: readonly number[],
): DealScoreAccuracy {
  const n = predicted.length;
  const order = predicted.map((_, i) => i).sort((a, b) => predicted[a]! - predicted[b]!);
  let won = 0;
  let brier = 0;
  for (let i = 0; i < n; i++) {
    won += outcomes[i]!;
    brier += (predicted[i]! - outcomes[i]!) ** 2;
  }
  // Mann–Whitney: the rank sum of the won deals, tied predictions at their mean rank.
  let rankSum = 0;
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && predicted[order[end]!] === predicted[order[start]!]) end++;
    const meanRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) if (outcomes[order[k]!] === 1) rankSum += meanRank;
    start = end;
  }
  const lost = n - won;
  const calibration: CalibrationBin[] = [];
  if (n > 0)
    for (let bin = 0; bin < 10; bin++) {
      const from = Math.floor((bin * n) / 10);
      const to = Math.floor(((bin + 1) * n) / 10);
      if (to <= from) continue;
      let p = 0;
      let y = 0;
      for (let k = from; k < to; k++) {
        p += predicted[order[k]!]!;
        y += outcomes[order[k]!]!;
      }
      calibration.push({
        bin,
        count: to - from,
        meanPredicted: p / (to - from),
        observedRate: y / (to - from),
      });
    }
  return {
    deals: n,
    won,
    auc: won > 0 && lost > 0 ? (rankSum - (won * (won + 1)) / 2) / (won * lost) : null,
    brier: n > 0 ? brier / n : null,
    calibration,
  };
}
