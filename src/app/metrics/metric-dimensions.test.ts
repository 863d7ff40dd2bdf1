import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toDayNumber } from '../../domain/calendar/day-number.ts';
import { buildAssignments, buildQuotaRows, decimalToMinor, type HolderSpan } from './metric-dimensions.ts';

const d = toDayNumber;

describe('buildAssignments', () => {
  // Positions: 1 VP, 2 manager East (team 10, region 100), 3 rep under 2, 4 manager West (team 20).
  const reporting = [
    { positionId: 1, parentId: null, teamId: null, from: -Infinity, to: Infinity },
    { positionId: 2, parentId: 1, teamId: 10, from: d('2020-01-01'), to: Infinity },
    // The rep moved from East to West on 2026-04-01.
    { positionId: 3, parentId: 2, teamId: 10, from: d('2020-01-01'), to: d('2026-04-01') },
    { positionId: 3, parentId: 4, teamId: 20, from: d('2026-04-01'), to: Infinity },
    { positionId: 4, parentId: 1, teamId: 20, from: d('2020-01-01'), to: Infinity },
  ];
  const regions = new Map([
    [10, 100],
    [20, null],
  ]);

  it('takes the manager as the holder of the parent position on each day, and the team’s region', () => {
    const holders: HolderSpan[] = [
      { positionId: 1, personId: 91, from: d('2020-01-01'), to: Infinity },
      // East changed hands on 2026-02-01; West was vacant until 2026-05-01.
      { positionId: 2, personId: 92, from: d('2020-01-01'), to: d('2026-02-01') },
      { positionId: 2, personId: 93, from: d('2026-02-01'), to: Infinity },
      { positionId: 4, personId: 94, from: d('2026-05-01'), to: Infinity },
      { positionId: 3, personId: 7, from: d('2025-06-01'), to: d('2026-09-01') },
    ];
    const rows = buildAssignments(holders, reporting, regions).filter((r) => r.personId === 7);
    expect(rows).toEqual([
      { personId: 7, from: d('2025-06-01'), to: d('2026-02-01'), managerId: 92, teamId: 10, regionId: 100 },
      { personId: 7, from: d('2026-02-01'), to: d('2026-04-01'), managerId: 93, teamId: 10, regionId: 100 },
      {
        personId: 7,
        from: d('2026-04-01'),
        to: d('2026-05-01'),
        managerId: null,
        teamId: 20,
        regionId: null,
      },
      { personId: 7, from: d('2026-05-01'), to: d('2026-09-01'), managerId: 94, teamId: 20, regionId: null },
    ]);
    // The managers themselves report to the VP; the VP to nobody.
    expect(buildAssignments(holders, reporting, regions).filter((r) => r.personId === 91)).toEqual([
      { personId: 91, from: d('2020-01-01'), to: Infinity, managerId: null, teamId: null, regionId: null },
    ]);
  });

  it('places someone holding two positions at once by the one taken up last, without overlapping rows', () => {
    const holders: HolderSpan[] = [
      { positionId: 2, personId: 92, from: d('2020-01-01'), to: Infinity },
      { positionId: 4, personId: 94, from: d('2020-01-01'), to: Infinity },
      { positionId: 3, personId: 7, from: d('2024-01-01'), to: Infinity },
      // Person 7 also covers West's manager seat for a month.
      { positionId: 4, personId: 7, from: d('2024-03-01'), to: d('2024-04-01') },
    ];
    const rows = buildAssignments(holders, reporting, regions).filter((r) => r.personId === 7);
    expect(rows.slice(0, 3)).toEqual([
      { personId: 7, from: d('2024-01-01'), to: d('2024-03-01'), managerId: 92, teamId: 10, regionId: 100 },
      {
        personId: 7,
        from: d('2024-03-01'),
        to: d('2024-04-01'),
        managerId: null,
        teamId: 20,
        regionId: null,
      },
      { personId: 7, from: d('2024-04-01'), to: d('2026-04-01'), managerId: 92, teamId: 10, regionId: 100 },
    ]);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.from).toBeGreaterThanOrEqual(rows[i - 1]!.to);
  });
});

describe('decimalToMinor', () => {
  it.each([
    ['40000.0000', 2, 4_000_000n],
    ['125000.5', 2, 12_500_050n],
    ['0.0050', 2, 0n], // half: to even
    ['0.0150', 2, 2n], // half: to even
    ['0.0051', 2, 1n],
    ['-12.345', 2, -1234n],
    ['1000.4999', 0, 1000n],
    ['1000.5000', 0, 1000n],
    ['1001.5000', 0, 1002n],
    ['12.5', 3, 12_500n],
    ['9007199254740.9912', 2, 900_719_925_474_099n],
  ])('%s with %i decimals is %s', (text, digits, minor) => {
    expect(decimalToMinor(text, digits)).toBe(minor);
  });
});

describe('buildQuotaRows', () => {
  const q1 = {
    positionId: 3,
    from: d('2026-01-01'),
    to: d('2026-04-01'),
    target: '90000.0000',
    currency: 'USD',
  };

  it('hands a quota to the holders of its position, split by days, pieces adding up to the target', () => {
    const holders: HolderSpan[] = [
      { positionId: 3, personId: 7, from: d('2020-01-01'), to: d('2026-02-01') },
      // Vacant in February; person 8 from March.
      { positionId: 3, personId: 8, from: d('2026-03-01'), to: Infinity },
    ];
    expect(buildQuotaRows([q1], holders, 'USD', 2)).toEqual([
      // 90 days: January (31) is 31/90 of 9,000,000 cents, March (31) the same; February is nobody's.
      { personId: 7, from: d('2026-01-01'), to: d('2026-02-01'), targetMinor: 3_100_000 },
      { personId: 8, from: d('2026-03-01'), to: d('2026-04-01'), targetMinor: 3_100_000 },
    ]);
  });

  it('leaves out quotas in another currency and takes one without a currency to be in this one', () => {
    const holders: HolderSpan[] = [{ positionId: 3, personId: 7, from: -Infinity, to: Infinity }];
    expect(buildQuotaRows([q1], holders, 'EUR', 2)).toEqual([]);
    expect(buildQuotaRows([{ ...q1, currency: null }], holders, 'JPY', 0)).toEqual([
      { personId: 7, from: q1.from, to: q1.to, targetMinor: 90_000 },
    ]);
  });

  it('splits any target between any holders without losing or adding a minor unit', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.uniqueArray(fc.integer({ min: 1, max: 89 }), { maxLength: 6 }),
        (cents, cuts) => {
          const target = `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
          const days = [q1.from, ...cuts.sort((a, b) => a - b).map((c) => q1.from + c), q1.to];
          const holders = days.slice(0, -1).map((from, i) => ({
            positionId: 3,
            personId: i + 1,
            from,
            to: days[i + 1]!,
          }));
          const rows = buildQuotaRows([{ ...q1, target }], holders, 'USD', 2);
          expect(rows.reduce((sum, r) => sum + BigInt(r.targetMinor), 0n)).toBe(cents);
        },
      ),
    );
  });
});
