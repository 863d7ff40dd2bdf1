import { describe, expect, it } from 'vitest';
import { scoreForecasts } from './forecast-accuracy.ts';

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
