import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import { fromDayNumber, isoWeekday, toDayNumber } from './day-number.ts';
import {
  findPeriod,
  generatePeriods,
  periodKinds,
  type FiscalPeriod,
  type PeriodKind,
} from './fiscal-calendar.ts';

const startMonths = fc.integer({ min: 1, max: 12 });
const fiscalYears = fc.integer({ min: 1900, max: 2200 });

function ofKind(periods: FiscalPeriod[], kind: PeriodKind): FiscalPeriod[] {
  return periods.filter((p) => p.kind === kind);
}

function brief(p: FiscalPeriod): [string, string, string] {
  return [p.label, p.startsOn, p.endsOn];
}

describe('generatePeriods', () => {
  it('names a fiscal year by the calendar year in which it ends (start month 2: FY2025 = 2024-02-01..2025-01-31)', () => {
    const periods = generatePeriods({ fiscalYearStartMonth: 2, fromFiscalYear: 2025, toFiscalYear: 2025 });
    expect(ofKind(periods, 'year').map(brief)).toEqual([['FY2025', '2024-02-01', '2025-01-31']]);
    expect(ofKind(periods, 'half').map(brief)).toEqual([
      ['FY2025 H1', '2024-02-01', '2024-07-31'],
      ['FY2025 H2', '2024-08-01', '2025-01-31'],
    ]);
    expect(ofKind(periods, 'quarter').map(brief)).toEqual([
      ['FY2025 Q1', '2024-02-01', '2024-04-30'],
      ['FY2025 Q2', '2024-05-01', '2024-07-31'],
      ['FY2025 Q3', '2024-08-01', '2024-10-31'],
      ['FY2025 Q4', '2024-11-01', '2025-01-31'],
    ]);
    const months = ofKind(periods, 'month');
    expect(months.map(brief).slice(0, 2)).toEqual([
      ['FY2025 M01', '2024-02-01', '2024-02-29'],
      ['FY2025 M02', '2024-03-01', '2024-03-31'],
    ]);
    expect(brief(months[11]!)).toEqual(['FY2025 M12', '2025-01-01', '2025-01-31']);
  });

  it('keeps a January start on the calendar year', () => {
    const periods = generatePeriods({ fiscalYearStartMonth: 1, fromFiscalYear: 2025, toFiscalYear: 2025 });
    expect(ofKind(periods, 'year').map(brief)).toEqual([['FY2025', '2025-01-01', '2025-12-31']]);
    expect(ofKind(periods, 'month').map((p) => p.label)).toEqual(
      Array.from({ length: 12 }, (_, i) => `FY2025 M${String(i + 1).padStart(2, '0')}`),
    );
  });

  it('assigns a week to the fiscal year of its Monday (2024-12-30 is a Monday: FY2024 W53, not ISO 2025-W01)', () => {
    const fy2024 = ofKind(
      generatePeriods({ fiscalYearStartMonth: 1, fromFiscalYear: 2024, toFiscalYear: 2024 }),
      'week',
    );
    // 2024-01-01 is a Monday, so W01 starts on the first day of the fiscal year.
    expect(brief(fy2024[0]!)).toEqual(['FY2024 W01', '2024-01-01', '2024-01-07']);
    expect(fy2024).toHaveLength(53);
    expect(brief(fy2024[52]!)).toEqual(['FY2024 W53', '2024-12-30', '2025-01-05']);
    const fy2025 = ofKind(
      generatePeriods({ fiscalYearStartMonth: 1, fromFiscalYear: 2025, toFiscalYear: 2025 }),
      'week',
    );
    expect(brief(fy2025[0]!)).toEqual(['FY2025 W01', '2025-01-06', '2025-01-12']);
    expect(brief(fy2025[6]!)).toEqual(['FY2025 W07', '2025-02-17', '2025-02-23']);
    expect(fy2025).toHaveLength(52);
  });

  it('orders by fiscal year, then kind, then number', () => {
    const periods = generatePeriods({ fiscalYearStartMonth: 4, fromFiscalYear: 2024, toFiscalYear: 2025 });
    const keys = periods.map((p) => [p.fiscalYear, periodKinds.indexOf(p.kind), p.number] as const);
    const sorted = [...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    expect(keys).toEqual(sorted);
    expect(periods.filter((p) => p.kind === 'year').map((p) => p.label)).toEqual(['FY2024', 'FY2025']);
  });

  it.each([
    [{ fiscalYearStartMonth: 0, fromFiscalYear: 2024, toFiscalYear: 2024 }],
    [{ fiscalYearStartMonth: 13, fromFiscalYear: 2024, toFiscalYear: 2024 }],
    [{ fiscalYearStartMonth: 1.5, fromFiscalYear: 2024, toFiscalYear: 2024 }],
    [{ fiscalYearStartMonth: 1, fromFiscalYear: 2025, toFiscalYear: 2024 }],
    [{ fiscalYearStartMonth: 1, fromFiscalYear: 0, toFiscalYear: 2024 }],
    [{ fiscalYearStartMonth: 1, fromFiscalYear: 2024, toFiscalYear: 9999 }],
  ])('refuses %j', (input) => {
    expect(() => generatePeriods(input)).toThrow(DomainError);
  });

  it('months of a fiscal year tile it: no gap, no overlap (property)', () => {
    fc.assert(
      fc.property(startMonths, fiscalYears, (startMonth, fiscalYear) => {
        const periods = generatePeriods({
          fiscalYearStartMonth: startMonth,
          fromFiscalYear: fiscalYear,
          toFiscalYear: fiscalYear,
        });
        const [year] = ofKind(periods, 'year');
        const months = ofKind(periods, 'month');
        expect(months).toHaveLength(12);
        expect(months[0]!.startDay).toBe(year!.startDay);
        expect(months[11]!.endDay).toBe(year!.endDay);
        for (let i = 1; i < months.length; i++) expect(months[i]!.startDay).toBe(months[i - 1]!.endDay + 1);
        for (const month of months) {
          expect(month.startsOn.endsWith('-01')).toBe(true);
          expect(month.endDay - month.startDay + 1).toBeGreaterThanOrEqual(28);
          expect(month.endDay - month.startDay + 1).toBeLessThanOrEqual(31);
        }
        expect(year!.startsOn.slice(5, 7)).toBe(String(startMonth).padStart(2, '0'));
        expect(Number(year!.endsOn.slice(0, 4))).toBe(fiscalYear);
      }),
    );
  });

  it('a quarter is three months and a half two quarters (property)', () => {
    fc.assert(
      fc.property(startMonths, fiscalYears, (startMonth, fiscalYear) => {
        const periods = generatePeriods({
          fiscalYearStartMonth: startMonth,
          fromFiscalYear: fiscalYear,
          toFiscalYear: fiscalYear,
        });
        const months = ofKind(periods, 'month');
        const quarters = ofKind(periods, 'quarter');
        const halves = ofKind(periods, 'half');
        expect(quarters).toHaveLength(4);
        expect(halves).toHaveLength(2);
        quarters.forEach((q, i) => {
          expect(q.startDay).toBe(months[3 * i]!.startDay);
          expect(q.endDay).toBe(months[3 * i + 2]!.endDay);
        });
        halves.forEach((h, i) => {
          expect(h.startDay).toBe(quarters[2 * i]!.startDay);
          expect(h.endDay).toBe(quarters[2 * i + 1]!.endDay);
        });
      }),
    );
  });

  it('weeks run Monday to Sunday, follow each other, and start in their fiscal year (property)', () => {
    fc.assert(
      fc.property(startMonths, fiscalYears, (startMonth, fiscalYear) => {
        const periods = generatePeriods({
          fiscalYearStartMonth: startMonth,
          fromFiscalYear: fiscalYear,
          toFiscalYear: fiscalYear,
        });
        const [year] = ofKind(periods, 'year');
        const weeks = ofKind(periods, 'week');
        expect([52, 53]).toContain(weeks.length);
        expect(weeks[0]!.startDay - year!.startDay).toBeLessThan(7);
        weeks.forEach((w, i) => {
          expect(w.number).toBe(i + 1);
          expect(isoWeekday(w.startDay)).toBe(1);
          expect(w.endDay).toBe(w.startDay + 6);
          expect(w.startDay).toBeGreaterThanOrEqual(year!.startDay);
          expect(w.startDay).toBeLessThanOrEqual(year!.endDay);
          if (i > 0) expect(w.startDay).toBe(weeks[i - 1]!.endDay + 1);
        });
      }),
    );
  });

  it('a day belongs to exactly one period of each kind, and findPeriod finds it (property)', () => {
    // Periods of the fiscal years around the sampled days, so every day's periods are in the list.
    const byStartMonth = new Map<number, FiscalPeriod[]>();
    for (let m = 1; m <= 12; m++)
      byStartMonth.set(
        m,
        generatePeriods({ fiscalYearStartMonth: m, fromFiscalYear: 1999, toFiscalYear: 2031 }),
      );
    fc.assert(
      fc.property(
        startMonths,
        fc.integer({ min: toDayNumber('2000-01-01'), max: toDayNumber('2029-12-31') }),
        (startMonth, day) => {
          const periods = byStartMonth.get(startMonth)!;
          for (const kind of periodKinds) {
            const containing = periods.filter((p) => p.kind === kind && p.startDay <= day && day <= p.endDay);
            expect(containing, `${kind} of ${fromDayNumber(day)}`).toHaveLength(1);
            expect(findPeriod(kind, day, startMonth)).toEqual(containing[0]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('findPeriod', () => {
  it('finds the fiscal periods of a day (start month 2)', () => {
    const day = toDayNumber('2025-01-15');
    expect(findPeriod('year', day, 2).label).toBe('FY2025');
    expect(findPeriod('quarter', day, 2).label).toBe('FY2025 Q4');
    expect(findPeriod('month', day, 2).label).toBe('FY2025 M12');
    expect(findPeriod('half', toDayNumber('2024-02-01'), 2).label).toBe('FY2025 H1');
    expect(findPeriod('year', toDayNumber('2025-02-01'), 2).label).toBe('FY2026');
  });

  it("puts the days before a fiscal year's first Monday in the previous year's last week", () => {
    // 2025-01-01 is a Wednesday: its week started on Monday 2024-12-30, in FY2024.
    const week = findPeriod('week', toDayNumber('2025-01-01'), 1);
    expect(brief(week)).toEqual(['FY2024 W53', '2024-12-30', '2025-01-05']);
    expect(week.fiscalYear).toBe(2024);
  });
});
