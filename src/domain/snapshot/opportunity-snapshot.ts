/**
 * The opportunities as columns, one row per opportunity in ascending id order, with their change
 * history beside them: what the KPI, comp, forecast and planning engines read.
 *
 * Nulls: NULL_CODE (-1) in code and id columns, NULL_DAY in day columns, NaN in money columns,
 * NULL_PROBABILITY (-1) in probability, NULL_INT32 in basis-point columns.
 *
 * Money is integer minor units in a Float64Array: a double holds every integer up to 2^53 exactly,
 * and the loader checks each value is a safe integer as it reads it, so sums of a column stay exact
 * up to that bound. Never store a fraction of a minor unit here.
 */
import { DomainError } from '../errors.ts';
import type { StageCategory } from '../vocabulary.ts';
import { parseIsoDate } from '../calendar/day-number.ts';
import { MAX_INT32_ID, NULL_DAY, type DictionaryColumn, type DictionaryEncoder } from './columns.ts';

/**
 * The fields whose every change is kept (opportunity_changes.field); a change's field code is the
 * index here. `cancelled_on` (migration 0006) is kept for the audit trail of what compensation
 * claws back; no as-of engine reads it (a cancellation does not change what the pipeline was).
 */
export const trackedOpportunityFields = [
  'stage',
  'amount_minor',
  'close_on',
  'probability',
  'owner_person_id',
  'forecast_category',
  'cancelled_on',
] as const;
export type TrackedOpportunityField = (typeof trackedOpportunityFields)[number];

/** Field codes by name, for engines that test `changes.field[i] === FIELD_CODE.stage`. */
export const FIELD_CODE = {
  stage: 0,
  amount_minor: 1,
  close_on: 2,
  probability: 3,
  owner_person_id: 4,
  forecast_category: 5,
  cancelled_on: 6,
} as const satisfies Record<TrackedOpportunityField, number>;

/**
 * The change history in columns, ordered by opportunity row, then time, then change id (so changes
 * at the same instant keep the order they were recorded in). Values are numbers encoded per field:
 * a stage or forecast-category code of the snapshot's dictionary, minor units, a day number, a
 * probability, a person id; NaN is null.
 */
export type OpportunityChanges = {
  count: number;
  /** opportunity_changes.id: the tie-break for equal instants, and what an explanation cites. */
  id: Int32Array;
  /** Snapshot row of the changed opportunity. */
  row: Int32Array;
  /** Index into trackedOpportunityFields. */
  field: Uint8Array;
  /** When the change was made, epoch milliseconds (UTC). */
  changedAtMs: Float64Array;
  oldValue: Float64Array;
  newValue: Float64Array;
  /** rowCount + 1 entries: the changes of row r are the indexes offsets[r] .. offsets[r + 1] - 1. */
  offsets: Int32Array;
};

export type OpportunitySnapshot = {
  rowCount: number;
  id: Int32Array;
  stage: DictionaryColumn;
  /** The category of each stage code (from the stages table); null for a stage it does not define. */
  stageCategory: (StageCategory | null)[];
  /** Person id of the owner. */
  owner: Int32Array;
  /** Account id. */
  account: Int32Array;
  /** Product id. */
  product: Int32Array;
  competitor: DictionaryColumn;
  lostReason: DictionaryColumn;
  leadSource: DictionaryColumn;
  /** Seeded with dealTypes, so codes are stable across snapshots. */
  dealType: DictionaryColumn;
  /** Seeded with forecastCategories, so codes are stable across snapshots. */
  forecastCategory: DictionaryColumn;
  currency: DictionaryColumn;
  amountMinor: Float64Array;
  probability: Int16Array;
  grossMarginBps: Int32Array;
  createdOn: Int32Array;
  closeOn: Int32Array;
  closedOn: Int32Array;
  /** 1 or 0. */
  isClosed: Uint8Array;
  /** 1 or 0. */
  isWon: Uint8Array;
  /** The day a won deal was cancelled (opportunities.cancelled_on); NULL_DAY where it stands. */
  cancelledOn: Int32Array;
  changes: OpportunityChanges;
};

/** Changes in any order, as read; `row` already mapped from opportunity id to snapshot row. */
export type UnorderedChanges = Omit<OpportunityChanges, 'offsets'>;

/**
 * Orders changes by row, then time, then id, and computes the per-row offsets: a counting sort by
 * row (O(n), one scatter pass), then an insertion sort by (time, id) within each row, where there
 * are a handful of changes.
 * Input already in that order is returned with its own column arrays (not copied).
 */
export function groupChangesByRow(rowCount: number, input: UnorderedChanges): OpportunityChanges {
  const { count } = input;
  const offsets = new Int32Array(rowCount + 1);
  for (let i = 0; i < count; i++) {
    const row = input.row[i]!;
    if (row < 0 || row >= rowCount)
      throw new DomainError('invariant', `Change ${i} points at row ${row}, outside 0..${rowCount - 1}`);
    offsets[row + 1]!++;
  }
  for (let row = 0; row < rowCount; row++) offsets[row + 1]! += offsets[row]!;
  // Histories usually arrive grouped already (changes are appended per deal, in time order):
  // then only the offsets are new and the columns are kept as they are.
  let ordered = true;
  for (let i = 1; i < count && ordered; i++) ordered = comesBefore(input, i - 1, i);
  if (ordered) return { ...input, offsets };

  // Scatter each change straight to its row's next slot (one pass over the input)...
  const changes: OpportunityChanges = {
    count,
    id: new Int32Array(count),
    row: new Int32Array(count),
    field: new Uint8Array(count),
    changedAtMs: new Float64Array(count),
    oldValue: new Float64Array(count),
    newValue: new Float64Array(count),
    offsets,
  };
  const { id, row, field, changedAtMs, oldValue, newValue } = changes;
  const next = offsets.slice(0, rowCount);
  for (let i = 0; i < count; i++) {
    const r = input.row[i]!;
    const to = next[r]!++;
    id[to] = input.id[i]!;
    row[to] = r;
    field[to] = input.field[i]!;
    changedAtMs[to] = input.changedAtMs[i]!;
    oldValue[to] = input.oldValue[i]!;
    newValue[to] = input.newValue[i]!;
  }
  // ...then order each row's handful by time, then id (insertion sort: a few changes per deal).
  for (let r = 0; r < rowCount; r++) {
    const first = offsets[r]!;
    const end = offsets[r + 1]!;
    for (let i = first + 1; i < end; i++) {
      const at = changedAtMs[i]!;
      const movingId = id[i]!;
      if (changedAtMs[i - 1]! < at || (changedAtMs[i - 1] === at && id[i - 1]! < movingId)) continue;
      const movingField = field[i]!;
      const movingOld = oldValue[i]!;
      const movingNew = newValue[i]!;
      let j = i - 1;
      while (j >= first && (changedAtMs[j]! > at || (changedAtMs[j] === at && id[j]! > movingId))) {
        id[j + 1] = id[j]!;
        field[j + 1] = field[j]!;
        changedAtMs[j + 1] = changedAtMs[j]!;
        oldValue[j + 1] = oldValue[j]!;
        newValue[j + 1] = newValue[j]!;
        j--;
      }
      id[j + 1] = movingId;
      field[j + 1] = movingField;
      changedAtMs[j + 1] = at;
      oldValue[j + 1] = movingOld;
      newValue[j + 1] = movingNew;
    }
  }
  return changes;
}

/** Whether change i sorts before change j: by row, time, then id. */
function comesBefore(changes: UnorderedChanges, i: number, j: number): boolean {
  const rowI = changes.row[i]!;
  const rowJ = changes.row[j]!;
  if (rowI !== rowJ) return rowI < rowJ;
  const atI = changes.changedAtMs[i]!;
  const atJ = changes.changedAtMs[j]!;
  if (atI !== atJ) return atI < atJ;
  return changes.id[i]! < changes.id[j]!;
}

/** The integer a decimal text names, if it is one within ±2^53; else undefined. */
function parseSafeInteger(text: string): number | undefined {
  if (!/^-?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Encodes an opportunity_changes old/new value text as the number its field's column holds (NaN
 * for null). Returns undefined for a text the field cannot hold, for the loader to report with the
 * row it came from. Stages and forecast categories go through the snapshot's own encoders, so a
 * stage that exists only in the history gets a code too.
 */
export function encodeChangeValue(
  field: number,
  text: string | null,
  encoders: { stage: DictionaryEncoder; forecastCategory: DictionaryEncoder },
): number | undefined {
  if (text === null) return Number.NaN;
  switch (field) {
    case FIELD_CODE.stage:
      return encoders.stage.encode(text);
    case FIELD_CODE.forecast_category:
      return encoders.forecastCategory.encode(text);
    case FIELD_CODE.amount_minor:
      return parseSafeInteger(text);
    case FIELD_CODE.close_on:
    case FIELD_CODE.cancelled_on:
      return parseIsoDate(text);
    case FIELD_CODE.probability: {
      const value = parseSafeInteger(text);
      return value !== undefined && value >= 0 && value <= 100 ? value : undefined;
    }
    case FIELD_CODE.owner_person_id: {
      const value = parseSafeInteger(text);
      return value !== undefined && value > 0 && value <= MAX_INT32_ID ? value : undefined;
    }
    default:
      throw new DomainError('invariant', `Unknown opportunity change field code ${field}`);
  }
}

/** Field code of an opportunity_changes.field name. */
export function fieldCodeOf(field: string): number {
  const code = (FIELD_CODE as Record<string, number>)[field];
  if (code === undefined) throw new DomainError('invariant', `"${field}" is not a tracked opportunity field`);
  return code;
}

/** The typed-array columns of `n` opportunities, zeroed: what the builder and the loader fill. */
export function allocateOpportunityColumns(n: number) {
  return {
    id: new Int32Array(n),
    stage: new Int32Array(n),
    owner: new Int32Array(n),
    account: new Int32Array(n),
    product: new Int32Array(n),
    competitor: new Int32Array(n),
    lostReason: new Int32Array(n),
    leadSource: new Int32Array(n),
    dealType: new Int32Array(n),
    forecastCategory: new Int32Array(n),
    currency: new Int32Array(n),
    amountMinor: new Float64Array(n),
    probability: new Int16Array(n),
    grossMarginBps: new Int32Array(n),
    createdOn: new Int32Array(n),
    closeOn: new Int32Array(n),
    closedOn: new Int32Array(n),
    isClosed: new Uint8Array(n),
    isWon: new Uint8Array(n),
    cancelledOn: new Int32Array(n),
  };
}

/**
 * Whether row r's win was cancelled on or before `day`: it counts as lost then, on its close day,
 * in the KPIs and the forecast alike (docs/metrics.md, docs/forecasting.md).
 */
export function cancelledBy(s: OpportunitySnapshot, r: number, day: number): boolean {
  const cancelled = s.cancelledOn[r]!;
  return cancelled !== NULL_DAY && cancelled <= day;
}
