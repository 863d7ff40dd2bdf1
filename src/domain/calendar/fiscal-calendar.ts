/**
 * The fiscal calendar (DESIGN.md §3 "Calendar"): weeks, months, quarters, halves and years of a
 * fiscal year that starts on the first day of a configured month.
 *
 * Rules, written down once:
 * - A fiscal year is named by the calendar year in which it ENDS. With a January start, FY2025 is
 *   2025-01-01..2025-12-31; with a February start, FY2025 is 2024-02-01..2025-01-31.
 * - Months, quarters and halves are numbered from the fiscal year's first month: with a February
 *   start, 'FY2025 M01' is February 2024 and 'FY2025 Q4' is November 2024..January 2025.
 * - Weeks are ISO weeks (Monday to Sunday). A week belongs to the fiscal year in which its Monday
 *   falls, and 'W01' is the first week whose Monday is on or after the fiscal year's first day.
 *   So a fiscal year has 52 or 53 weeks; the days before its first Monday belong to the last week of
 *   the previous fiscal year, and its last week may end in the next one. (This is not the ISO 8601
 *   week-numbering year, which assigns a week by its Thursday.)
 * - `endsOn` is inclusive.
 */
import { DomainError } from '../errors.ts';
import { fromCivilDate, fromDayNumber, isoWeekday, toCivilDate } from './day-number.ts';

export const periodKinds = ['week', 'month', 'quarter', 'half', 'year'] as const;
export type PeriodKind = (typeof periodKinds)[number];

/** The smallest and largest fiscal years whose periods have 'YYYY-MM-DD' dates (years 0000-9999). */
export const MIN_FISCAL_YEAR = 1;
export const MAX_FISCAL_YEAR = 9998;

export type FiscalPeriod = {
  kind: PeriodKind;
  /** The calendar year in which the fiscal year ends. */
  fiscalYear: number;
  /** 1-based within the fiscal year: week 1-53, month 1-12, quarter 1-4, half 1-2, year 1. */
  number: number;
  /** 'FY2025', 'FY2025 H1', 'FY2025 Q1', 'FY2025 M03', 'FY2025 W07'. */
  label: string;
  /** First day, 'YYYY-MM-DD'. */
  startsOn: string;
  /** Last day, inclusive, 'YYYY-MM-DD'. */
  endsOn: string;
  /** `startsOn` as a day number (days since 1970-01-01), for engines. */
  startDay: number;
  /** `endsOn` as a day number, inclusive. */
  endDay: number;
};

export type GeneratePeriodsInput = {
  /** Month (1-12) on whose first day every fiscal year starts. */
  fiscalYearStartMonth: number;
  fromFiscalYear: number;
  /** Inclusive. */
  toFiscalYear: number;
};

function assertStartMonth(month: number): void {
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw new DomainError('invariant', `The fiscal year start month must be 1-12, got ${month}`);
  }
}

function assertFiscalYear(fiscalYear: number): void {
  if (!Number.isInteger(fiscalYear) || fiscalYear < MIN_FISCAL_YEAR || fiscalYear > MAX_FISCAL_YEAR) {
    throw new DomainError(
      'invariant',
      `Fiscal year ${fiscalYear} is outside ${MIN_FISCAL_YEAR}-${MAX_FISCAL_YEAR}`,
    );
  }
}

/** Day number of the first day of the `index`-th (0-based, may exceed 11) month of a fiscal year. */
function fiscalMonthStart(fiscalYear: number, startMonth: number, index: number): number {
  // A fiscal year starting in January starts in its own calendar year; any other start month puts
  // its first day in the previous calendar year (it is named by the year in which it ends).
  const firstCalendarYear = startMonth === 1 ? fiscalYear : fiscalYear - 1;
  const monthOffset = startMonth - 1 + index;
  return fromCivilDate(firstCalendarYear + Math.floor(monthOffset / 12), (monthOffset % 12) + 1, 1);
}

/** The first Monday on or after a day. */
function mondayOnOrAfter(dayNumber: number): number {
  return dayNumber + ((8 - isoWeekday(dayNumber)) % 7);
}

/** The fiscal year a day falls in. */
function fiscalYearOf(dayNumber: number, startMonth: number): number {
  const { year, month } = toCivilDate(dayNumber);
  return startMonth !== 1 && month >= startMonth ? year + 1 : year;
}

function labelOf(kind: PeriodKind, fiscalYear: number, number: number): string {
  const year = `FY${String(fiscalYear).padStart(4, '0')}`;
  switch (kind) {
    case 'year':
      return year;
    case 'half':
      return `${year} H${number}`;
    case 'quarter':
      return `${year} Q${number}`;
    case 'month':
      return `${year} M${String(number).padStart(2, '0')}`;
    case 'week':
      return `${year} W${String(number).padStart(2, '0')}`;
  }
}

function period(
  kind: PeriodKind,
  fiscalYear: number,
  number: number,
  startDay: number,
  endDay: number,
): FiscalPeriod {
  return {
    kind,
    fiscalYear,
    number,
    label: labelOf(kind, fiscalYear, number),
    startsOn: fromDayNumber(startDay),
    endsOn: fromDayNumber(endDay),
    startDay,
    endDay,
  };
}

/** Months per period of the month-based kinds. */
const monthsPer = { month: 1, quarter: 3, half: 6, year: 12 } as const;

/** The periods of one kind in one fiscal year, in order. */
function periodsOfYear(kind: PeriodKind, fiscalYear: number, startMonth: number): FiscalPeriod[] {
  if (kind === 'week') {
    const firstMonday = mondayOnOrAfter(fiscalMonthStart(fiscalYear, startMonth, 0));
    const nextYearStart = fiscalMonthStart(fiscalYear, startMonth, 12);
    const weeks: FiscalPeriod[] = [];
    for (let monday = firstMonday, number = 1; monday < nextYearStart; monday += 7, number++) {
      weeks.push(period('week', fiscalYear, number, monday, monday + 6));
    }
    return weeks;
  }
  const size = monthsPer[kind];
  const periods: FiscalPeriod[] = [];
  for (let number = 1; number <= 12 / size; number++) {
    const start = fiscalMonthStart(fiscalYear, startMonth, (number - 1) * size);
    const end = fiscalMonthStart(fiscalYear, startMonth, number * size) - 1;
    periods.push(period(kind, fiscalYear, number, start, end));
  }
  return periods;
}

/**
 * Every period of every kind of fiscal years `fromFiscalYear`..`toFiscalYear`, ordered by fiscal
 * year, then kind (week, month, quarter, half, year), then number.
 */
export function generatePeriods(input: GeneratePeriodsInput): FiscalPeriod[] {
  const { fiscalYearStartMonth, fromFiscalYear, toFiscalYear } = input;
  assertStartMonth(fiscalYearStartMonth);
  assertFiscalYear(fromFiscalYear);
  assertFiscalYear(toFiscalYear);
  if (fromFiscalYear > toFiscalYear) {
    throw new DomainError(
      'invariant',
      `fromFiscalYear ${fromFiscalYear} is after toFiscalYear ${toFiscalYear}`,
    );
  }
  const periods: FiscalPeriod[] = [];
  for (let fiscalYear = fromFiscalYear; fiscalYear <= toFiscalYear; fiscalYear++) {
    for (const kind of periodKinds) periods.push(...periodsOfYear(kind, fiscalYear, fiscalYearStartMonth));
  }
  return periods;
}

/** The period of a kind that contains a day (a day number), under the rules above. */
export function findPeriod(kind: PeriodKind, dayNumber: number, fiscalYearStartMonth: number): FiscalPeriod {
  assertStartMonth(fiscalYearStartMonth);
  if (kind === 'week') {
    const monday = dayNumber - (isoWeekday(dayNumber) - 1);
    const fiscalYear = fiscalYearOf(monday, fiscalYearStartMonth);
    assertFiscalYear(fiscalYear);
    const firstMonday = mondayOnOrAfter(fiscalMonthStart(fiscalYear, fiscalYearStartMonth, 0));
    return period('week', fiscalYear, (monday - firstMonday) / 7 + 1, monday, monday + 6);
  }
  const fiscalYear = fiscalYearOf(dayNumber, fiscalYearStartMonth);
  assertFiscalYear(fiscalYear);
  const { month } = toCivilDate(dayNumber);
  const monthIndex = (month - fiscalYearStartMonth + 12) % 12;
  const size = monthsPer[kind];
  const number = Math.floor(monthIndex / size) + 1;
  const start = fiscalMonthStart(fiscalYear, fiscalYearStartMonth, (number - 1) * size);
  const end = fiscalMonthStart(fiscalYear, fiscalYearStartMonth, number * size) - 1;
  return period(kind, fiscalYear, number, start, end);
}
