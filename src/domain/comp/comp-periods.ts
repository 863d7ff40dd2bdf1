/**
 * The periods of the compensation engine (docs/plans.md "Measures and attainment"): payout periods
 * labelled "2026-06" (a calendar month) or "2026-Q2" (a fiscal quarter, the fiscal year named by the
 * calendar year in which it ends, as in src/domain/calendar/fiscal-calendar.ts), and the measure
 * windows that end with a payout period. Days are day numbers (src/domain/calendar/day-number.ts).
 */
import { daysInMonth, fromCivilDate, toCivilDate } from '../calendar/day-number.ts';
import { findPeriod } from '../calendar/fiscal-calendar.ts';
import type { PeriodLabel } from './comp-types.ts';

export type CompPeriodKind = 'month' | 'quarter';

/** One payout period or quota period: inclusive day numbers. */
export type CompPeriod = { label: PeriodLabel; kind: CompPeriodKind; firstDay: number; lastDay: number };

export type MeasureWindow = 'period' | 'month_to_date' | 'quarter_to_date' | 'year_to_date';

const MONTH_LABEL = /^(\d{4})-(\d{2})$/;
const QUARTER_LABEL = /^(\d{4})-Q([1-4])$/;

/** The first day of the fiscal year `fiscalYear` (named by the year it ends in). */
function fiscalYearFirstDay(fiscalYear: number, fiscalYearStartMonth: number): number {
  return fromCivilDate(fiscalYearStartMonth === 1 ? fiscalYear : fiscalYear - 1, fiscalYearStartMonth, 1);
}

/** The first day of the month `offset` months after a month (offset may exceed 11). */
function monthFirstDay(year: number, month: number, offset: number): number {
  const index = year * 12 + month - 1 + offset;
  return fromCivilDate(Math.floor(index / 12), (index % 12) + 1, 1);
}

/** "2026-06" → June 2026; "2026-Q2" → the second fiscal quarter of FY2026; undefined for anything else. */
export function parsePeriodLabel(label: string, fiscalYearStartMonth: number): CompPeriod | undefined {
  const month = MONTH_LABEL.exec(label);
  if (month) {
    const year = Number(month[1]);
    const m = Number(month[2]);
    if (m < 1 || m > 12 || year < 1) return undefined;
    const firstDay = fromCivilDate(year, m, 1);
    return { label, kind: 'month', firstDay, lastDay: firstDay + daysInMonth(year, m) - 1 };
  }
  const quarter = QUARTER_LABEL.exec(label);
  if (quarter) {
    const fiscalYear = Number(quarter[1]);
    const n = Number(quarter[2]);
    if (fiscalYear < 2) return undefined;
    const start = toCivilDate(fiscalYearFirstDay(fiscalYear, fiscalYearStartMonth));
    const firstDay = monthFirstDay(start.year, start.month, (n - 1) * 3);
    const lastDay = monthFirstDay(start.year, start.month, n * 3) - 1;
    return { label, kind: 'quarter', firstDay, lastDay };
  }
  return undefined;
}

/** The payout period of a kind that contains a day. */
export function periodContaining(
  kind: CompPeriodKind,
  day: number,
  fiscalYearStartMonth: number,
): CompPeriod {
  if (kind === 'month') {
    const { year, month } = toCivilDate(day);
    const firstDay = fromCivilDate(year, month, 1);
    return {
      label: `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`,
      kind,
      firstDay,
      lastDay: firstDay + daysInMonth(year, month) - 1,
    };
  }
  const q = findPeriod('quarter', day, fiscalYearStartMonth);
  return { label: `${q.fiscalYear}-Q${q.number}`, kind, firstDay: q.startDay, lastDay: q.endDay };
}

/** Every payout period of a kind from the one containing `firstDay` to the one containing `lastDay`. */
export function periodsCovering(
  kind: CompPeriodKind,
  firstDay: number,
  lastDay: number,
  fiscalYearStartMonth: number,
): CompPeriod[] {
  const periods: CompPeriod[] = [];
  for (let day = firstDay; day <= lastDay;) {
    const period = periodContaining(kind, day, fiscalYearStartMonth);
    periods.push(period);
    day = period.lastDay + 1;
  }
  return periods;
}

/** The first day of the fiscal year containing a day. */
export function fiscalYearStartOf(day: number, fiscalYearStartMonth: number): number {
  return findPeriod('year', day, fiscalYearStartMonth).startDay;
}

/**
 * The first day of a measure window that ends with a payout period: `period` is the period itself;
 * the to-date windows start at the month, fiscal quarter or fiscal year containing the period's last
 * day — never after the period's own first day (a window is at least the period).
 */
export function windowFirstDay(
  window: MeasureWindow,
  period: CompPeriod,
  fiscalYearStartMonth: number,
): number {
  return Math.min(period.firstDay, windowUnit(window, period, fiscalYearStartMonth).firstDay);
}

/** The calendar unit a window measures to date (the quarter for quarter_to_date), for its quotas. */
export function windowUnit(
  window: MeasureWindow,
  period: CompPeriod,
  fiscalYearStartMonth: number,
): { firstDay: number; lastDay: number } {
  switch (window) {
    case 'period':
      return { firstDay: period.firstDay, lastDay: period.lastDay };
    case 'month_to_date': {
      const month = periodContaining('month', period.lastDay, fiscalYearStartMonth);
      return { firstDay: Math.min(month.firstDay, period.firstDay), lastDay: period.lastDay };
    }
    case 'quarter_to_date': {
      const quarter = periodContaining('quarter', period.lastDay, fiscalYearStartMonth);
      return { firstDay: Math.min(quarter.firstDay, period.firstDay), lastDay: quarter.lastDay };
    }
    case 'year_to_date': {
      const year = findPeriod('year', period.lastDay, fiscalYearStartMonth);
      return { firstDay: Math.min(year.startDay, period.firstDay), lastDay: year.endDay };
    }
  }
}
