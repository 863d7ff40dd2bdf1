import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import {
  addMonths,
  civilFromDay,
  endOfMonth,
  formatIsoDay,
  formatIsoInstant,
  parseIsoDay,
  startOfQuarter,
} from './day-numbers.ts';

describe('day numbers', () => {
  it('agree with the JavaScript calendar over four centuries', () => {
    const first = Date.UTC(1900, 0, 1) / 86_400_000;
    for (let day = first; day < first + 146_097; day += 1) {
      const expected = new Date(day * 86_400_000).toISOString().slice(0, 10);
      const formatted = formatIsoDay(day);
      if (formatted !== expected || parseIsoDay(formatted) !== day)
        expect({ day, formatted }).toEqual({ day, formatted: expected });
    }
    expect(parseIsoDay('1970-01-01')).toBe(0);
    expect(civilFromDay(parseIsoDay('2024-02-29'))).toEqual({ year: 2024, month: 2, day: 29 });
  });

  it('refuses dates that do not exist or are not YYYY-MM-DD', () => {
    for (const text of ['2023-02-29', '2024-13-01', '2024-04-31', '2024-4-1', '01/02/2024', '']) {
      expect(() => parseIsoDay(text)).toThrow(DomainError);
    }
  });

  it('adds months the way contracts do, clamping to the last day of shorter months', () => {
    expect(formatIsoDay(addMonths(parseIsoDay('2024-01-31'), 1))).toBe('2024-02-29');
    expect(formatIsoDay(addMonths(parseIsoDay('2023-01-31'), 1))).toBe('2023-02-28');
    expect(formatIsoDay(addMonths(parseIsoDay('2024-03-10'), 12))).toBe('2025-03-10');
    expect(formatIsoDay(addMonths(parseIsoDay('2024-03-10'), -3))).toBe('2023-12-10');
    expect(formatIsoDay(endOfMonth(parseIsoDay('2024-02-10')))).toBe('2024-02-29');
    expect(formatIsoDay(startOfQuarter(parseIsoDay('2024-11-17')))).toBe('2024-10-01');
    expect(formatIsoDay(startOfQuarter(parseIsoDay('2024-03-31')))).toBe('2024-01-01');
  });

  it('formats instants in UTC, carrying minutes past midnight into the next day', () => {
    expect(formatIsoInstant(parseIsoDay('2024-03-01'), 14 * 60 + 5)).toBe('2024-03-01T14:05:00Z');
    expect(formatIsoInstant(parseIsoDay('2024-02-29'), 1_440 + 30)).toBe('2024-03-01T00:30:00Z');
  });
});
