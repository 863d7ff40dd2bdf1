import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toDayNumber } from '../calendar/day-number.ts';
import {
  addMonths,
  businessDaysBetween,
  calendarMetricPeriod,
  fiscalMetricPeriod,
  priorSpan,
  tenureMonthOf,
  trailingDaysPeriod,
} from './metric-periods.ts';

const day = toDayNumber;

describe('metric periods', () => {
  it('builds fiscal and calendar periods, half-open, each with the one before it', () => {
    // A February fiscal year: FY2025 Q1 is February to April 2024.
    expect(fiscalMetricPeriod('quarter', day('2024-03-15'), 2)).toEqual({
      from: day('2024-02-01'),
      to: day('2024-05-01'),
      label: 'FY2025 Q1',
      prior: { from: day('2023-11-01'), to: day('2024-02-01'), label: 'FY2024 Q4' },
    });
    expect(calendarMetricPeriod('month', day('2024-03-15'))).toMatchObject({
      from: day('2024-03-01'),
      to: day('2024-04-01'),
      label: '2024 M03',
      prior: { from: day('2024-02-01'), to: day('2024-03-01') },
    });
    expect(calendarMetricPeriod('half', day('2024-08-01'))).toMatchObject({
      from: day('2024-07-01'),
      to: day('2025-01-01'),
    });
    const week = calendarMetricPeriod('week', day('2024-03-13'));
    expect(week.to - week.from).toBe(7);
    expect(week.prior).toMatchObject({ to: week.from });
  });

  it('builds trailing periods that end on the as-of day', () => {
    expect(trailingDaysPeriod(30, day('2024-03-31'))).toMatchObject({
      from: day('2024-03-02'),
      to: day('2024-04-01'),
      prior: { from: day('2024-02-01'), to: day('2024-03-02') },
    });
    expect(() => trailingDaysPeriod(0, 0)).toThrow();
    expect(priorSpan({ from: 10, to: 15 })).toEqual({ from: 5, to: 10 });
  });

  it('tiles the days: every period starts where its prior ends (property)', () => {
    const kinds = ['week', 'month', 'quarter', 'half', 'year'] as const;
    fc.assert(
      fc.property(
        fc.integer({ min: day('2000-01-01'), max: day('2040-12-31') }),
        fc.constantFrom(...kinds),
        fc.integer({ min: 1, max: 12 }),
        (d, kind, start) => {
          const period = fiscalMetricPeriod(kind, d, start);
          expect(period.from <= d && d < period.to).toBe(true);
          expect(period.prior!.to).toBe(period.from);
          expect(fiscalMetricPeriod(kind, period.from - 1, start).from).toBe(period.prior!.from);
        },
      ),
    );
  });

  it('counts months of tenure and business days', () => {
    expect(addMonths(day('2024-01-31'), 1)).toBe(day('2024-02-29'));
    const hired = day('2024-01-31');
    expect(tenureMonthOf(hired, day('2024-01-30'))).toBe(0);
    expect(tenureMonthOf(hired, hired)).toBe(1);
    expect(tenureMonthOf(hired, day('2024-02-28'))).toBe(1);
    expect(tenureMonthOf(hired, day('2024-02-29'))).toBe(2);
    expect(tenureMonthOf(hired, day('2025-01-30'))).toBe(12);
    // 2024-01-01 was a Monday.
    expect(businessDaysBetween(day('2024-01-01'), day('2024-01-08'))).toBe(5);
    expect(businessDaysBetween(day('2024-01-06'), day('2024-01-08'))).toBe(0);
    expect(businessDaysBetween(day('2024-01-01'), day('2024-04-01'))).toBe(65);
    expect(businessDaysBetween(5, 5)).toBe(0);
  });

  it('puts every day in exactly one tenure month (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: day('2000-01-01'), max: day('2030-12-31') }),
        fc.integer({ min: 0, max: 800 }),
        (hired, offset) => {
          const d = hired + offset;
          const month = tenureMonthOf(hired, d);
          expect(addMonths(hired, month - 1) <= d && d < addMonths(hired, month)).toBe(true);
        },
      ),
    );
  });
});
