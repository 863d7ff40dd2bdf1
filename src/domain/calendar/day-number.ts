/**
 * Day numbers: a calendar date as the count of days since 1970-01-01 (day 0), proleptic Gregorian,
 * no time zone. Engines compare and subtract days as plain integers (an Int32Array column holds
 * them), so the date arithmetic lives here, once. Pure integer arithmetic (the civil-from-days
 * algorithm of H. Hinnant, "chrono-compatible low-level date algorithms"), no `Date`, no clock.
 */
import { DomainError } from '../errors.ts';

/** Day number of 0000-01-01, the first date a 'YYYY-MM-DD' text can name. */
export const MIN_DAY_NUMBER = -719_528;
/** Day number of 9999-12-31, the last date a 'YYYY-MM-DD' text can name. */
export const MAX_DAY_NUMBER = 2_932_896;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Whether `year` is a Gregorian leap year. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Number of days in `month` (1-12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  const days = MONTH_DAYS[month - 1];
  if (days === undefined) throw new DomainError('invalid_date', `Month ${month} is not 1-12`);
  return month === 2 && isLeapYear(year) ? 29 : days;
}

/** Day number of a valid civil date; callers have checked the parts (days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  // The year is counted from March so that the leap day is the last day of the counted year.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthFromMarch = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** A date's parts. */
export type CivilDate = { year: number; month: number; day: number };

/** The year, month (1-12) and day (1-31) of a day number (civil_from_days). */
export function toCivilDate(dayNumber: number): CivilDate {
  assertDayNumber(dayNumber);
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/** Day number of a year, month (1-12) and day; throws `invalid_date` for a date that does not exist. */
export function fromCivilDate(year: number, month: number, day: number): number {
  if (
    !Number.isInteger(year) ||
    year < 0 ||
    year > 9999 ||
    !Number.isInteger(month) ||
    month < 1 ||
    month > 12
  ) {
    throw new DomainError(
      'invalid_date',
      `${year}-${month}-${day} is not a date between 0000-01-01 and 9999-12-31`,
    );
  }
  if (!Number.isInteger(day) || day < 1 || day > daysInMonth(year, month)) {
    throw new DomainError('invalid_date', `${year}-${month}-${day} does not exist`);
  }
  return daysFromCivil(year, month, day);
}

const CHAR_0 = 48;
const CHAR_DASH = 45;

/** Reads `count` ASCII digits at `start`, or -1 if any is not a digit (no regex: this runs per row of a load). */
function readDigits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - CHAR_0;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * The day number of a strict 'YYYY-MM-DD' text, or undefined if it is not one or names a date that
 * does not exist ('2017-02-31'). Nothing else is accepted: no time, no zone, no 2-digit parts.
 */
export function parseIsoDate(text: string): number | undefined {
  if (text.length !== 10 || text.charCodeAt(4) !== CHAR_DASH || text.charCodeAt(7) !== CHAR_DASH)
    return undefined;
  const year = readDigits(text, 0, 4);
  const month = readDigits(text, 5, 2);
  const day = readDigits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return daysFromCivil(year, month, day);
}

/** The day number of a strict 'YYYY-MM-DD' text; throws DomainError('invalid_date') otherwise. */
export function toDayNumber(text: string): number {
  const dayNumber = parseIsoDate(text);
  if (dayNumber === undefined)
    throw new DomainError('invalid_date', `"${text}" is not a valid YYYY-MM-DD date`);
  return dayNumber;
}

function assertDayNumber(dayNumber: number): void {
  if (!Number.isInteger(dayNumber) || dayNumber < MIN_DAY_NUMBER || dayNumber > MAX_DAY_NUMBER) {
    throw new DomainError(
      'invalid_date',
      `${dayNumber} is not a day number between 0000-01-01 and 9999-12-31`,
    );
  }
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** The 'YYYY-MM-DD' text of a day number. */
export function fromDayNumber(dayNumber: number): string {
  const { year, month, day } = toCivilDate(dayNumber);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** ISO weekday of a day number: 1 = Monday ... 7 = Sunday (1970-01-01 was a Thursday). */
export function isoWeekday(dayNumber: number): number {
  return ((((dayNumber + 3) % 7) + 7) % 7) + 1;
}
