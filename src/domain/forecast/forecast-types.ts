/**
 * The shapes the forecast engines take and return (docs/forecasting.md). Days are day numbers
 * (src/domain/calendar/day-number.ts); a period is half-open, `from` its first day and `to` the
 * first day after it. An as-of day is the last day whose events are known (its end): nothing dated
 * after it is read. Money is integer minor units of one currency; expected values and quantiles
 * are estimates, so they are plain numbers (fractions of a minor unit), never pay.
 */
import type { MetricDimensions } from '../metrics/metric-types.ts';

/** Days [from, to). */
export type ForecastPeriod = { from: number; to: number; label?: string };

/** How forecasts are rolled up; rep, team and region follow the hierarchy as of each deal's day. */
export const forecastGroupBys = ['company', 'rep', 'manager', 'team', 'region'] as const;
export type ForecastGroupBy = (typeof forecastGroupBys)[number];

/** Who sits where: needed for manager, team and region roll-ups (see metric-types.ts). */
export type ForecastDimensions = MetricDimensions;

/** The forecasting methods (docs/forecasting.md §Methods). */
export const forecastMethods = ['stage_weighted', 'historical', 'monte_carlo', 'propensity'] as const;
export type ForecastMethod = (typeof forecastMethods)[number];

/** One group's forecast for the period. */
export type GroupForecast = {
  /** Person, team or region id; 0 for the company; -1 for "none" (no owner, no team...). */
  key: number;
  /** Won revenue with a close day in the period, up to the as-of day. */
  closedMinor: number;
  /** Expected won revenue in the period, closed revenue included. */
  expectedMinor: number;
  /** Monte Carlo percentiles of won revenue in the period, closed revenue included. */
  p10Minor?: number;
  p50Minor?: number;
  p90Minor?: number;
  /** Open deals counted (with a non-zero chance of closing won in the period). */
  openDeals: number;
};
