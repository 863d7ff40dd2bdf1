import { describe, expect, it } from 'vitest';
import { toDayNumber } from '../calendar/day-number.ts';
import { buildActivitySnapshot } from '../metrics/testing/build-activity-snapshot.ts';
import {
  buildOpportunitySnapshot,
  type OpportunityChangeInput,
  type OpportunityInput,
} from '../snapshot/build-opportunity-snapshot.ts';
import { buildDealTimelines } from './deal-timelines.ts';
import { findRiskyDeals } from './deal-risk.ts';

const stages = [
  { name: 'Discovery', category: 'open' },
  { name: 'Proposal', category: 'open' },
  { name: 'Won', category: 'won' },
  { name: 'Lost', category: 'lost' },
] as const;
const day = toDayNumber;

// Ten past deals spent 10 days in Discovery (the usual time), then moved on.
const history: OpportunityInput[] = Array.from({ length: 10 }, (_, i) => ({
  id: 100 + i,
  stage: 'Proposal',
  amountMinor: 1_000_00,
  createdOn: '2024-01-01',
  closeOn: '2024-06-30',
}));
const historyChanges: OpportunityChangeInput[] = history.map((deal) => ({
  opportunityId: deal.id,
  changedAt: '2024-01-11T12:00:00Z',
  field: 'stage',
  oldValue: 'Discovery',
  newValue: 'Proposal',
}));

const deals: OpportunityInput[] = [
  // 1: in Discovery since 2024-03-01 (61 days on 2024-05-01): stalled.
  {
    id: 1,
    stage: 'Discovery',
    ownerPersonId: 7,
    amountMinor: 50_000_00,
    createdOn: '2024-03-01',
    closeOn: '2024-06-15',
  },
  // 2: pushed twice before the as-of day and once after; cut from 80,000 to 60,000 before it.
  {
    id: 2,
    stage: 'Proposal',
    ownerPersonId: 7,
    amountMinor: 60_000_00,
    createdOn: '2024-04-25',
    closeOn: '2024-06-20',
  },
  // 3: healthy: fresh, active, never pushed.
  {
    id: 3,
    stage: 'Discovery',
    ownerPersonId: 8,
    amountMinor: 10_000_00,
    createdOn: '2024-04-28',
    closeOn: '2024-06-01',
  },
];
const changes: OpportunityChangeInput[] = [
  ...historyChanges,
  {
    opportunityId: 2,
    changedAt: '2024-04-26T10:00:00Z',
    field: 'close_on',
    oldValue: '2024-05-10',
    newValue: '2024-05-20',
  },
  {
    opportunityId: 2,
    changedAt: '2024-04-27T10:00:00Z',
    field: 'amount_minor',
    oldValue: '8000000',
    newValue: '6000000',
  },
  {
    opportunityId: 2,
    changedAt: '2024-04-28T10:00:00Z',
    field: 'close_on',
    oldValue: '2024-05-20',
    newValue: '2024-06-05',
  },
  {
    opportunityId: 2,
    changedAt: '2024-05-03T10:00:00Z',
    field: 'close_on',
    oldValue: '2024-06-05',
    newValue: '2024-06-20',
  },
];
const snapshot = buildOpportunitySnapshot({
  stages: [...stages],
  opportunities: [...history, ...deals],
  changes,
});
const timelines = buildDealTimelines(snapshot);
const activities = buildActivitySnapshot([
  { id: 1, type: 'call', personId: 7, opportunityId: 1, occurredOn: '2024-03-05' },
  { id: 2, type: 'call', personId: 7, opportunityId: 2, occurredOn: '2024-04-30' },
  { id: 3, type: 'email', personId: 8, opportunityId: 3, occurredOn: '2024-04-30' },
  // After the as-of day: must not count.
  { id: 4, type: 'call', personId: 7, opportunityId: 1, occurredOn: '2024-05-02' },
]);
const asOf = day('2024-05-01');
const byId = (id: number) =>
  findRiskyDeals(snapshot, timelines, activities, { asOf }).find((d) => d.opportunityId === id);

describe('findRiskyDeals', () => {
  it('flags a deal in its stage over twice the usual (median) time', () => {
    const deal = byId(1)!;
    expect(deal.ageInStageDays).toBe(61);
    expect(deal.reasons.map((r) => r.kind)).toContain('stalled');
    expect(deal.reasons.find((r) => r.kind === 'stalled')!.message).toBe(
      'in Discovery for 61 days; deals usually spend 10 days there',
    );
  });

  it('counts the quiet days up to the as-of day only (a later activity is not seen)', () => {
    const deal = byId(1)!;
    expect(deal.daysSinceActivity).toBe(asOf - day('2024-03-05'));
    expect(deal.reasons.map((r) => r.kind)).toContain('no_recent_activity');
  });

  it('counts pushes and cuts known by the as-of day, and names them', () => {
    const deal = byId(2)!;
    expect(deal.pushes).toBe(2);
    expect(deal.amountCutMinor).toBe(-20_000_00);
    expect(deal.reasons.map((r) => r.kind)).toEqual(['close_date_pushed', 'amount_cut']);
    expect(deal.reasons[1]!.message).toBe('amount cut by 25% from the highest it had');
    // Seen the day before the second push, it was pushed only once: not at risk for that.
    const earlier = findRiskyDeals(snapshot, timelines, activities, { asOf: day('2024-04-27') }).find(
      (d) => d.opportunityId === 2,
    );
    expect(earlier?.reasons.map((r) => r.kind)).toEqual(['amount_cut']);
  });

  it('leaves healthy deals out and keeps to the caller’s scope', () => {
    expect(byId(3)).toBeUndefined();
    const onlyEight = findRiskyDeals(snapshot, timelines, activities, {
      asOf,
      visible: (person) => person === 8,
    });
    expect(onlyEight).toEqual([]);
    const onlySeven = findRiskyDeals(snapshot, timelines, activities, {
      asOf,
      visible: (person) => person === 7,
    });
    expect(onlySeven.map((d) => d.opportunityId).sort()).toEqual([1, 2]);
  });

  it('judges no silence where no activity names a deal', () => {
    const personOnly = buildActivitySnapshot([
      { id: 1, type: 'call', personId: 7, occurredOn: '2024-03-05' },
    ]);
    const risky = findRiskyDeals(snapshot, timelines, personOnly, { asOf });
    expect(risky.flatMap((d) => d.reasons.map((r) => r.kind))).not.toContain('no_recent_activity');
    expect(risky.find((d) => d.opportunityId === 1)!.reasons.map((r) => r.kind)).toEqual(['stalled']);
  });

  it('lists the deals with the most reasons first, then the largest', () => {
    const risky = findRiskyDeals(snapshot, timelines, activities, { asOf });
    // 1 and 2 have two reasons each (2 is larger); the quiet history deals one each.
    expect(risky.slice(0, 2).map((d) => d.opportunityId)).toEqual([2, 1]);
    expect(risky.slice(2).every((d) => d.reasons.length === 1)).toBe(true);
  });

  it('flags a deal with one contact or none, only where the count is given', () => {
    const contacts = new Map([
      [1, 3],
      [2, 1],
      [3, 0],
    ]);
    const risky = findRiskyDeals(snapshot, timelines, activities, { asOf, contacts });
    const reasonsOf = (id: number) => risky.find((d) => d.opportunityId === id)?.reasons ?? [];
    expect(reasonsOf(1).map((r) => r.kind)).not.toContain('single_threaded');
    expect(reasonsOf(2).at(-1)).toEqual({
      kind: 'single_threaded',
      message: 'single-threaded: one contact on the deal',
    });
    // The healthy deal 3 is listed now, for that reason alone.
    expect(reasonsOf(3)).toEqual([{ kind: 'single_threaded', message: 'no contact on the deal' }]);
    expect(risky.find((d) => d.opportunityId === 3)!.contacts).toBe(0);
    // The history deals have no count: not judged.
    expect(risky.find((d) => d.opportunityId === 100)!.contacts).toBeNull();
    expect(byId(2)!.reasons.map((r) => r.kind)).not.toContain('single_threaded');
  });
});
