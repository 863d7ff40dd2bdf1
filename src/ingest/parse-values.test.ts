import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseDate,
  parseInstant,
  parseInteger,
  parseMoney,
  parsePercentToBps,
  parseProbability,
} from './parse-values.ts';

describe('parseDate', () => {
  it.each([
    ['2017-03-01', 'YYYY-MM-DD', '2017-03-01'],
    ['2024-02-29', 'YYYY-MM-DD', '2024-02-29'],
    ['3/15/2024', 'MM/DD/YYYY', '2024-03-15'],
    ['15/03/2024', 'DD/MM/YYYY', '2024-03-15'],
    ['15-03-2024 10:20', 'DD-MM-YYYY', '2024-03-15'],
    ['2024-03-15T10:20:00Z', 'YYYY-MM-DD', '2024-03-15'],
  ] as const)('reads %s as %s', (text, format, expected) => {
    expect(parseDate(text, format)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['31/02/2017', 'DD/MM/YYYY', 'month 2 of 2017 has 28 days'],
    ['2017-02-31', 'YYYY-MM-DD', 'month 2 of 2017 has 28 days'],
    ['2023-02-29', 'YYYY-MM-DD', 'has 28 days'],
    ['2017-13-01', 'YYYY-MM-DD', 'no month 13'],
    ['03/01/2017', 'YYYY-MM-DD', 'not a date in the format YYYY-MM-DD'],
    ['yesterday', 'YYYY-MM-DD', 'not a date'],
  ] as const)('refuses %s', (text, format, reason) => {
    const result = parseDate(text, format);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it('accepts exactly the days that exist (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1950-01-01'), max: new Date('2150-12-31'), noInvalidDate: true }),
        (d) => {
          const iso = d.toISOString().slice(0, 10);
          expect(parseDate(iso)).toEqual({ ok: true, value: iso });
        },
      ),
    );
  });
});

describe('parseInstant', () => {
  it('keeps the offset and answers in UTC', () => {
    expect(parseInstant('2024-03-01T14:05:00+02:00')).toEqual({
      ok: true,
      value: '2024-03-01T12:05:00.000Z',
    });
    expect(parseInstant('2024-03-01 14:05')).toEqual({ ok: true, value: '2024-03-01T14:05:00.000Z' });
    expect(parseInstant('3/1/2024 2:05 PM', 'MM/DD/YYYY')).toEqual({
      ok: true,
      value: '2024-03-01T14:05:00.000Z',
    });
    expect(parseInstant('2024-03-01')).toEqual({ ok: true, value: '2024-03-01T00:00:00.000Z' });
    expect(parseInstant('2024-03-01T25:00:00Z').ok).toBe(false);
  });
});

describe('parseMoney', () => {
  it.each([
    ['1054', 105400],
    ['1,234.50', 123450],
    ['$1,234.5', 123450],
    ['USD 99.99', 9999],
    ['-12.00', -1200],
    ['0', 0],
  ] as const)('reads %s as %i minor units', (text, expected) => {
    expect(parseMoney(text)).toEqual({ ok: true, value: expected });
  });

  it('scales Maven revenue in millions exactly', () => {
    expect(parseMoney('1100.04', 'USD', 6)).toEqual({ ok: true, value: 110004000000 });
    expect(parseMoney('251.41', 'USD', 6)).toEqual({ ok: true, value: 25141000000 });
  });

  it('refuses more decimals than the currency has instead of rounding', () => {
    expect(parseMoney('12.345').ok).toBe(false);
    expect(parseMoney('12.340')).toEqual({ ok: true, value: 1234 });
    expect(parseMoney('100.5', 'JPY').ok).toBe(false);
    expect(parseMoney('1,23').ok).toBe(false);
    expect(parseMoney('12e3').ok).toBe(false);
  });

  it('is exact for every cent amount (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (cents) => {
        const sign = cents < 0 ? '-' : '';
        const abs = Math.abs(cents);
        const text = `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
        expect(parseMoney(text)).toEqual({ ok: true, value: cents === 0 ? 0 : cents });
      }),
    );
  });
});

describe('numbers and percentages', () => {
  it('parses integers, percentages and probabilities strictly', () => {
    expect(parseInteger('2,822')).toEqual({ ok: true, value: 2822 });
    expect(parseInteger('12.5').ok).toBe(false);
    expect(parsePercentToBps('12.5%')).toEqual({ ok: true, value: 1250 });
    expect(parsePercentToBps('40')).toEqual({ ok: true, value: 4000 });
    expect(parseProbability('60%')).toEqual({ ok: true, value: 60 });
    expect(parseProbability('101').ok).toBe(false);
    expect(parseProbability('0.6').ok).toBe(false);
  });
});
