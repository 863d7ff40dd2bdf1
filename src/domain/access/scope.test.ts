import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toDayNumber } from '../calendar/day-number.ts';
import {
  hierarchyScope,
  normaliseIntervals,
  personEverVisible,
  personVisibleOn,
  positionVisibleDuring,
  type Hierarchy,
} from './scope.ts';

const d = toDayNumber;
const open = Infinity;

// Positions: 1 = VP, 2 = manager East, 3 = manager West, 10/11 = reps East, 20 = rep West.
// People: 100 = VP, 200 = Mia (manages East until 2025-07-01, then West), 300 = Sam (manages West,
// then East from 2025-07-01), 1000/1100 = reps East, 2000 = rep West, 1200 = rep who moves from
// East to West on 2025-04-01 (position 12 re-parented).
const hierarchy: Hierarchy = {
  holders: [
    { positionId: 1, personId: 100, from: d('2020-01-01'), to: open },
    { positionId: 2, personId: 200, from: d('2020-01-01'), to: d('2025-07-01') },
    { positionId: 3, personId: 200, from: d('2025-07-01'), to: open },
    { positionId: 3, personId: 300, from: d('2020-01-01'), to: d('2025-07-01') },
    { positionId: 2, personId: 300, from: d('2025-07-01'), to: open },
    { positionId: 10, personId: 1000, from: d('2020-01-01'), to: open },
    { positionId: 11, personId: 1100, from: d('2020-01-01'), to: open },
    { positionId: 12, personId: 1200, from: d('2020-01-01'), to: open },
    { positionId: 20, personId: 2000, from: d('2020-01-01'), to: open },
  ],
  reporting: [
    { positionId: 1, parentId: null, from: d('2020-01-01'), to: open },
    { positionId: 2, parentId: 1, from: d('2020-01-01'), to: open },
    { positionId: 3, parentId: 1, from: d('2020-01-01'), to: open },
    { positionId: 10, parentId: 2, from: d('2020-01-01'), to: open },
    { positionId: 11, parentId: 2, from: d('2020-01-01'), to: open },
    { positionId: 12, parentId: 2, from: d('2020-01-01'), to: d('2025-04-01') },
    { positionId: 12, parentId: 3, from: d('2025-04-01'), to: open },
    { positionId: 20, parentId: 3, from: d('2020-01-01'), to: open },
  ],
};

describe('hierarchyScope', () => {
  it('lets a rep see their own records on every day, and nobody else’s', () => {
    const scope = hierarchyScope(hierarchy, 1000);
    expect(personVisibleOn(scope, 1000, d('2019-01-01'))).toBe(true);
    expect(personVisibleOn(scope, 1000, d('2030-01-01'))).toBe(true);
    expect(personVisibleOn(scope, 1100, d('2024-01-01'))).toBe(false);
    expect(personVisibleOn(scope, 200, d('2024-01-01'))).toBe(false);
    expect(personEverVisible(scope, 1100)).toBe(false);
    expect(positionVisibleDuring(scope, 10, d('2024-01-01'), d('2024-04-01'))).toBe(true);
    expect(positionVisibleDuring(scope, 11, d('2024-01-01'), d('2024-04-01'))).toBe(false);
  });

  it('lets a manager moved to another team keep the old team’s past and lose its later periods', () => {
    const mia = hierarchyScope(hierarchy, 200);
    // East, while Mia managed it.
    expect(personVisibleOn(mia, 1000, d('2025-06-30'))).toBe(true);
    expect(personVisibleOn(mia, 1000, d('2025-07-01'))).toBe(false);
    // West, from the day she took it over.
    expect(personVisibleOn(mia, 2000, d('2025-06-30'))).toBe(false);
    expect(personVisibleOn(mia, 2000, d('2025-07-01'))).toBe(true);
    // Her own records, always.
    expect(personVisibleOn(mia, 200, d('2030-01-01'))).toBe(true);
    // Quotas of the old team's positions: the quarters she managed them, not later ones.
    expect(positionVisibleDuring(mia, 10, d('2025-04-01'), d('2025-07-01'))).toBe(true);
    expect(positionVisibleDuring(mia, 10, d('2025-07-01'), d('2025-10-01'))).toBe(false);
  });

  it('shows a rep who changed teams under each team for the days they were in it', () => {
    const mia = hierarchyScope(hierarchy, 200);
    const sam = hierarchyScope(hierarchy, 300);
    // 1200 reported to East (Mia) until 2025-04-01, then to West (Sam until 2025-07-01, then Mia).
    expect(personVisibleOn(mia, 1200, d('2025-03-31'))).toBe(true);
    expect(personVisibleOn(sam, 1200, d('2025-03-31'))).toBe(false);
    expect(personVisibleOn(sam, 1200, d('2025-04-01'))).toBe(true);
    expect(personVisibleOn(mia, 1200, d('2025-04-01'))).toBe(false);
    expect(personVisibleOn(mia, 1200, d('2025-07-01'))).toBe(true);
  });

  it('lets the top of the hierarchy see everyone below on every day, and a user with no person only nothing', () => {
    const vp = hierarchyScope(hierarchy, 100);
    for (const person of [200, 300, 1000, 1100, 1200, 2000])
      expect(personVisibleOn(vp, person, d('2025-05-15'))).toBe(true);
    const nobody = hierarchyScope(hierarchy, null);
    expect(personVisibleOn(nobody, 1000, d('2025-05-15'))).toBe(false);
    expect(personVisibleOn(nobody, null, d('2025-05-15'))).toBe(false);
  });

  it('never shows a manager more than their superior sees (property)', () => {
    const days = fc.integer({ min: d('2019-01-01'), max: d('2027-01-01') });
    const people = fc.constantFrom(100, 200, 300, 1000, 1100, 1200, 2000);
    fc.assert(
      fc.property(days, people, (day, person) => {
        const vp = hierarchyScope(hierarchy, 100);
        for (const manager of [200, 300]) {
          const scope = hierarchyScope(hierarchy, manager);
          if (personVisibleOn(scope, person, day) && person !== manager) {
            expect(personVisibleOn(vp, person, day)).toBe(true);
          }
        }
      }),
    );
  });
});

describe('normaliseIntervals', () => {
  it('covers exactly the days its input covers, with sorted disjoint intervals (property)', () => {
    const interval = fc
      .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 20 }))
      .map(([from, length]) => ({ from, to: from + length }));
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 12 }), (input) => {
        const out = normaliseIntervals(input);
        for (let i = 1; i < out.length; i++) expect(out[i]!.from).toBeGreaterThan(out[i - 1]!.to);
        for (let day = 0; day < 85; day++) {
          const inInput = input.some((i) => day >= i.from && day < i.to);
          const inOutput = out.some((i) => day >= i.from && day < i.to);
          expect(inOutput).toBe(inInput);
        }
      }),
    );
  });
});
