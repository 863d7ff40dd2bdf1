import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toDayNumber } from '../calendar/day-number.ts';
import { DomainError } from '../errors.ts';
import { buildOpportunitySnapshot } from './build-opportunity-snapshot.ts';
import { NULL_CODE, NULL_DAY, NULL_INT32, NULL_PROBABILITY, createDictionaryEncoder } from './columns.ts';
import {
  FIELD_CODE,
  encodeChangeValue,
  fieldCodeOf,
  groupChangesByRow,
  trackedOpportunityFields,
} from './opportunity-snapshot.ts';

describe('groupChangesByRow', () => {
  it('orders changes by row, then time, stable for equal instants, with offsets per row (property)', () => {
    const changeLists = fc.array(
      fc.record({ row: fc.integer({ min: 0, max: 9 }), at: fc.integer({ min: 0, max: 20 }) }),
      { maxLength: 80 },
    );
    fc.assert(
      fc.property(changeLists, (list) => {
        const count = list.length;
        const grouped = groupChangesByRow(10, {
          count,
          // Ids in input order: equal instants must keep it.
          id: Int32Array.from(list.map((_, i) => 100 + i)),
          row: Int32Array.from(list.map((c) => c.row)),
          field: new Uint8Array(count),
          changedAtMs: Float64Array.from(list.map((c) => c.at)),
          // The input position rides along as a value, to check stability and that columns move together.
          oldValue: Float64Array.from(list.map((_, i) => i)),
          newValue: Float64Array.from(list.map((_, i) => -i - 1)),
        });
        const expected = list
          .map((c, i) => ({ ...c, i }))
          .sort((a, b) => a.row - b.row || a.at - b.at || a.i - b.i);
        expect(Array.from(grouped.oldValue)).toEqual(expected.map((c) => c.i));
        expect(Array.from(grouped.newValue)).toEqual(expected.map((c) => -c.i - 1));
        expect(Array.from(grouped.row)).toEqual(expected.map((c) => c.row));
        expect(Array.from(grouped.id)).toEqual(expected.map((c) => 100 + c.i));
        expect(grouped.offsets).toHaveLength(11);
        expect(grouped.offsets[10]).toBe(count);
        for (let row = 0; row < 10; row++) {
          for (let c = grouped.offsets[row]!; c < grouped.offsets[row + 1]!; c++)
            expect(grouped.row[c]).toBe(row);
        }
      }),
    );
  });

  it('breaks ties between equal instants by change id, whatever order they were read in', () => {
    const grouped = groupChangesByRow(1, {
      count: 3,
      id: Int32Array.of(9, 4, 7),
      row: Int32Array.of(0, 0, 0),
      field: new Uint8Array(3),
      changedAtMs: Float64Array.of(50, 50, 10),
      oldValue: Float64Array.of(1, 2, 3),
      newValue: Float64Array.of(1, 2, 3),
    });
    expect(Array.from(grouped.id)).toEqual([7, 4, 9]);
    expect(Array.from(grouped.oldValue)).toEqual([3, 2, 1]);
  });

  it('refuses a change that points outside the snapshot', () => {
    const one = {
      count: 1,
      id: Int32Array.of(1),
      row: Int32Array.of(3),
      field: new Uint8Array(1),
      changedAtMs: new Float64Array(1),
      oldValue: new Float64Array(1),
      newValue: new Float64Array(1),
    };
    expect(() => groupChangesByRow(3, one)).toThrow(DomainError);
  });
});

describe('encodeChangeValue', () => {
  const encoders = () => ({
    stage: createDictionaryEncoder(['Prospecting']),
    forecastCategory: createDictionaryEncoder(['pipeline', 'commit']),
  });

  it('encodes each field as its column does', () => {
    const e = encoders();
    expect(encodeChangeValue(FIELD_CODE.stage, 'Prospecting', e)).toBe(0);
    expect(encodeChangeValue(FIELD_CODE.stage, 'Old Stage', e)).toBe(1);
    expect(e.stage.dictionary).toEqual(['Prospecting', 'Old Stage']);
    expect(encodeChangeValue(FIELD_CODE.forecast_category, 'commit', e)).toBe(1);
    expect(encodeChangeValue(FIELD_CODE.amount_minor, '-125050', e)).toBe(-125_050);
    expect(encodeChangeValue(FIELD_CODE.close_on, '2024-02-29', e)).toBe(toDayNumber('2024-02-29'));
    expect(encodeChangeValue(FIELD_CODE.probability, '75', e)).toBe(75);
    expect(encodeChangeValue(FIELD_CODE.owner_person_id, '42', e)).toBe(42);
    expect(encodeChangeValue(FIELD_CODE.cancelled_on, '2026-08-10', e)).toBe(toDayNumber('2026-08-10'));
    for (const field of trackedOpportunityFields)
      expect(encodeChangeValue(fieldCodeOf(field), null, e)).toBeNaN();
  });

  it.each([
    ['amount_minor', '12.50'],
    ['amount_minor', '9007199254740993'],
    ['amount_minor', ''],
    ['close_on', '2024-02-30'],
    ['close_on', '29/02/2024'],
    ['cancelled_on', '2026-08-32'],
    ['probability', '101'],
    ['probability', 'high'],
    ['owner_person_id', '0'],
    ['owner_person_id', '3000000000'],
  ] as const)('refuses %s %j', (field, text) => {
    expect(encodeChangeValue(fieldCodeOf(field), text, encoders())).toBeUndefined();
  });

  it('knows only the tracked fields', () => {
    expect(() => fieldCodeOf('name')).toThrow(DomainError);
    expect(trackedOpportunityFields.map(fieldCodeOf)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe('buildOpportunitySnapshot', () => {
  it('encodes every column with the snapshot null sentinels', () => {
    const snapshot = buildOpportunitySnapshot({
      stages: [
        { name: 'Open', category: 'open' },
        { name: 'Won', category: 'won' },
      ],
      opportunities: [
        {
          id: 20,
          stage: 'Won',
          ownerPersonId: 3,
          accountId: 4,
          productId: 5,
          competitor: 'Acme',
          lostReason: null,
          leadSource: 'Web',
          dealType: 'renewal',
          forecastCategory: 'closed',
          currency: 'EUR',
          amountMinor: 123_456,
          probability: 100,
          grossMarginBps: 4500,
          createdOn: '2024-01-01',
          closeOn: '2024-02-01',
          closedOn: '2024-02-02',
          isClosed: true,
          isWon: true,
        },
        { id: 10, stage: 'Open', createdOn: '2023-12-31' },
      ],
      changes: [
        {
          opportunityId: 20,
          changedAt: '2024-02-02T10:00:00Z',
          field: 'stage',
          oldValue: 'Retired Stage',
          newValue: 'Won',
        },
      ],
    });
    expect(Array.from(snapshot.id)).toEqual([10, 20]);
    expect(snapshot.stage).toEqual({
      codes: Int32Array.of(0, 1),
      dictionary: ['Open', 'Won', 'Retired Stage'],
    });
    expect(snapshot.stageCategory).toEqual(['open', 'won', null]);
    expect(Array.from(snapshot.owner)).toEqual([NULL_CODE, 3]);
    expect(Array.from(snapshot.account)).toEqual([NULL_CODE, 4]);
    expect(Array.from(snapshot.product)).toEqual([NULL_CODE, 5]);
    expect(snapshot.competitor).toEqual({ codes: Int32Array.of(NULL_CODE, 0), dictionary: ['Acme'] });
    expect(Array.from(snapshot.lostReason.codes)).toEqual([NULL_CODE, NULL_CODE]);
    expect(snapshot.dealType.dictionary[snapshot.dealType.codes[1]!]).toBe('renewal');
    expect(snapshot.dealType.codes[0]).toBe(NULL_CODE);
    expect(snapshot.forecastCategory.dictionary[snapshot.forecastCategory.codes[1]!]).toBe('closed');
    expect(snapshot.currency).toEqual({ codes: Int32Array.of(0, 1), dictionary: ['USD', 'EUR'] });
    expect(Array.from(snapshot.amountMinor)).toEqual([Number.NaN, 123_456]);
    expect(Array.from(snapshot.probability)).toEqual([NULL_PROBABILITY, 100]);
    expect(Array.from(snapshot.grossMarginBps)).toEqual([NULL_INT32, 4500]);
    expect(Array.from(snapshot.createdOn)).toEqual([toDayNumber('2023-12-31'), toDayNumber('2024-01-01')]);
    expect(Array.from(snapshot.closeOn)).toEqual([NULL_DAY, toDayNumber('2024-02-01')]);
    expect(Array.from(snapshot.closedOn)).toEqual([NULL_DAY, toDayNumber('2024-02-02')]);
    expect(Array.from(snapshot.isClosed)).toEqual([0, 1]);
    expect(Array.from(snapshot.isWon)).toEqual([0, 1]);
    expect(snapshot.changes).toMatchObject({
      count: 1,
      offsets: Int32Array.of(0, 0, 1),
      row: Int32Array.of(1),
      field: Uint8Array.of(FIELD_CODE.stage),
    });
    expect(Array.from(snapshot.changes.oldValue)).toEqual([2]);
    expect(Array.from(snapshot.changes.changedAtMs)).toEqual([Date.UTC(2024, 1, 2, 10)]);
  });

  it.each([
    [{ opportunities: [{ id: 1, stage: 'Open', createdOn: '2024-01-01', amountMinor: 10.5 }] }],
    [{ opportunities: [{ id: 1, stage: 'Open', createdOn: '2024-02-30' }] }],
    [
      {
        opportunities: [
          { id: 1, stage: 'Open', createdOn: '2024-01-01' },
          { id: 1, stage: 'Open', createdOn: '2024-01-01' },
        ],
      },
    ],
    [
      {
        opportunities: [],
        changes: [
          {
            opportunityId: 1,
            changedAt: '2024-01-01T00:00:00Z',
            field: 'stage' as const,
            oldValue: null,
            newValue: 'Open',
          },
        ],
      },
    ],
    [
      {
        opportunities: [{ id: 1, stage: 'Open', createdOn: '2024-01-01' }],
        changes: [
          {
            opportunityId: 1,
            changedAt: '2024-01-01 10:00',
            field: 'stage' as const,
            oldValue: null,
            newValue: 'Open',
          },
        ],
      },
    ],
  ])('refuses broken input %#', (input) => {
    expect(() =>
      buildOpportunitySnapshot({ stages: [{ name: 'Open', category: 'open' }], ...input }),
    ).toThrow(DomainError);
  });
});
