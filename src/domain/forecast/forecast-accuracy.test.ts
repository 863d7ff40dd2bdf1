import { describe, expect, it } from 'vitest';
import { scoreDealPredictions, scoreForecasts } from './forecast-accuracy.ts';

describe('scoreForecasts', () => {
  it('computes WAPE, signed bias and P10–P90 coverage', () => {
    const scores = scoreForecasts([
      { forecastMinor: 110, actualMinor: 100, p10Minor: 90, p90Minor: 120 }, // +10, inside
      { forecastMinor: 270, actualMinor: 300, p10Minor: 250, p90Minor: 290 }, // −30, outside
      { forecastMinor: 100, actualMinor: 100, p10Minor: 100, p90Minor: 100 }, // 0, inside (bounds count)
    ]);
    expect(scores).toEqual({ outcomes: 3, wape: 40 / 500, bias: -20 / 500, coverage: 2 / 3 });
  });

  it('has no WAPE when nothing was won, and no coverage without ranges', () => {
    expect(scoreForecasts([{ forecastMinor: 5, actualMinor: 0 }])).toEqual({
      outcomes: 1,
      wape: null,
      bias: null,
      coverage: null,
    });
  });
});

describe('scoreDealPredictions', () => {
  it('computes AUC with ties at half, the Brier score and the calibration by decile', () => {
    // Won: 0.9, 0.6 (tied with a loss), lost: 0.6, 0.2. Pairs (won > lost): 0.9>0.6, 0.9>0.2, 0.6>0.2, 0.6=0.6 (half).
    const scores = scoreDealPredictions([0.9, 0.6, 0.6, 0.2], [1, 1, 0, 0]);
    expect(scores.auc).toBeCloseTo(3.5 / 4, 12);
    expect(scores.brier).toBeCloseTo((0.01 + 0.16 + 0.36 + 0.04) / 4, 12);
    expect(scores.won).toBe(2);
    const twenty = scoreDealPredictions(
      Array.from({ length: 20 }, (_, i) => i / 20),
      Array.from({ length: 20 }, (_, i) => (i >= 10 ? 1 : 0)),
    );
    expect(twenty.auc).toBe(1);
    expect(twenty.calibration).toHaveLength(10);
    expect(twenty.calibration[0]).toEqual({ bin: 0, count: 2, meanPredicted: 0.025, observedRate: 0 });
    expect(twenty.calibration[9]!.observedRate).toBe(1);
  });

  it('has no AUC without both outcomes', () => {
    expect(scoreDealPredictions([0.3, 0.4], [1, 1]).auc).toBeNull();
  });
});
