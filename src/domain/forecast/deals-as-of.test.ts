import { describe, expect, it } from 'vitest';
import { toDayNumber } from '../calendar/day-number.ts';
import { buildOpportunitySnapshot, type OpportunityInput } from '../snapshot/build-opportunity-snapshot.ts';
import { buildDealTimelines, wonAsOf } from './deal-timelines.ts';
import { dealsAsOf, typicalAmounts } from './deals-as-of.ts';

const stages = [
  { name: 'Engaging', category: 'open' },
  { name: 'Won', category: 'won' },
  { name: 'Lost', category: 'lost' },
] as const;

describe('deals without an amount (recorded only at close, as in the Maven sample)', () => {
  // Product 1 won five times (100..500), product 2 once (9,000): too few for a product median.
  const won: OpportunityInput[] = [100, 200, 300, 400, 500].map((amount, i) => ({
    id: i + 1,
    stage: 'Won',
    productId: 1,
    amountMinor: amount,
    createdOn: '2024-01-01',
    closedOn: '2024-02-01',
    isClosed: true,
    isWon: true,
  }));
  won.push({
    id: 6,
    stage: 'Won',
    productId: 2,
    amountMinor: 9_000,
    createdOn: '2024-01-01',
    closedOn: '2024-02-01',
    isClosed: true,
    isWon: true,
  });
  const open: OpportunityInput[] = [
    { id: 10, stage: 'Engaging', productId: 1, amountMinor: null, createdOn: '2024-02-10' },
    { id: 11, stage: 'Engaging', productId: 2, amountMinor: null, createdOn: '2024-02-10' },
    { id: 12, stage: 'Engaging', productId: 1, amountMinor: 7, createdOn: '2024-02-10' },
  ];
  const snapshot = buildOpportunitySnapshot({
    stages: [...stages],
    opportunities: [...won, ...open],
    changes: [],
  });
  const timelines = buildDealTimelines(snapshot);
  const asOf = toDayNumber('2024-03-01');

  it('counts them at the median won amount of their product, else of every deal, as known on the day', () => {
    const typical = typicalAmounts(snapshot, timelines, asOf);
    expect(typical.byProduct.get(1)).toBe(300);
    expect(typical.byProduct.has(2)).toBe(false);
    expect(typical.overall).toBe(300);
    const deals = dealsAsOf(snapshot, timelines, asOf, -1, typical);
    const amountOf = (id: number) =>
      deals.open.amountMinor[Array.from(deals.open.row).findIndex((r) => snapshot.id[r] === id)];
    expect(amountOf(10)).toBe(300);
    expect(amountOf(11)).toBe(300);
    expect(amountOf(12)).toBe(7);
    expect(deals.open.typicalAmountCount).toBe(2);
  });

  it('leaves them out without typical amounts, and has none before anything was won', () => {
    expect(dealsAsOf(snapshot, timelines, asOf).open.count).toBe(1);
    expect(typicalAmounts(snapshot, timelines, toDayNumber('2024-01-15')).overall).toBeUndefined();
  });
});

describe('a cancelled win (cancelled_on)', () => {
  const snapshot = buildOpportunitySnapshot({
    stages: [...stages],
    opportunities: [
      {
        id: 1,
        stage: 'Won',
        amountMinor: 500,
        createdOn: '2024-01-01',
        closedOn: '2024-02-01',
        isClosed: true,
        isWon: true,
        cancelledOn: '2024-03-10',
      },
      {
        id: 2,
        stage: 'Won',
        amountMinor: 700,
        createdOn: '2024-01-01',
        closedOn: '2024-02-01',
        isClosed: true,
        isWon: true,
      },
    ],
    changes: [],
  });
  const timelines = buildDealTimelines(snapshot);
  const wonIds = (day: string) => {
    const { won, open } = dealsAsOf(snapshot, timelines, toDayNumber(day));
    expect(open.count).toBe(0);
    return Array.from(won.row).map((r) => snapshot.id[r]);
  };

  it('is won before its cancellation day and lost (not open) from it on, as in the KPIs', () => {
    expect(wonIds('2024-03-09')).toEqual([1, 2]);
    expect(wonIds('2024-03-10')).toEqual([2]);
    expect(wonAsOf(timelines, 0, toDayNumber('2024-03-09'))).toBe(1);
    expect(wonAsOf(timelines, 0, toDayNumber('2024-03-10'))).toBe(0);
    expect(wonAsOf(timelines, 1, toDayNumber('2099-01-01'))).toBe(1);
  });

  it('leaves typical amounts: only wins standing on the day count', () => {
    // the lower median of 500 and 700, then 700 alone
    expect(typicalAmounts(snapshot, timelines, toDayNumber('2024-03-09')).overall).toBe(500);
    expect(typicalAmounts(snapshot, timelines, toDayNumber('2024-03-10')).overall).toBe(700);
  });
});
