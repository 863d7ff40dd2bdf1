import { describe, expect, it } from 'vitest';
import { toDayNumber } from '../calendar/day-number.ts';
import {
  buildOpportunitySnapshot,
  type OpportunityChangeInput,
  type OpportunityInput,
} from '../snapshot/build-opportunity-snapshot.ts';
import { buildDealTimelines } from './deal-timelines.ts';
import { CELL_NONE, CELL_OWN, cellOf, learnHistoricalModel, winBetween } from './historical-model.ts';

const stages = [
  { name: 'Prospecting', category: 'open' },
  { name: 'Proposal', category: 'open' },
  { name: 'Closed Won', category: 'won' },
  { name: 'Closed Lost', category: 'lost' },
] as const;

/** A deal created in Proposal; closed `closedAfter` days later when an outcome is given. */
function deal(
  id: number,
  createdOn: string,
  outcome?: { won: boolean; closedOn: string },
): { opportunity: OpportunityInput; changes: OpportunityChangeInput[] } {
  const stage = outcome ? (outcome.won ? 'Closed Won' : 'Closed Lost') : 'Proposal';
  return {
    opportunity: {
      id,
      stage,
      amountMinor: 100_000,
      createdOn,
      closedOn: outcome?.closedOn ?? null,
      isClosed: outcome !== undefined,
      isWon: outcome?.won ?? false,
    },
    changes: outcome
      ? [
          {
            opportunityId: id,
            changedAt: `${outcome.closedOn}T12:00:00Z`,
            field: 'stage',
            oldValue: 'Proposal',
            newValue: stage,
          },
        ]
      : [],
  };
}

function snapshotOf(deals: ReturnType<typeof deal>[]) {
  return buildOpportunitySnapshot({
    stages: [...stages],
    opportunities: deals.map((d) => d.opportunity),
    changes: deals.flatMap((d) => d.changes),
  });
}

// One observation per deal (at stage entry), one age bucket: the curve is plain Aalen–Johansen.
const options = { ageBucketEdges: [0], observationStepDays: 10_000, minObservations: 1, horizonDays: 100 };

describe('learnHistoricalModel', () => {
  // 4 deals won and 4 lost 20 days after entering Proposal; 8 entered it 5 days before the as-of
  // day and are still open. Counting open deals as lost would give 4 / 16 = 0.25.
  const old = Array.from({ length: 8 }, (_, i) =>
    deal(i + 1, '2024-01-01', { won: i < 4, closedOn: '2024-01-21' }),
  );
  const young = Array.from({ length: 8 }, (_, i) => deal(i + 9, '2024-02-25'));
  const asOf = toDayNumber('2024-03-01');

  it('treats open deals as censored, not lost', () => {
    const snapshot = snapshotOf([...old, ...young]);
    const model = learnHistoricalModel(snapshot, buildDealTimelines(snapshot), asOf, options);
    const proposal = snapshot.stage.dictionary.indexOf('Proposal');
    const cell = cellOf(model, 0, 0, proposal, 0);
    expect(model.cellSource[cell]).toBe(CELL_OWN);
    expect(model.cellObservations[cell]).toBe(16);
    // The young deals left the risk set at day 5, before any close: 4 won of the 8 still at risk.
    expect(winBetween(model, cell, 1, 100)).toBeCloseTo(0.5, 12);
    // Time to close: nothing is won before day 20, everything by it.
    expect(winBetween(model, cell, 1, 19)).toBe(0);
    expect(winBetween(model, cell, 1, 20)).toBeCloseTo(0.5, 12);
    expect(winBetween(model, cell, 21, 100)).toBe(0);
  });

  it('gives the same eventual win rate with or without the censored deals', () => {
    const snapshot = snapshotOf(old);
    const model = learnHistoricalModel(snapshot, buildDealTimelines(snapshot), asOf, options);
    const cell = cellOf(model, 0, 0, snapshot.stage.dictionary.indexOf('Proposal'), 0);
    expect(winBetween(model, cell, 1, 100)).toBeCloseTo(0.5, 12);
  });

  it('does not see closes after the as-of day: those deals are still open then', () => {
    const snapshot = snapshotOf([...old, ...young]);
    // As of 2024-01-15 nothing has closed: every deal is censored and nothing is won yet.
    const model = learnHistoricalModel(
      snapshot,
      buildDealTimelines(snapshot),
      toDayNumber('2024-01-15'),
      options,
    );
    const cell = cellOf(model, 0, 0, snapshot.stage.dictionary.indexOf('Proposal'), 0);
    expect(model.cellObservations[cell]).toBe(8);
    expect(winBetween(model, cell, 1, 100)).toBe(0);
  });

  it('leaves a stage without history to the fallback', () => {
    const snapshot = snapshotOf([...old, ...young]);
    const model = learnHistoricalModel(snapshot, buildDealTimelines(snapshot), asOf, options);
    const cell = cellOf(model, 0, 0, snapshot.stage.dictionary.indexOf('Prospecting'), 0);
    expect(model.cellSource[cell]).toBe(CELL_NONE);
  });
});
