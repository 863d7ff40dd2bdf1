import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromDayNumber, toDayNumber } from '../calendar/day-number.ts';
import {
  buildOpportunitySnapshot,
  type OpportunityChangeInput,
  type OpportunityInput,
} from './build-opportunity-snapshot.ts';
import { NULL_CODE, NULL_DAY, decodeDictionaryValue } from './columns.ts';
import { pipelineAsOf, type PipelineAsOf } from './pipeline-as-of.ts';
import type { OpportunitySnapshot } from './opportunity-snapshot.ts';

const stages = [
  { name: 'Prospecting', category: 'open' },
  { name: 'Proposal', category: 'open' },
  { name: 'Negotiation', category: 'open' },
  { name: 'Closed Won', category: 'won' },
  { name: 'Closed Lost', category: 'lost' },
] as const;

const day = toDayNumber;

/** The as-of state of one opportunity, decoded, or undefined if it did not exist yet. */
function stateOf(snapshot: OpportunitySnapshot, asOf: PipelineAsOf, id: number) {
  for (let i = 0; i < asOf.rowCount; i++) {
    const row = asOf.row[i]!;
    if (snapshot.id[row] !== id) continue;
    const stageCode = asOf.stage[i]!;
    const closeOn = asOf.closeOn[i]!;
    return {
      stage: stageCode === NULL_CODE ? null : snapshot.stage.dictionary[stageCode],
      amountMinor: asOf.amountMinor[i],
      closeOn: closeOn === NULL_DAY ? null : fromDayNumber(closeOn),
      probability: asOf.probability[i],
      owner: asOf.owner[i],
      forecastCategory:
        asOf.forecastCategory[i] === NULL_CODE
          ? null
          : snapshot.forecastCategory.dictionary[asOf.forecastCategory[i]!],
      isClosed: asOf.isClosed[i] === 1,
      isWon: asOf.isWon[i] === 1,
    };
  }
  return undefined;
}

// Deal 1: created 2024-01-10 in Prospecting at 50,000.00; moved to Proposal on 2024-02-01 (amount
// raised to 80,000.00 the same day), cut to 60,000.00 on 2024-03-05, owner handed over on
// 2024-03-20, won on 2024-04-02. Deal 2: created 2024-03-01, still open. Deal 3: created 2024-05-01.
const opportunities: OpportunityInput[] = [
  {
    id: 1,
    stage: 'Closed Won',
    ownerPersonId: 8,
    amountMinor: 6_000_000,
    probability: 100,
    forecastCategory: 'closed',
    createdOn: '2024-01-10',
    closeOn: '2024-04-02',
    closedOn: '2024-04-02',
    isClosed: true,
    isWon: true,
  },
  {
    id: 2,
    stage: 'Negotiation',
    ownerPersonId: 7,
    amountMinor: 1_000_000,
    probability: 75,
    createdOn: '2024-03-01',
    closeOn: '2024-06-30',
  },
  {
    id: 3,
    stage: 'Prospecting',
    ownerPersonId: 7,
    amountMinor: 500_000,
    probability: 10,
    createdOn: '2024-05-01',
    closeOn: '2024-09-30',
  },
];
const changes: OpportunityChangeInput[] = [
  // Listed out of order on purpose: the snapshot orders by opportunity, then time.
  {
    opportunityId: 1,
    changedAt: '2024-04-02T16:00:00Z',
    field: 'stage',
    oldValue: 'Proposal',
    newValue: 'Closed Won',
  },
  {
    opportunityId: 1,
    changedAt: '2024-04-02T16:00:00Z',
    field: 'probability',
    oldValue: '50',
    newValue: '100',
  },
  {
    opportunityId: 1,
    changedAt: '2024-04-02T16:00:00Z',
    field: 'forecast_category',
    oldValue: 'commit',
    newValue: 'closed',
  },
  {
    opportunityId: 2,
    changedAt: '2024-04-10T09:00:00Z',
    field: 'stage',
    oldValue: 'Proposal',
    newValue: 'Negotiation',
  },
  {
    opportunityId: 1,
    changedAt: '2024-02-01T09:00:00Z',
    field: 'stage',
    oldValue: 'Prospecting',
    newValue: 'Proposal',
  },
  {
    opportunityId: 1,
    changedAt: '2024-02-01T11:30:00Z',
    field: 'amount_minor',
    oldValue: '5000000',
    newValue: '8000000',
  },
  {
    opportunityId: 1,
    changedAt: '2024-02-01T09:00:00Z',
    field: 'probability',
    oldValue: '10',
    newValue: '50',
  },
  {
    opportunityId: 1,
    changedAt: '2024-03-05T23:59:59.999Z',
    field: 'amount_minor',
    oldValue: '8000000',
    newValue: '6000000',
  },
  {
    opportunityId: 1,
    changedAt: '2024-03-20T08:00:00Z',
    field: 'owner_person_id',
    oldValue: '7',
    newValue: '8',
  },
  {
    opportunityId: 1,
    changedAt: '2024-03-25T08:00:00Z',
    field: 'close_on',
    oldValue: '2024-05-31',
    newValue: '2024-04-02',
  },
  {
    opportunityId: 2,
    changedAt: '2024-03-15T09:00:00+02:00',
    field: 'amount_minor',
    oldValue: null,
    newValue: '1000000',
  },
];
const snapshot = buildOpportunitySnapshot({ stages: [...stages], opportunities, changes });

describe('pipelineAsOf', () => {
  it('never shows a deal created after the as-of day', () => {
    const asOf = pipelineAsOf(snapshot, day('2024-02-29'));
    expect(asOf.rowCount).toBe(1);
    expect(stateOf(snapshot, asOf, 2)).toBeUndefined();
    expect(stateOf(snapshot, asOf, 3)).toBeUndefined();
    // A deal exists from the end of its creation day.
    expect(stateOf(snapshot, pipelineAsOf(snapshot, day('2024-03-01')), 2)).toBeDefined();
    expect(stateOf(snapshot, pipelineAsOf(snapshot, day('2024-04-30')), 3)).toBeUndefined();
    expect(stateOf(snapshot, pipelineAsOf(snapshot, day('2024-05-01')), 3)).toBeDefined();
    expect(pipelineAsOf(snapshot, day('2024-01-09')).rowCount).toBe(0);
  });

  it('shows the old stage of a deal whose stage changed after the day', () => {
    expect(stateOf(snapshot, pipelineAsOf(snapshot, day('2024-01-31')), 1)).toMatchObject({
      stage: 'Prospecting',
      probability: 10,
    });
    expect(stateOf(snapshot, pipelineAsOf(snapshot, day('2024-02-01')), 1)).toMatchObject({
      stage: 'Proposal',
      probability: 50,
    });
    expect(stateOf(snapshot, pipelineAsOf(snapshot, day('2024-04-01')), 2)).toMatchObject({
      stage: 'Proposal',
    });
  });

  it('shows the old amount of a deal whose amount was cut after the day', () => {
    expect(stateOf(snapshot, pipelineAsOf(snapshot, day('2024-01-31')), 1)?.amountMinor).toBe(5_000_000);
    expect(stateOf(snapshot, pipelineAsOf(snapshot, day('2024-03-04')), 1)?.amountMinor).toBe(8_000_000);
    // The cut at 23:59:59.999 UTC belongs to its own day.
    expect(stateOf(snapshot, pipelineAsOf(snapshot, day('2024-03-05')), 1)?.amountMinor).toBe(6_000_000);
  });

  it('reconstructs owner, close date and forecast category, and keeps a null old value null', () => {
    expect(stateOf(snapshot, pipelineAsOf(snapshot, day('2024-03-19')), 1)).toEqual({
      stage: 'Proposal',
      amountMinor: 6_000_000,
      closeOn: '2024-05-31',
      probability: 50,
      owner: 7,
      forecastCategory: 'commit',
      isClosed: false,
      isWon: false,
    });
    // 09:00+02:00 is 07:00 UTC on 2024-03-15: before that day ended, the amount was not yet set.
    expect(stateOf(snapshot, pipelineAsOf(snapshot, day('2024-03-14')), 2)?.amountMinor).toBeNaN();
    expect(stateOf(snapshot, pipelineAsOf(snapshot, day('2024-03-15')), 2)?.amountMinor).toBe(1_000_000);
  });

  it('shows a deal won after the day as open, and as won from its close', () => {
    expect(stateOf(snapshot, pipelineAsOf(snapshot, day('2024-04-01')), 1)).toMatchObject({
      stage: 'Proposal',
      isClosed: false,
      isWon: false,
    });
    expect(stateOf(snapshot, pipelineAsOf(snapshot, day('2024-04-02')), 1)).toEqual({
      stage: 'Closed Won',
      amountMinor: 6_000_000,
      closeOn: '2024-04-02',
      probability: 100,
      owner: 8,
      forecastCategory: 'closed',
      isClosed: true,
      isWon: true,
    });
  });

  it('keeps a closed deal open until its closed_on even without a stage history', () => {
    const lonely = buildOpportunitySnapshot({
      stages: [...stages],
      opportunities: [
        { id: 9, stage: 'Closed Lost', createdOn: '2024-01-01', closedOn: '2024-02-15', isClosed: true },
      ],
    });
    expect(stateOf(lonely, pipelineAsOf(lonely, day('2024-02-14')), 9)).toMatchObject({
      stage: 'Closed Lost',
      isClosed: false,
    });
    expect(stateOf(lonely, pipelineAsOf(lonely, day('2024-02-15')), 9)).toMatchObject({
      isClosed: true,
      isWon: false,
    });
  });

  it('returns the current values for a day after the last change', () => {
    const asOf = pipelineAsOf(snapshot, day('2030-01-01'));
    expect(asOf.rowCount).toBe(3);
    expect(Array.from(asOf.amountMinor)).toEqual(Array.from(snapshot.amountMinor));
    expect(Array.from(asOf.stage)).toEqual(Array.from(snapshot.stage.codes));
    expect(decodeDictionaryValue(snapshot.stage, asOf.row[1]!)).toBe('Negotiation');
  });

  it('replays the history forward to the same state it undoes (property)', () => {
    // A random history of amount changes applied forward from a start value must give, on each day,
    // what pipelineAsOf reconstructs backwards from the current value.
    const histories = fc.array(
      fc.record({ dayOffset: fc.integer({ min: 0, max: 60 }), amount: fc.integer({ min: 0, max: 1e9 }) }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        histories,
        fc.integer({ min: -5, max: 70 }),
        (startAmount, steps, probe) => {
          const created = day('2024-01-01');
          const sorted = [...steps].sort((a, b) => a.dayOffset - b.dayOffset);
          let current = startAmount;
          const history: OpportunityChangeInput[] = sorted.map((step, i) => {
            const change: OpportunityChangeInput = {
              opportunityId: 1,
              changedAt: `${fromDayNumber(created + step.dayOffset)}T${String(i % 24).padStart(2, '0')}:00:00Z`,
              field: 'amount_minor',
              oldValue: String(current),
              newValue: String(step.amount),
            };
            current = step.amount;
            return change;
          });
          const built = buildOpportunitySnapshot({
            stages: [...stages],
            opportunities: [{ id: 1, stage: 'Proposal', amountMinor: current, createdOn: '2024-01-01' }],
            changes: history,
          });
          const asOf = pipelineAsOf(built, created + probe);
          if (probe < 0) return asOf.rowCount === 0;
          let expected = startAmount;
          for (const step of sorted) if (step.dayOffset <= probe) expected = step.amount;
          return asOf.rowCount === 1 && asOf.amountMinor[0] === expected;
        },
      ),
    );
  });
});
