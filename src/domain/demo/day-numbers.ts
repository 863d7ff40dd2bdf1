/**
 * Calendar arithmetic on day numbers (days since 1970-01-01, proleptic Gregorian, no time zone).
 * The generator formats tens of millions of dates, so it works on integers (the fiscal calendar's
 * conversions, src/domain/calendar/day-number.ts) instead of allocating Date objects.
 */
import {
  daysInMonth,
  fromCivilDate,
  fromDayNumber,
  toCivilDate,
  toDayNumber,
  type CivilDate,
} from '../calendar/day-number.ts';

// The conversions are the fiscal calendar's; the generator's names for them are kept as aliases.
export { daysInMonth, type CivilDate };
export const dayFromCivil = fromCivilDate;
export const civilFromDay = toCivilDate;
export const parseIsoDay = toDayNumber;
export const formatIsoDay = fromDayNumber;

const twoDigits = Array.from({ length: 100 }, (_, index) => String(index).padStart(2, '0'));

/** Formats a day number and minutes after midnight (may exceed a day) as an ISO-8601 UTC instant. */
export function formatIsoInstant(dayNumber: number, minuteOfDay: number): string {
  const extraDays = Math.floor(minuteOfDay / 1440);
  const minute = minuteOfDay - extraDays * 1440;
  const hh = twoDigits[Math.floor(minute / 60)];
  const mm = twoDigits[minute % 60];
  return `${formatIsoDay(dayNumber + extraDays)}T${hh}:${mm}:00Z`;
}

/** The same day-of-month `count` months later, clamped to the month's last day (Jan 31 + 1 → Feb 28/29). */
export function addMonths(dayNumber: number, count: number): number {
  const { year, month, day } = civilFromDay(dayNumber);
  const monthIndex = year * 12 + (month - 1) + count;
  const targetYear = Math.floor(monthIndex / 12);
  const targetMonth = monthIndex - targetYear * 12 + 1;
  const lastDay = daysInMonth(targetYear, targetMonth);
  return dayFromCivil(targetYear, targetMonth, Math.min(day, lastDay));
}

/** Last day of the month that contains the day. */
export function endOfMonth(dayNumber: number): number {
  const { year, month } = civilFromDay(dayNumber);
  return dayFromCivil(year, month, 1) + daysInMonth(year, month) - 1;
}

/** First day of the calendar quarter that contains the day. */
export function startOfQuarter(dayNumber: number): number {
  const { year, month } = civilFromDay(dayNumber);
  return dayFromCivil(year, month - ((month - 1) % 3), 1);
}
