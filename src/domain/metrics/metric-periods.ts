/**
 * The periods a metrics request measures, built from the fiscal calendar (fiscal-calendar.ts):
 * weeks, months, quarters, halves and years, fiscal or calendar, and trailing N days. A period is
 * half-open, [from, to), and carries its predecessor of the same kind for `compareTo`.
 */
import { fromCivilDate, fromDayNumber, toCivilDate, daysInMonth } from '../calendar/day-number.ts';
import { findPeriod, type PeriodKind } from '../calendar/fiscal-calendar.ts';
import { DomainError } from '../errors.ts';
import type { MetricPeriod, PeriodSpan } from './metric-types.ts';

function spanOf(kind: PeriodKind, day: number, fiscalYearStartMonth: number, calendar: boolean): PeriodSpan {
  const period = findPeriod(kind, day, fiscalYearStartMonth);
  // A calendar year is a fiscal year that starts in January; its label drops the "FY".
  const label = calendar ? period.label.replace(/^FY/, '') : period.label;
  return { from: period.startDay, to: period.endDay + 1, label };
}

/** The fiscal period of a kind that contains `day`, with the one before it as `prior`. */
export function fiscalMetricPeriod(
  kind: PeriodKind,
  day: number,
  fiscalYearStartMonth: number,
): MetricPeriod {
  const current = spanOf(kind, day, fiscalYearStartMonth, false);
  return { ...current, prior: spanOf(kind, current.from - 1, fiscalYearStartMonth, false) };
}

/** The calendar period (a fiscal calendar starting in January) that contains `day`, with its prior. */
export function calendarMetricPeriod(kind: PeriodKind, day: number): MetricPeriod {
  const current = spanOf(kind, day, 1, true);
  return { ...current, prior: spanOf(kind, current.from - 1, 1, true) };
}

/** The `days` days ending with `asOf` (inclusive), with the `days` days before them as `prior`. */
export function trailingDaysPeriod(days: number, asOf: number): MetricPeriod {
  if (!Number.isInteger(days) || days < 1)
    throw new DomainError('invariant', `A trailing period needs a whole number of days ≥ 1, got ${days}`);
  const to = asOf + 1;
  const from = to - days;
  return {
    from,
    to,
    label: `${days} days to ${fromDayNumber(asOf)}`,
    prior: { from: from - days, to: from, label: `${days} days to ${fromDayNumber(from - 1)}` },
  };
}

/** The span `compareTo: 'prior_period'` compares with: the period's own prior, else as many days just before. */
export function priorSpan(period: MetricPeriod): PeriodSpan {
  if (period.prior) return period.prior;
  const length = period.to - period.from;
  return { from: period.from - length, to: period.from };
}

/** The same day-of-month `count` months later, clamped to the month's last day (Jan 31 + 1 → Feb 28/29). */
export function addMonths(day: number, count: number): number {
  const { year, month, day: dayOfMonth } = toCivilDate(day);
  const index = year * 12 + (month - 1) + count;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12 + 1;
  return fromCivilDate(targetYear, targetMonth, Math.min(dayOfMonth, daysInMonth(targetYear, targetMonth)));
}

/**
 * The tenure month (1, 2, ...) `day` falls in for someone hired on `hiredOn`: month k is
 * [addMonths(hiredOn, k − 1), addMonths(hiredOn, k)). 0 before the hire day.
 */
export function tenureMonthOf(hiredOn: number, day: number): number {
  if (day < hiredOn) return 0;
  const hired = toCivilDate(hiredOn);
  const now = toCivilDate(day);
  let months = (now.year - hired.year) * 12 + (now.month - hired.month);
  if (addMonths(hiredOn, months) > day) months -= 1;
  return months + 1;
}

/** Monday-to-Friday days in [from, to). */
export function businessDaysBetween(from: number, to: number): number {
  if (to <= from) return 0;
  const days = to - from;
  const weeks = Math.floor(days / 7);
  let count = weeks * 5;
  // 1970-01-01 (day 0) was a Thursday: weekday 0 = Monday ... 6 = Sunday.
  for (let day = from + weeks * 7; day < to; day++) {
    const weekday = (((day + 3) % 7) + 7) % 7;
    if (weekday < 5) count++;
  }
  return count;
}
