import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import {
  MAX_DAY_NUMBER,
  MIN_DAY_NUMBER,
  daysInMonth,
  fromCivilDate,
  fromDayNumber,
  isoWeekday,
  parseIsoDate,
  toCivilDate,
  toDayNumber,
} from './day-number.ts';

const dayNumbers = fc.integer({ min: MIN_DAY_NUMBER, max: MAX_DAY_NUMBER });

describe('toDayNumber', () => {
  it.each([
    ['1970-01-01', 0],
    ['1970-01-02', 1],
    ['1969-12-31', -1],
    ['2000-02-29', 11_016],
    ['2024-02-29', 19_782],
    ['2025-01-01', 20_089],
    ['0000-01-01', MIN_DAY_NUMBER],
    ['9999-12-31', MAX_DAY_NUMBER],
  ])('reads %s as day %i', (text, day) => {
    expect(toDayNumber(text)).toBe(day);
  });

  it.each([
    '2017-02-31',
    '2023-02-29',
    '1900-02-29',
    '2024-13-01',
    '2024-00-10',
    '2024-04-31',
    '2024-01-00',
    '2024-1-01',
    '24-01-01',
    '2024-01-01T00:00:00Z',
    '2024/01/01',
    ' 2024-01-01',
    '',
    '+202-01-01',
    '2024-0a-01',
  ])('refuses %j', (text) => {
    expect(parseIsoDate(text)).toBeUndefined();
    let error: unknown;
    try {
      toDayNumber(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('invalid_date');
  });

  it('agrees with Date.UTC on every day of 1600-2400', () => {
    // Date.UTC is the independent oracle here; the domain code itself does not use Date.
    for (let ms = Date.UTC(1600, 0, 1); ms <= Date.UTC(2400, 11, 31); ms += 86_400_000) {
      const iso = new Date(ms).toISOString().slice(0, 10);
      const day = ms / 86_400_000;
      if (toDayNumber(iso) !== day || fromDayNumber(day) !== iso) throw new Error(`mismatch at ${iso}`);
    }
    expect(fromDayNumber(toDayNumber('2400-12-31'))).toBe('2400-12-31');
  });
});

describe('fromDayNumber', () => {
  it('writes zero-padded dates', () => {
    expect(fromDayNumber(0)).toBe('1970-01-01');
    expect(fromDayNumber(MIN_DAY_NUMBER)).toBe('0000-01-01');
    expect(fromDayNumber(-719_162)).toBe('0001-01-01');
  });

  it.each([MIN_DAY_NUMBER - 1, MAX_DAY_NUMBER + 1, 1.5, Number.NaN])('refuses %d', (day) => {
    expect(() => fromDayNumber(day)).toThrow(DomainError);
  });

  it('round-trips with toDayNumber (property)', () => {
    fc.assert(
      fc.property(dayNumbers, (day) => toDayNumber(fromDayNumber(day)) === day),
      { numRuns: 5000 },
    );
  });

  it('round-trips every valid date text (property)', () => {
    const dates = fc
      .record({
        year: fc.integer({ min: 0, max: 9999 }),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 1, max: 31 }),
      })
      .filter(({ year, month, day }) => day <= daysInMonth(year, month));
    fc.assert(
      fc.property(dates, ({ year, month, day }) => {
        const text = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
        const dayNumber = toDayNumber(text);
        expect(fromDayNumber(dayNumber)).toBe(text);
        expect(toCivilDate(dayNumber)).toEqual({ year, month, day });
        expect(fromCivilDate(year, month, day)).toBe(dayNumber);
      }),
    );
  });

  it('consecutive day numbers are consecutive dates (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_DAY_NUMBER, max: MAX_DAY_NUMBER - 1 }), (day) => {
        const a = toCivilDate(day);
        const b = toCivilDate(day + 1);
        const nextDay = a.day < daysInMonth(a.year, a.month);
        if (nextDay) return b.year === a.year && b.month === a.month && b.day === a.day + 1;
        return (
          b.day === 1 &&
          (a.month === 12
            ? b.year === a.year + 1 && b.month === 1
            : b.year === a.year && b.month === a.month + 1)
        );
      }),
    );
  });
});

describe('isoWeekday', () => {
  it('knows 1970-01-01 was a Thursday and 2024-01-01 a Monday', () => {
    expect(isoWeekday(0)).toBe(4);
    expect(isoWeekday(toDayNumber('2024-01-01'))).toBe(1);
    expect(isoWeekday(toDayNumber('2024-01-07'))).toBe(7);
    expect(isoWeekday(toDayNumber('1969-12-29'))).toBe(1);
  });
});
