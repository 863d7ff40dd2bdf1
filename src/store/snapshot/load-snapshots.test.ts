import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromDayNumber, toDayNumber } from '../../domain/calendar/day-number.ts';
import { activityTypeCode } from '../../domain/snapshot/activity-snapshot.ts';
import { buildOpportunitySnapshot } from '../../domain/snapshot/build-opportunity-snapshot.ts';
import { NULL_CODE, NULL_DAY, NULL_INT32, NULL_PROBABILITY } from '../../domain/snapshot/columns.ts';
import { FIELD_CODE } from '../../domain/snapshot/opportunity-snapshot.ts';
import { pipelineAsOf } from '../../domain/snapshot/pipeline-as-of.ts';
import { AppError } from '../../domain/errors.ts';
import { createTestStore, testDatabaseKinds, type TestStore } from '../testing/test-store.ts';
import { loadActivitySnapshot, loadOpportunitySnapshot } from './load-snapshots.ts';

const day = toDayNumber;

describe.each(testDatabaseKinds())('snapshot loaders on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
    await store.pool.query(`
      INSERT INTO stages (name, sort_order, category, default_probability) VALUES
        ('Closed Won', 9, 'won', 100), ('Prospecting', 1, 'open', 10), ('Proposal', 2, 'open', 50), ('Closed Lost', 10, 'lost', 0);
      INSERT INTO people (id, external_key, name) VALUES (7, 'ana', 'Ana'), (8, 'ben', 'Ben');
      INSERT INTO accounts (id, external_key, name) VALUES (30, 'acme', 'Acme Corp'), (31, 'globex', 'Globex');
      INSERT INTO products (id, external_key, name) VALUES (50, 'core', 'Core');
      -- Ids out of insertion order and with a gap: the snapshot is ordered by id.
      INSERT INTO opportunities (id, external_key, account_id, owner_person_id, product_id, stage, forecast_category, probability,
          amount_minor, currency, deal_type, lead_source, created_on, close_on, closed_on, is_closed, is_won, lost_reason, competitor, gross_margin_bps) VALUES
        (12, 'o-12', 31, 8, 50, 'Closed Won', 'closed', 100, 6000000, 'EUR', 'new_business', 'Web', '2024-01-10', '2024-04-02', '2024-04-02', true, true, NULL, 'Initech', 3500),
        (3, 'o-3', 30, 7, NULL, 'Proposal', 'commit', 50, 1000000, 'USD', 'renewal', NULL, '2024-03-01', '2024-06-30', NULL, false, false, NULL, NULL, NULL),
        (4, 'o-4', NULL, NULL, NULL, 'Closed Lost', NULL, NULL, NULL, 'USD', NULL, 'Web', '2024-05-01', NULL, '2024-05-20', true, false, 'Price', 'Initech', NULL),
        (20, 'o-20', 30, 7, 50, 'Prospecting', 'pipeline', 10, 9007199254740991, 'USD', 'expansion', 'Partner', '2024-06-01', '2024-12-31', NULL, false, false, NULL, NULL, -1500);
      INSERT INTO opportunity_changes (opportunity_id, changed_at, field, old_value, new_value, source) VALUES
        (12, '2024-04-02 16:00:00+00', 'stage', 'Proposal', 'Closed Won', 'import'),
        (12, '2024-02-01 09:00:00+00', 'stage', 'Prospecting', 'Proposal', 'import'),
        (3, '2024-04-10 09:00:00+00', 'amount_minor', '1500000', '1000000', 'import'),
        (12, '2024-03-05 23:59:59.999+00', 'amount_minor', '8000000', '6000000', 'import'),
        (12, '2024-03-20 08:00:00+00', 'owner_person_id', '7', '8', 'import'),
        (12, '2024-03-25 08:00:00+00', 'close_on', '2024-05-31', '2024-04-02', 'import'),
        (12, '2024-04-02 16:00:00+00', 'probability', '50', '100', 'import'),
        (12, '2024-04-02 16:00:00+00', 'forecast_category', 'commit', 'closed', 'import'),
        (3, '2024-03-15 01:30:00+02', 'stage', 'Discovery', 'Proposal', 'source_history'),
        (3, '2024-03-20 12:00:00+00', 'close_on', NULL, '2024-06-30', 'import');
      INSERT INTO activities (id, external_key, type, person_id, account_id, opportunity_id, occurred_at, duration_minutes) VALUES
        (2, 'a-2', 'meeting', 7, 30, 3, '2024-03-02 23:30:00-02', 45),
        (1, 'a-1', 'email', 8, NULL, NULL, '2024-01-15 10:00:00+00', NULL),
        (5, 'a-5', 'demo', NULL, 31, 12, '2024-02-20 00:00:00+00', 60);
    `);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('loads every opportunity column, ordered by id, dictionary-encoded, with null sentinels', async () => {
    const s = await loadOpportunitySnapshot(store);
    expect(s.rowCount).toBe(4);
    expect(Array.from(s.id)).toEqual([3, 4, 12, 20]);
    // Stage codes follow the pipeline order of the stages table; the history's unknown stage comes last.
    expect(s.stage.dictionary).toEqual(['Prospecting', 'Proposal', 'Closed Won', 'Closed Lost', 'Discovery']);
    expect(s.stageCategory).toEqual(['open', 'open', 'won', 'lost', null]);
    expect(Array.from(s.stage.codes)).toEqual([1, 3, 2, 0]);
    expect(Array.from(s.owner)).toEqual([7, NULL_CODE, 8, 7]);
    expect(Array.from(s.account)).toEqual([30, NULL_CODE, 31, 30]);
    expect(Array.from(s.product)).toEqual([NULL_CODE, NULL_CODE, 50, 50]);
    expect(s.competitor).toEqual({
      codes: Int32Array.of(NULL_CODE, 0, 0, NULL_CODE),
      dictionary: ['Initech'],
    });
    expect(s.lostReason).toEqual({
      codes: Int32Array.of(NULL_CODE, 0, NULL_CODE, NULL_CODE),
      dictionary: ['Price'],
    });
    expect(s.leadSource).toEqual({
      codes: Int32Array.of(NULL_CODE, 0, 0, 1),
      dictionary: ['Web', 'Partner'],
    });
    expect(s.dealType.dictionary).toEqual(['new_business', 'expansion', 'renewal']);
    expect(Array.from(s.dealType.codes)).toEqual([2, NULL_CODE, 0, 1]);
    expect(s.forecastCategory.dictionary).toEqual(['pipeline', 'best_case', 'commit', 'closed', 'omitted']);
    expect(Array.from(s.forecastCategory.codes)).toEqual([2, NULL_CODE, 3, 0]);
    expect(s.currency).toEqual({ codes: Int32Array.of(0, 0, 1, 0), dictionary: ['USD', 'EUR'] });
    expect(Array.from(s.amountMinor)).toEqual([1_000_000, Number.NaN, 6_000_000, 9_007_199_254_740_991]);
    expect(Array.from(s.probability)).toEqual([50, NULL_PROBABILITY, 100, 10]);
    expect(Array.from(s.grossMarginBps)).toEqual([NULL_INT32, NULL_INT32, 3500, -1500]);
    expect(Array.from(s.createdOn, fromDayNumber)).toEqual([
      '2024-03-01',
      '2024-05-01',
      '2024-01-10',
      '2024-06-01',
    ]);
    expect(Array.from(s.closeOn)).toEqual([
      day('2024-06-30'),
      NULL_DAY,
      day('2024-04-02'),
      day('2024-12-31'),
    ]);
    expect(Array.from(s.closedOn)).toEqual([NULL_DAY, day('2024-05-20'), day('2024-04-02'), NULL_DAY]);
    expect(Array.from(s.isClosed)).toEqual([0, 1, 1, 0]);
    expect(Array.from(s.isWon)).toEqual([0, 0, 1, 0]);
  });

  it('loads the change history grouped by opportunity row, then time, values encoded per field', async () => {
    const { changes } = await loadOpportunitySnapshot(store);
    expect(changes.count).toBe(10);
    expect(Array.from(changes.offsets)).toEqual([0, 3, 3, 10, 10]);
    expect(Array.from(changes.row)).toEqual([0, 0, 0, 2, 2, 2, 2, 2, 2, 2]);
    // Change ids as inserted; 1, 7 and 8 happened at the same instant and keep their id order.
    expect(Array.from(changes.id)).toEqual([9, 10, 3, 2, 4, 5, 6, 1, 7, 8]);
    expect(Array.from(changes.changedAtMs.subarray(0, 3))).toEqual([
      Date.UTC(2024, 2, 14, 23, 30),
      Date.UTC(2024, 2, 20, 12),
      Date.UTC(2024, 3, 10, 9),
    ]);
    expect(Array.from(changes.field.subarray(0, 3))).toEqual([
      FIELD_CODE.stage,
      FIELD_CODE.close_on,
      FIELD_CODE.amount_minor,
    ]);
    // Stage 'Discovery' (code 4, history only), a null close date, amounts in minor units.
    expect(Array.from(changes.oldValue.subarray(0, 3))).toEqual([4, Number.NaN, 1_500_000]);
    expect(Array.from(changes.newValue.subarray(0, 3))).toEqual([1, day('2024-06-30'), 1_000_000]);
    expect(Array.from(changes.field.subarray(3, 5))).toEqual([FIELD_CODE.stage, FIELD_CODE.amount_minor]);
    expect(Array.from(changes.changedAtMs.subarray(3, 5))).toEqual([
      Date.UTC(2024, 1, 1, 9),
      Date.UTC(2024, 2, 5, 23, 59, 59, 999),
    ]);
  });

  it('gives the same snapshot with tiny pages as with one page, and as the pure builder', async () => {
    const paged = await loadOpportunitySnapshot(store, { chunkSize: 2 });
    const whole = await loadOpportunitySnapshot(store);
    expect(paged).toEqual(whole);
    const built = buildOpportunitySnapshot({
      stages: [
        { name: 'Prospecting', category: 'open' },
        { name: 'Proposal', category: 'open' },
        { name: 'Closed Won', category: 'won' },
        { name: 'Closed Lost', category: 'lost' },
      ],
      opportunities: [
        {
          id: 12,
          stage: 'Closed Won',
          ownerPersonId: 8,
          accountId: 31,
          productId: 50,
          competitor: 'Initech',
          leadSource: 'Web',
          dealType: 'new_business',
          forecastCategory: 'closed',
          currency: 'EUR',
          amountMinor: 6_000_000,
          probability: 100,
          grossMarginBps: 3500,
          createdOn: '2024-01-10',
          closeOn: '2024-04-02',
          closedOn: '2024-04-02',
          isClosed: true,
          isWon: true,
        },
        {
          id: 3,
          stage: 'Proposal',
          ownerPersonId: 7,
          accountId: 30,
          dealType: 'renewal',
          forecastCategory: 'commit',
          amountMinor: 1_000_000,
          probability: 50,
          createdOn: '2024-03-01',
          closeOn: '2024-06-30',
        },
        {
          id: 4,
          stage: 'Closed Lost',
          leadSource: 'Web',
          createdOn: '2024-05-01',
          closedOn: '2024-05-20',
          isClosed: true,
          lostReason: 'Price',
          competitor: 'Initech',
        },
        {
          id: 20,
          stage: 'Prospecting',
          ownerPersonId: 7,
          accountId: 30,
          productId: 50,
          leadSource: 'Partner',
          dealType: 'expansion',
          forecastCategory: 'pipeline',
          amountMinor: 9_007_199_254_740_991,
          probability: 10,
          grossMarginBps: -1500,
          createdOn: '2024-06-01',
          closeOn: '2024-12-31',
        },
      ],
      changes: [
        {
          opportunityId: 12,
          changedAt: '2024-04-02T16:00:00Z',
          field: 'stage',
          oldValue: 'Proposal',
          newValue: 'Closed Won',
        },
        {
          opportunityId: 12,
          changedAt: '2024-02-01T09:00:00Z',
          field: 'stage',
          oldValue: 'Prospecting',
          newValue: 'Proposal',
        },
        {
          opportunityId: 3,
          changedAt: '2024-04-10T09:00:00Z',
          field: 'amount_minor',
          oldValue: '1500000',
          newValue: '1000000',
        },
        {
          opportunityId: 12,
          changedAt: '2024-03-05T23:59:59.999Z',
          field: 'amount_minor',
          oldValue: '8000000',
          newValue: '6000000',
        },
        {
          opportunityId: 12,
          changedAt: '2024-03-20T08:00:00Z',
          field: 'owner_person_id',
          oldValue: '7',
          newValue: '8',
        },
        {
          opportunityId: 12,
          changedAt: '2024-03-25T08:00:00Z',
          field: 'close_on',
          oldValue: '2024-05-31',
          newValue: '2024-04-02',
        },
        {
          opportunityId: 12,
          changedAt: '2024-04-02T16:00:00Z',
          field: 'probability',
          oldValue: '50',
          newValue: '100',
        },
        {
          opportunityId: 12,
          changedAt: '2024-04-02T16:00:00Z',
          field: 'forecast_category',
          oldValue: 'commit',
          newValue: 'closed',
        },
        {
          opportunityId: 3,
          changedAt: '2024-03-15T01:30:00+02:00',
          field: 'stage',
          oldValue: 'Discovery',
          newValue: 'Proposal',
        },
        {
          opportunityId: 3,
          changedAt: '2024-03-20T12:00:00Z',
          field: 'close_on',
          oldValue: null,
          newValue: '2024-06-30',
        },
      ],
    });
    expect(whole).toEqual(built);
  });

  it('reconstructs the pipeline as of a past day end to end, without look-ahead', async () => {
    const s = await loadOpportunitySnapshot(store);
    const asOf = pipelineAsOf(s, day('2024-03-04'));
    // Deals 4 and 20 were created later; deal 12 was in Proposal at 80,000.00, owned by Ana, closing
    // 2024-05-31; deal 3 was in Discovery (a stage the stages table no longer defines), with no close date.
    expect(Array.from(asOf.row, (r) => s.id[r])).toEqual([3, 12]);
    expect(Array.from(asOf.stage, (code) => s.stage.dictionary[code])).toEqual(['Discovery', 'Proposal']);
    expect(Array.from(asOf.amountMinor)).toEqual([1_500_000, 8_000_000]);
    expect(Array.from(asOf.owner)).toEqual([7, 7]);
    expect(Array.from(asOf.closeOn)).toEqual([NULL_DAY, day('2024-05-31')]);
    expect(Array.from(asOf.probability)).toEqual([50, 50]);
    expect(Array.from(asOf.forecastCategory, (code) => s.forecastCategory.dictionary[code])).toEqual([
      'commit',
      'commit',
    ]);
    expect(Array.from(asOf.isClosed)).toEqual([0, 0]);

    // 2024-03-15 01:30+02 is 2024-03-14 23:30 UTC: the move out of Discovery belongs to the 14th.
    expect(Array.from(pipelineAsOf(s, day('2024-03-14')).stage, (code) => s.stage.dictionary[code])).toEqual([
      'Proposal',
      'Proposal',
    ]);

    const later = pipelineAsOf(s, day('2024-05-25'));
    expect(Array.from(later.row, (r) => s.id[r])).toEqual([3, 4, 12]);
    expect(Array.from(later.isClosed)).toEqual([0, 1, 1]);
    expect(Array.from(later.isWon)).toEqual([0, 0, 1]);
    expect(Array.from(later.amountMinor)).toEqual([1_000_000, Number.NaN, 6_000_000]);
  });

  it('loads activities as columns, ordered by id, with the UTC day of each', async () => {
    const a = await loadActivitySnapshot(store, { chunkSize: 2 });
    expect(a.rowCount).toBe(3);
    expect(Array.from(a.id)).toEqual([1, 2, 5]);
    expect(Array.from(a.type)).toEqual([
      activityTypeCode('email'),
      activityTypeCode('meeting'),
      activityTypeCode('demo'),
    ]);
    expect(Array.from(a.person)).toEqual([8, 7, NULL_CODE]);
    expect(Array.from(a.account)).toEqual([NULL_CODE, 30, 31]);
    expect(Array.from(a.opportunity)).toEqual([NULL_CODE, 3, 12]);
    // 2024-03-02 23:30 at UTC-2 is 2024-03-03 01:30 UTC.
    expect(Array.from(a.occurredOn, fromDayNumber)).toEqual(['2024-01-15', '2024-03-03', '2024-02-20']);
    expect(Array.from(a.durationMinutes)).toEqual([NULL_INT32, 45, 60]);
  });

  it('loads a cancellation’s change as a day; the pipeline turns the win lost from that day only', async () => {
    const before = await loadOpportunitySnapshot(store);
    await store.pool.query(`
      UPDATE opportunities SET cancelled_on = '2024-05-10' WHERE id = 12;
      INSERT INTO opportunity_changes (opportunity_id, changed_at, field, old_value, new_value, source) VALUES
        (12, '2024-05-11 09:00:00+00', 'cancelled_on', NULL, '2024-05-10', 'import');
    `);
    try {
      const s = await loadOpportunitySnapshot(store);
      const c = s.changes.count - 1;
      expect(s.changes.count).toBe(before.changes.count + 1);
      expect(s.changes.field[c]).toBe(FIELD_CODE.cancelled_on);
      expect(s.changes.oldValue[c]).toBeNaN();
      expect(s.changes.newValue[c]).toBe(day('2024-05-10'));
      // Before its cancellation day the pipeline is as it was; from it on the win is lost (closed,
      // not won), as in the KPIs, and nothing else moves.
      expect(pipelineAsOf(s, day('2024-03-04'))).toEqual(pipelineAsOf(before, day('2024-03-04')));
      const row = s.id.indexOf(12);
      for (const asOf of ['2024-05-10', '2024-05-25']) {
        const now = pipelineAsOf(s, day(asOf));
        const then = pipelineAsOf(before, day(asOf));
        const i = Array.from(now.row).indexOf(row);
        expect(then.isWon[i]).toBe(1);
        expect([now.isWon[i], now.isClosed[i]]).toEqual([0, 1]);
        then.isWon[i] = 0;
        expect(now).toEqual(then);
      }
    } finally {
      await store.pool.query(`
        DELETE FROM opportunity_changes WHERE field = 'cancelled_on';
        UPDATE opportunities SET cancelled_on = NULL WHERE id = 12;
      `);
    }
  });

  it('loads empty tables as empty snapshots, and refuses an amount it cannot hold exactly rather than rounding it', async () => {
    const other = await createTestStore(kind);
    try {
      const s = await loadOpportunitySnapshot(other);
      expect(s.rowCount).toBe(0);
      expect(s.changes.count).toBe(0);
      expect(Array.from(s.changes.offsets)).toEqual([0]);
      expect((await loadActivitySnapshot(other)).rowCount).toBe(0);

      await other.pool.query(`
        INSERT INTO stages (name, sort_order, category, default_probability) VALUES ('Open', 1, 'open', 10);
        INSERT INTO opportunities (external_key, stage, amount_minor, created_on, is_closed, is_won)
        VALUES ('huge', 'Open', 9007199254740993, '2024-01-01', false, false);
      `);
      const error = await loadOpportunitySnapshot(other).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).message).toMatch(/9007199254740993/);
    } finally {
      await other.dispose();
    }
  });
});
