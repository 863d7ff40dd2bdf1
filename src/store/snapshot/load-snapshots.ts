/**
 * Loads the columnar snapshots the engines run on (DESIGN.md §2) from the database straight into
 * pre-sized typed arrays: count first, then keyset-paginated chunks (`WHERE id > last ORDER BY id
 * LIMIT n`) read as binary COPY and decoded from bytes (see copy-binary.ts for why not row arrays),
 * strings dictionary-encoded as they arrive. Never an array of row objects for a table.
 *
 * Consistency: every statement of a load sees one snapshot of the database, a REPEATABLE READ
 * transaction, so opportunities and their changes agree even while an import writes.
 * Speed: on PostgreSQL the id range of each table is split across several connections that share
 * that snapshot (pg_export_snapshot / SET TRANSACTION SNAPSHOT), so the server encodes rows on
 * several cores while this process decodes. PGlite is one backend: one connection, same queries.
 */
import type pg from 'pg';
import { AppError } from '../../domain/errors.ts';
import {
  activityTypes,
  dealTypes,
  forecastCategories,
  stageCategories,
  type StageCategory,
} from '../../domain/vocabulary.ts';
import {
  MAX_INT32_ID,
  NULL_CODE,
  NULL_DAY,
  NULL_INT32,
  NULL_PROBABILITY,
  createDictionaryEncoder,
  createIdIndex,
} from '../../domain/snapshot/columns.ts';
import {
  allocateOpportunityColumns,
  groupChangesByRow,
  trackedOpportunityFields,
  type OpportunitySnapshot,
  type UnorderedChanges,
} from '../../domain/snapshot/opportunity-snapshot.ts';
import { orderDictionaries } from '../../domain/snapshot/order-dictionaries.ts';
import type { ActivitySnapshot } from '../../domain/snapshot/activity-snapshot.ts';
import { translateDatabaseError } from '../database-error.ts';
import type { Store } from '../open-database.ts';
import { ByteDictionary } from './byte-dictionary.ts';
import { readChangeValue } from './change-values.ts';
import { copyTuples, type TupleReader } from './copy-binary.ts';

export type LoadSnapshotOptions = {
  /** Rows per keyset page. Default 100,000. */
  chunkSize?: number;
  /**
   * PostgreSQL only: connections reading in parallel, within the pool's free capacity. Default 4.
   * PGlite always uses one.
   */
  connections?: number;
};

const DEFAULT_CHUNK_SIZE = 100_000;
const DEFAULT_CONNECTIONS = 4;
const MS_PER_DAY = 86_400_000;

type LoadedTable = 'opportunities' | 'opportunity_changes' | 'activities';

/** A slice of a table by id, (afterId, lastId], and where its rows go in the columns. */
type IdRange = { afterId: number; lastId: number; offset: number; count: number };
/** A table's row count, its ids' spread (ids per row, 1 when dense), and its ranges. */
type RangePlan = { rowCount: number; idsPerRow: number; ranges: IdRange[] };

function connectionsFor(store: Store, options: LoadSnapshotOptions): number {
  if (store.kind === 'pglite') return 1;
  const pool = store.pool as pg.Pool & { options: { max?: number } };
  const free = (pool.options.max ?? 10) - pool.totalCount + pool.idleCount;
  return Math.max(1, Math.min(options.connections ?? DEFAULT_CONNECTIONS, free));
}

/** Runs `load` on `wanted` connections that all see one REPEATABLE READ snapshot, read-only. */
async function inSnapshot<T>(
  store: Store,
  wanted: number,
  load: (clients: pg.PoolClient[]) => Promise<T>,
): Promise<T> {
  const clients: pg.PoolClient[] = [];
  try {
    const leader = await store.pool.connect();
    clients.push(leader);
    await leader.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    if (wanted > 1) {
      const { rows } = await leader.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
      const snapshotId = rows[0]?.id ?? '';
      // SET TRANSACTION SNAPSHOT takes no parameters; the id is the server's own, checked anyway.
      if (!/^[0-9A-F-]+$/i.test(snapshotId))
        throw new AppError('internal', `Unexpected snapshot id "${snapshotId}"`);
      // allSettled, not all: every follower that got a connection must be in `clients` before a
      // failure is handled, or it would never be released.
      const joined = await Promise.allSettled(
        Array.from({ length: wanted - 1 }, async () => {
          const client = await store.pool.connect();
          clients.push(client);
          await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
          await client.query(`SET TRANSACTION SNAPSHOT '${snapshotId}'`);
          return client;
        }),
      );
      const followers = joined.map((result) => {
        if (result.status === 'rejected') throw result.reason;
        return result.value;
      });
      const result = await load([leader, ...followers]);
      await Promise.all(clients.map((client) => client.query('COMMIT')));
      return result;
    }
    const result = await load([leader]);
    await leader.query('COMMIT');
    return result;
  } catch (error) {
    await Promise.all(clients.map((client) => client.query('ROLLBACK').catch(() => undefined)));
    throw translateDatabaseError(error);
  } finally {
    for (const client of clients) client.release();
  }
}

/** Runs jobs on the clients, each client taking the next job when it is free; the first failure wins. */
async function runJobs(
  clients: pg.PoolClient[],
  jobs: ((client: pg.PoolClient) => Promise<void>)[],
): Promise<void> {
  let next = 0;
  let failed = false;
  const results = await Promise.allSettled(
    clients.map(async (client) => {
      while (!failed && next < jobs.length) {
        const job = jobs[next++]!;
        try {
          await job(client);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }),
  );
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}

async function scalarRow(client: pg.PoolClient, text: string): Promise<(string | null)[]> {
  const { rows } = await client.query<(string | null)[]>({
    text,
    rowMode: 'array',
    types: { getTypeParser: () => (value: string) => value },
  });
  return rows[0] ?? [];
}

/**
 * Counts the table's rows (the size of every column) and splits its ids into `parts` ranges of
 * equal width, with each range's row count, so parallel readers write disjoint parts of the columns.
 */
async function planRanges(client: pg.PoolClient, table: LoadedTable, parts: number): Promise<RangePlan> {
  const [minText, maxText] = await scalarRow(client, `SELECT min(id), max(id) FROM ${table}`);
  if (minText == null || maxText == null) return { rowCount: 0, idsPerRow: 1, ranges: [] };
  const minId = Number(minText);
  const maxId = Number(maxText);
  // Every id column of a snapshot is Int32; an id beyond it is refused here, once, not per row.
  if (!(minId > 0 && maxId <= MAX_INT32_ID))
    throw new AppError('internal', `${table}.id ${maxText} does not fit the snapshot's 32-bit id columns`);
  const span = maxId - minId + 1;
  const count = Math.min(parts, span);
  const bounds = Array.from({ length: count + 1 }, (_, k) => minId - 1 + Math.floor((k * span) / count));
  const filters = bounds.slice(1, -1).map((bound) => `count(*) FILTER (WHERE id <= ${bound})`);
  const prefix = (await scalarRow(client, `SELECT ${[...filters, 'count(*)'].join(', ')} FROM ${table}`)).map(
    Number,
  );
  const ranges = bounds.slice(1).map((lastId, k) => {
    const offset = k === 0 ? 0 : prefix[k - 1]!;
    return { afterId: bounds[k]!, lastId, offset, count: prefix[k]! - offset };
  });
  const rowCount = prefix[prefix.length - 1]!;
  return { rowCount, idsPerRow: span / Math.max(1, rowCount), ranges };
}

/**
 * Reads one id range page by page; `decode` writes the row at `row` and returns its id. The range's
 * count, taken in the same snapshot, bounds the rows: more would be a bug, not a race.
 *
 * 'id order': keyset pages, `WHERE id > last ORDER BY id LIMIT n`, for tables whose rows must land
 * in id order. 'any order': consecutive id windows, `WHERE id > a AND id <= b`, sized to hold about
 * n rows, without ORDER BY; the server then reads the heap in physical order (a bitmap scan), ~25%
 * cheaper than walking the index, for a table the caller re-sorts anyway.
 */
async function readRange(
  client: pg.PoolClient,
  table: LoadedTable,
  select: string,
  columns: number,
  range: IdRange,
  pages: { chunkSize: number; order: 'id order' | 'any order'; idsPerRow: number },
  decode: (reader: TupleReader, row: number) => number,
): Promise<void> {
  const end = range.offset + range.count;
  let row = range.offset;
  let afterId = range.afterId;
  const onTuple = (reader: TupleReader) => {
    if (row >= end) throw new AppError('internal', `${table} returned more rows than its count`);
    afterId = decode(reader, row);
    row++;
  };
  // Numbers only are interpolated (COPY takes no parameters): ids from the plan and our cursor.
  if (pages.order === 'id order') {
    for (;;) {
      const rows = await copyTuples(
        client,
        `${select} WHERE id > ${afterId} AND id <= ${range.lastId} ORDER BY id LIMIT ${pages.chunkSize}`,
        columns,
        onTuple,
      );
      if (rows < pages.chunkSize) break;
    }
  } else {
    const window = Math.max(1, Math.ceil(pages.chunkSize * pages.idsPerRow));
    for (let from = range.afterId; from < range.lastId; from += window) {
      await copyTuples(
        client,
        `${select} WHERE id > ${from} AND id <= ${Math.min(from + window, range.lastId)}`,
        columns,
        onTuple,
      );
    }
  }
  if (row !== end)
    throw new AppError(
      'internal',
      `${table} returned ${row - range.offset} rows in ids (${range.afterId}, ${range.lastId}], counted ${range.count}`,
    );
}

/** A nullable Int32 id reference (owner, account, ...): NULL_CODE for null. */
function reference(reader: TupleReader, what: string): number {
  const id = reader.integer(NULL_CODE, what);
  if (id > MAX_INT32_ID || id === 0 || id < NULL_CODE)
    throw new AppError('internal', `${reader.context}: ${what} ${id} does not fit the snapshot's id columns`);
  return id;
}

function asStageCategory(text: string | null | undefined): StageCategory | null {
  return (stageCategories as readonly unknown[]).includes(text) ? (text as StageCategory) : null;
}

// Column order matters: the decoders below read fields in exactly this order.
const OPPORTUNITY_SELECT = `SELECT id, stage, owner_person_id, account_id, product_id, competitor, lost_reason, lead_source, deal_type,
  forecast_category, currency, amount_minor, probability, gross_margin_bps, created_on, close_on, closed_on, is_closed, is_won,
  cancelled_on FROM opportunities`;
const OPPORTUNITY_COLUMNS = 20;
const CHANGE_SELECT =
  'SELECT id, opportunity_id, field, changed_at, old_value, new_value FROM opportunity_changes';
const CHANGE_COLUMNS = 6;
const ACTIVITY_SELECT =
  'SELECT id, type, person_id, account_id, opportunity_id, occurred_at, duration_minutes FROM activities';
const ACTIVITY_COLUMNS = 7;

/** The opportunities and their change history as columns (see OpportunitySnapshot). */
export async function loadOpportunitySnapshot(
  store: Store,
  options: LoadSnapshotOptions = {},
): Promise<OpportunitySnapshot> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  return inSnapshot(store, connectionsFor(store, options), async (clients) => {
    const parts = clients.length;
    // One statement at a time per connection; with two or more, the two tables plan in parallel.
    const planOpportunities = async () => {
      const stages = await clients[0]!.query<[string, string]>({
        text: 'SELECT name, category FROM stages ORDER BY sort_order, name',
        rowMode: 'array',
      });
      return { stages, plan: await planRanges(clients[0]!, 'opportunities', parts) };
    };
    const planChanges = () => planRanges(clients[1 % parts]!, 'opportunity_changes', parts);
    const [{ stages: stageRows, plan: opportunityPlan }, changePlan] =
      parts > 1
        ? await Promise.all([planOpportunities(), planChanges()])
        : [await planOpportunities(), await planChanges()];

    // Stage codes follow the pipeline's order (stages.sort_order), so engines can compare codes.
    const stageEncoder = createDictionaryEncoder(stageRows.rows.map((row) => row[0]));
    const stageSeedSize = stageEncoder.dictionary.length;
    const stage = new ByteDictionary(stageEncoder);
    const competitor = new ByteDictionary(createDictionaryEncoder());
    const lostReason = new ByteDictionary(createDictionaryEncoder());
    const leadSource = new ByteDictionary(createDictionaryEncoder());
    const dealType = new ByteDictionary(createDictionaryEncoder(dealTypes));
    const forecastCategory = new ByteDictionary(createDictionaryEncoder(forecastCategories));
    const currency = new ByteDictionary(createDictionaryEncoder());
    const fields = new ByteDictionary(createDictionaryEncoder(trackedOpportunityFields));

    const n = opportunityPlan.rowCount;
    const c = allocateOpportunityColumns(n);
    // Locals, not `c.x`, in the per-row closure: the hot loop then touches no object properties.
    const {
      id: ids,
      owner,
      account,
      product,
      amountMinor,
      probability,
      grossMarginBps,
      createdOn,
      closeOn,
      closedOn,
      isClosed,
      isWon,
      cancelledOn,
    } = c;
    const {
      stage: stageCodes,
      competitor: competitorCodes,
      lostReason: lostReasonCodes,
      leadSource: leadSourceCodes,
    } = c;
    const { dealType: dealTypeCodes, forecastCategory: forecastCategoryCodes, currency: currencyCodes } = c;
    const decodeOpportunity = (reader: TupleReader, r: number): number => {
      const id = reader.integer(NULL_CODE, 'id');
      reader.table = 'opportunities';
      reader.rowId = id;
      ids[r] = id;
      stageCodes[r] = reader.code(stage, NULL_CODE);
      owner[r] = reference(reader, 'owner_person_id');
      account[r] = reference(reader, 'account_id');
      product[r] = reference(reader, 'product_id');
      competitorCodes[r] = reader.code(competitor, NULL_CODE);
      lostReasonCodes[r] = reader.code(lostReason, NULL_CODE);
      leadSourceCodes[r] = reader.code(leadSource, NULL_CODE);
      dealTypeCodes[r] = reader.code(dealType, NULL_CODE);
      forecastCategoryCodes[r] = reader.code(forecastCategory, NULL_CODE);
      currencyCodes[r] = reader.code(currency, NULL_CODE);
      // Money: exact integer minor units; beyond 2^53 the reader refuses rather than rounds.
      amountMinor[r] = reader.integer(Number.NaN, 'amount_minor');
      probability[r] = reader.integer(NULL_PROBABILITY, 'probability');
      grossMarginBps[r] = reader.integer(NULL_INT32, 'gross_margin_bps');
      createdOn[r] = reader.dayNumber(NULL_DAY, 'created_on');
      closeOn[r] = reader.dayNumber(NULL_DAY, 'close_on');
      closedOn[r] = reader.dayNumber(NULL_DAY, 'closed_on');
      isClosed[r] = reader.flag();
      isWon[r] = reader.flag();
      cancelledOn[r] = reader.dayNumber(NULL_DAY, 'cancelled_on');
      return id;
    };

    const changeCount = changePlan.rowCount;
    // `row` holds the opportunity id until every opportunity is read, then its row.
    const unordered: UnorderedChanges = {
      count: changeCount,
      id: new Int32Array(changeCount),
      row: new Int32Array(changeCount),
      field: new Uint8Array(changeCount),
      changedAtMs: new Float64Array(changeCount),
      oldValue: new Float64Array(changeCount),
      newValue: new Float64Array(changeCount),
    };
    const valueDictionaries = { stage, forecastCategory };
    const changeValue = (reader: TupleReader, field: number, column: string): number => {
      const length = reader.textBytes();
      const value = readChangeValue(field, reader.bytes, reader.textStart, length, valueDictionaries);
      if (value === undefined) {
        const text = new TextDecoder().decode(
          reader.bytes.subarray(reader.textStart, reader.textStart + length),
        );
        throw new AppError(
          'internal',
          `${reader.context}: ${column} "${text}" is not a valid ${trackedOpportunityFields[field] ?? 'value'}`,
        );
      }
      return value;
    };
    const {
      id: changeIds,
      row: changeRows,
      field: changeFields,
      changedAtMs,
      oldValue,
      newValue,
    } = unordered;
    const decodeChange = (reader: TupleReader, i: number): number => {
      const id = reader.integer(NULL_CODE, 'id');
      reader.table = 'opportunity_changes';
      reader.rowId = id;
      changeIds[i] = id;
      changeRows[i] = reader.integer(NULL_CODE, 'opportunity_id');
      const field = reader.code(fields, NULL_CODE);
      if (field < 0 || field >= trackedOpportunityFields.length)
        throw new AppError('internal', `${reader.context}: field is not a tracked field`);
      changeFields[i] = field;
      changedAtMs[i] = reader.epochMs(Number.NaN, 'changed_at');
      oldValue[i] = changeValue(reader, field, 'old_value');
      newValue[i] = changeValue(reader, field, 'new_value');
      return id;
    };

    await runJobs(clients, [
      ...opportunityPlan.ranges.map(
        (range) => (client: pg.PoolClient) =>
          readRange(
            client,
            'opportunities',
            OPPORTUNITY_SELECT,
            OPPORTUNITY_COLUMNS,
            range,
            { chunkSize, order: 'id order', idsPerRow: 1 },
            decodeOpportunity,
          ),
      ),
      ...changePlan.ranges.map(
        (range) => (client: pg.PoolClient) =>
          // Any order: groupChangesByRow sorts by opportunity, time and id whatever the order read.
          readRange(
            client,
            'opportunity_changes',
            CHANGE_SELECT,
            CHANGE_COLUMNS,
            range,
            { chunkSize, order: 'any order', idsPerRow: changePlan.idsPerRow },
            decodeChange,
          ),
      ),
    ]);

    const index = createIdIndex(c.id, n);
    for (let i = 0; i < changeCount; i++) {
      const row = index.rowOf(unordered.row[i]!);
      if (row < 0)
        throw new AppError(
          'internal',
          `A change names opportunity ${unordered.row[i]}, which is not in the snapshot`,
        );
      unordered.row[i] = row;
    }
    const changes = groupChangesByRow(n, unordered);
    // Parallel readers assign codes in arrival order; renumber so every load gives the same codes.
    const dictionaries = orderDictionaries(
      {
        stage: { codes: c.stage, dictionary: stageEncoder.dictionary },
        competitor: { codes: c.competitor, dictionary: competitor.encoder.dictionary },
        lostReason: { codes: c.lostReason, dictionary: lostReason.encoder.dictionary },
        leadSource: { codes: c.leadSource, dictionary: leadSource.encoder.dictionary },
        dealType: { codes: c.dealType, dictionary: dealType.encoder.dictionary },
        forecastCategory: { codes: c.forecastCategory, dictionary: forecastCategory.encoder.dictionary },
        currency: { codes: c.currency, dictionary: currency.encoder.dictionary },
      },
      changes,
      { stage: stageSeedSize, dealType: dealTypes.length, forecastCategory: forecastCategories.length },
    );
    // History may name stages the stages table no longer has: their category is unknown.
    const categories = new Map(stageRows.rows.map((row) => [row[0], asStageCategory(row[1])]));
    return {
      rowCount: n,
      id: c.id,
      ...dictionaries,
      stageCategory: dictionaries.stage.dictionary.map((name) => categories.get(name) ?? null),
      owner: c.owner,
      account: c.account,
      product: c.product,
      amountMinor: c.amountMinor,
      probability: c.probability,
      grossMarginBps: c.grossMarginBps,
      createdOn: c.createdOn,
      closeOn: c.closeOn,
      closedOn: c.closedOn,
      isClosed: c.isClosed,
      isWon: c.isWon,
      cancelledOn: c.cancelledOn,
      changes,
    };
  });
}

/** The activities as columns (see ActivitySnapshot). */
export async function loadActivitySnapshot(
  store: Store,
  options: LoadSnapshotOptions = {},
): Promise<ActivitySnapshot> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  return inSnapshot(store, connectionsFor(store, options), async (clients) => {
    const plan = await planRanges(clients[0]!, 'activities', clients.length);
    const n = plan.rowCount;
    const snapshot: ActivitySnapshot = {
      rowCount: n,
      id: new Int32Array(n),
      type: new Uint8Array(n),
      person: new Int32Array(n),
      account: new Int32Array(n),
      opportunity: new Int32Array(n),
      occurredOn: new Int32Array(n),
      durationMinutes: new Int32Array(n),
    };
    const types = new ByteDictionary(createDictionaryEncoder(activityTypes));
    const decodeActivity = (reader: TupleReader, r: number): number => {
      const id = reader.integer(NULL_CODE, 'id');
      reader.table = 'activities';
      reader.rowId = id;
      snapshot.id[r] = id;
      const type = reader.code(types, NULL_CODE);
      if (type < 0 || type >= activityTypes.length)
        throw new AppError('internal', `${reader.context}: type is not an activity type`);
      snapshot.type[r] = type;
      snapshot.person[r] = reference(reader, 'person_id');
      snapshot.account[r] = reference(reader, 'account_id');
      snapshot.opportunity[r] = reference(reader, 'opportunity_id');
      // occurred_at is an instant; its UTC day is what puts an activity in a period.
      snapshot.occurredOn[r] = Math.floor(reader.epochMs(Number.NaN, 'occurred_at') / MS_PER_DAY);
      snapshot.durationMinutes[r] = reader.integer(NULL_INT32, 'duration_minutes');
      return id;
    };
    await runJobs(
      clients,
      plan.ranges.map(
        (range) => (client: pg.PoolClient) =>
          readRange(
            client,
            'activities',
            ACTIVITY_SELECT,
            ACTIVITY_COLUMNS,
            range,
            { chunkSize, order: 'id order', idsPerRow: 1 },
            decodeActivity,
          ),
      ),
    );
    return snapshot;
  });
}
