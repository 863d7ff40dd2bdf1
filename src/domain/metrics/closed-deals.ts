/**
 * The deals with a closed_on, in closing order, with the columns a won or lost deal is counted by
 * packed in that order: a request for a quarter's win rate or cycle reads one slice of these
 * arrays forwards instead of ~10 columns at scattered rows (the rows of a quarter are about one in
 * nine of the snapshot). Built once per snapshot and kept with it, like the day indexes of
 * opportunity-row-index.ts; about 41 bytes a closed deal.
 *
 * A packed deal stands for its row only while its values as of any day from its closing on are
 * today's: no recorded change after its closing day. `state` says so per position; the others
 * (CLOSED_CHANGED_LATER) are counted by the row path, which reads their history.
 *
 * Memoised per snapshot object: snapshots are immutable and replaced on reload.
 */
import type { RowDayIndex } from '../snapshot/day-index.ts';
import { NULL_DAY } from '../snapshot/columns.ts';
import { FIELD_CODE, type OpportunitySnapshot } from '../snapshot/opportunity-snapshot.ts';
import { lastChangeMs } from './last-change.ts';
import { opportunityRowIndex } from './opportunity-row-index.ts';
import { endOfDayMs } from './row-history.ts';

/** What counting a decided deal reads, by index: a snapshot's own columns (by row) or packed ones. */
export type DecidedColumns = {
  created: Int32Array;
  amount: Float64Array;
  owner: Int32Array;
  currency: Int32Array;
  dealType: Int32Array;
  marginBps: Int32Array;
  competitor: Int32Array;
  lostReason: Int32Array;
  id: Int32Array;
};

/** Not closed by its stage today (inconsistent data: a closed_on on an open deal). */
export const NOT_CLOSED = 0;
export const CLOSED_WON = 1;
export const CLOSED_LOST = 2;
/** Changed after its closing day, or cancelled: the row path reads its history. */
export const CLOSED_CHANGED_LATER = 3;

export type ClosedDeals = {
  /** The snapshot's rows by closed_on (opportunityRowIndex's byClosedOn): position p is row rows[p]. */
  byDay: RowDayIndex;
  state: Uint8Array;
  packed: DecidedColumns;
  /**
   * The rows without closed_on that may be closed on some day: in a stage that is not open (or of
   * no known category) today or at some point of their history, or flagged closed. A deal without
   * closed_on is dated by its close_on as of the day; the other rows without one (open pipeline,
   * never closed) can count as closed on no day.
   */
  mayCloseWithoutDate: Int32Array;
};

const rowColumns = new WeakMap<OpportunitySnapshot, DecidedColumns>();
const memo = new WeakMap<OpportunitySnapshot, ClosedDeals>();

/** The snapshot's own columns as DecidedColumns (index = row). */
export function decidedColumnsOf(s: OpportunitySnapshot): DecidedColumns {
  let columns = rowColumns.get(s);
  if (!columns) {
    // The same keys in the same order as the packed columns: one shape for the counting code.
    columns = {
      created: s.createdOn,
      amount: s.amountMinor,
      owner: s.owner,
      currency: s.currency.codes,
      dealType: s.dealType.codes,
      marginBps: s.grossMarginBps,
      competitor: s.competitor.codes,
      lostReason: s.lostReason.codes,
      id: s.id,
    };
    rowColumns.set(s, columns);
  }
  return columns;
}

export function closedDeals(s: OpportunitySnapshot): ClosedDeals {
  const known = memo.get(s);
  if (known) return known;
  const byDay = opportunityRowIndex(s).byClosedOn;
  const { rows } = byDay;
  const n = rows.length;
  const lastChange = lastChangeMs(s);
  const source = decidedColumnsOf(s);
  const packed: DecidedColumns = {
    created: new Int32Array(n),
    amount: new Float64Array(n),
    owner: new Int32Array(n),
    currency: new Int32Array(n),
    dealType: new Int32Array(n),
    marginBps: new Int32Array(n),
    competitor: new Int32Array(n),
    lostReason: new Int32Array(n),
    id: new Int32Array(n),
  };
  const state = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const r = rows[p]!;
    packed.created[p] = source.created[r]!;
    packed.amount[p] = source.amount[r]!;
    packed.owner[p] = source.owner[r]!;
    packed.currency[p] = source.currency[r]!;
    packed.dealType[p] = source.dealType[r]!;
    packed.marginBps[p] = source.marginBps[r]!;
    packed.competitor[p] = source.competitor[r]!;
    packed.lostReason[p] = source.lostReason[r]!;
    packed.id[p] = source.id[r]!;
    // A cancelled deal is won before its cancellation day and lost from it: the row path decides.
    if (lastChange[r]! >= endOfDayMs(s.closedOn[r]!) || s.cancelledOn[r] !== NULL_DAY) {
      state[p] = CLOSED_CHANGED_LATER;
      continue;
    }
    // Closed and won by today's stage (its category; the row's flags where it has none).
    const stage = s.stage.codes[r]!;
    const category = stage < 0 ? null : (s.stageCategory[stage] ?? null);
    const isClosed = category === null ? s.isClosed[r] === 1 : category !== 'open';
    const isWon = isClosed && (category === null ? s.isWon[r] === 1 : category === 'won');
    state[p] = !isClosed ? NOT_CLOSED : isWon ? CLOSED_WON : CLOSED_LOST;
  }
  const notOpen = (code: number) => code < 0 || s.stageCategory[code] !== 'open';
  const { offsets, field, newValue } = s.changes;
  const mayClose: number[] = [];
  for (const r of opportunityRowIndex(s).withoutClosedOn) {
    let may = s.isClosed[r] === 1 || notOpen(s.stage.codes[r]!);
    for (let c = offsets[r]!; !may && c < offsets[r + 1]!; c++)
      if (field[c] === FIELD_CODE.stage && !Number.isNaN(newValue[c]!) && notOpen(newValue[c]!)) may = true;
    if (may) mayClose.push(r);
  }
  const deals = { byDay, state, packed, mayCloseWithoutDate: Int32Array.from(mayClose) };
  memo.set(s, deals);
  return deals;
}
