import { fromDayNumber, toDayNumber } from '../../domain/calendar/day-number.ts';
import { findPeriod } from '../../domain/calendar/fiscal-calendar.ts';
import { parsePeriodLabel, periodContaining } from '../../domain/comp/comp-periods.ts';
import { AppError } from '../../domain/errors.ts';

/**
 * The engine's payout periods (src/domain/comp/comp-periods.ts) with ISO days, as the store and
 * the API use them: "2026-06" is a calendar month, "2026-Q2" the second quarter of fiscal 2026.
 */
export type CompPeriod = {
  label: string;
  kind: 'month' | 'quarter';
  startsOn: string;
  /** Inclusive. */
  endsOn: string;
};

function withDays(p: {
  label: string;
  kind: 'month' | 'quarter';
  firstDay: number;
  lastDay: number;
}): CompPeriod {
  return {
    label: p.label,
    kind: p.kind,
    startsOn: fromDayNumber(p.firstDay),
    endsOn: fromDayNumber(p.lastDay),
  };
}

/** A period from its label; anything else is a validation error naming `field`. */
export function compPeriodOf(label: string, fiscalYearStartMonth: number, field = 'period'): CompPeriod {
  const period = parsePeriodLabel(label, fiscalYearStartMonth);
  if (!period)
    throw new AppError('validation', `"${label}" is not a period.`, [
      { field, value: label, message: 'expected a month such as 2026-06 or a quarter such as 2026-Q2' },
    ]);
  return withDays(period);
}

/** The period of a kind that contains a day. */
export function compPeriodContaining(
  kind: 'month' | 'quarter',
  day: string,
  fiscalYearStartMonth: number,
): CompPeriod {
  return withDays(periodContaining(kind, toDayNumber(day), fiscalYearStartMonth));
}

/** The period after this one, of the same kind. */
export function nextCompPeriod(period: CompPeriod, fiscalYearStartMonth: number): CompPeriod {
  return compPeriodContaining(
    period.kind,
    fromDayNumber(toDayNumber(period.endsOn) + 1),
    fiscalYearStartMonth,
  );
}

/** The fiscal year's periods of the period's kind, from the year's first up to and including it. */
export function yearToDatePeriods(period: CompPeriod, fiscalYearStartMonth: number): CompPeriod[] {
  const year = findPeriod('year', toDayNumber(period.startsOn), fiscalYearStartMonth);
  const periods: CompPeriod[] = [];
  for (
    let current = compPeriodContaining(period.kind, year.startsOn, fiscalYearStartMonth);
    current.startsOn <= period.startsOn;
    current = nextCompPeriod(current, fiscalYearStartMonth)
  )
    periods.push(current);
  return periods;
}
