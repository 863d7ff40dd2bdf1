/**
 * Which opportunity rows one metrics pass can count, without walking every row: day indexes of the
 * snapshot by closed_on, by creation day and by the day of the last recorded change, built once
 * per snapshot (counting sorts, O(rows + days)) and kept with it, like activityDayIndex.
 *
 * The pass (metrics-side.ts) still applies its own rules to every row it is given; this only
 * leaves out rows that no requested family could count:
 * - closed deals are dated by closed_on when they have one (else by close_on as of the day, which
 *   only the history knows): rows with closed_on in the range, and every row without closed_on;
 * - created deals by their creation day: rows created in the window;
 * - open deals as of the as-of day: rows without closed_on, rows closed after the as-of day, rows
 *   changed after it (their as-of stage may differ from today's), and rows whose closed_on is set
 *   while their stage today is not closed (inconsistent data: open by their stage).
 * Stage exits have their own index (stage-events.ts).
 *
 * Memoised per snapshot object: snapshots are immutable and replaced on reload.
 */
import { NULL_CODE, NULL_DAY } from '../snapshot/columns.ts';
import { buildDayIndex, dayRange, type RowDayIndex } from '../snapshot/day-index.ts';
import type { OpportunitySnapshot } from '../snapshot/opportunity-snapshot.ts';
import { lastChangeMs } from './last-change.ts';
import { MS_PER_DAY } from './row-history.ts';

export type OpportunityRowIndex = {
  byClosedOn: RowDayIndex;
  /** Rows without closed_on. */
  withoutClosedOn: Int32Array;
  byCreatedOn: RowDayIndex;
  /** By the day of the last change (rows without changes are in no day). */
  byLastChange: RowDayIndex;
  /** Rows with closed_on whose stage today is not a closed one. */
  closedOnButOpen: Int32Array;
  /** Scratch marks for de-duplicating candidates (all zero between calls). */
  marks: Uint8Array;
};

const memo = new WeakMap<OpportunitySnapshot, OpportunityRowIndex>();

export function opportunityRowIndex(s: OpportunitySnapshot): OpportunityRowIndex {
  const known = memo.get(s);
  if (known) return known;
  const n = s.rowCount;
  const lastChange = lastChangeMs(s);
  const closedCategory = s.stageCategory.map((category) => category === 'won' || category === 'lost');
  const without: number[] = [];
  const inconsistent: number[] = [];
  for (let r = 0; r < n; r++) {
    if (s.closedOn[r] === NULL_DAY) {
      without.push(r);
      continue;
    }
    const stage = s.stage.codes[r]!;
    const category = stage === NULL_CODE ? null : s.stageCategory[stage];
    const closedByStage =
      category === null || category === undefined ? s.isClosed[r] === 1 : closedCategory[stage] === true;
    if (!closedByStage) inconsistent.push(r);
  }
  const index: OpportunityRowIndex = {
    byClosedOn: buildDayIndex(n, (r) => s.closedOn[r]!),
    withoutClosedOn: Int32Array.from(without),
    byCreatedOn: buildDayIndex(n, (r) => s.createdOn[r]!),
    byLastChange: buildDayIndex(n, (r) => {
      const ms = lastChange[r]!;
      return ms === Number.NEGATIVE_INFINITY ? NULL_DAY : Math.floor(ms / MS_PER_DAY);
    }),
    closedOnButOpen: Int32Array.from(inconsistent),
    marks: new Uint8Array(n),
  };
  memo.set(s, index);
  return index;
}

/** What a pass asks of the rows (day numbers; `to` exclusive). */
export type RowNeeds = {
  /** Closed deals dated in [from, to). */
  closed?: { from: number; to: number };
  /** Deals created in [from, to). */
  created?: { from: number; to: number };
  /** Deals open at the end of this day. */
  openAsOf?: number;
};

/**
 * The rows a pass with these needs may count, each once, in row order.
 */
export function candidateRows(s: OpportunitySnapshot, needs: RowNeeds): Int32Array {
  const index = opportunityRowIndex(s);
  const parts: { rows: Int32Array; from: number; to: number }[] = [];
  const add = (rows: Int32Array, from = 0, to = rows.length) => {
    if (to > from) parts.push({ rows, from, to });
  };
  const last = (i: RowDayIndex) => i.firstDay + i.offsets.length;
  if (needs.closed) {
    add(index.byClosedOn.rows, ...dayRange(index.byClosedOn, needs.closed.from, needs.closed.to));
    add(index.withoutClosedOn);
  }
  if (needs.created)
    add(index.byCreatedOn.rows, ...dayRange(index.byCreatedOn, needs.created.from, needs.created.to));
  if (needs.openAsOf !== undefined) {
    const day = needs.openAsOf;
    if (!needs.closed) add(index.withoutClosedOn);
    add(index.byClosedOn.rows, ...dayRange(index.byClosedOn, day + 1, last(index.byClosedOn)));
    add(index.byLastChange.rows, ...dayRange(index.byLastChange, day + 1, last(index.byLastChange)));
    add(index.closedOnButOpen);
  }
  // In row order: the pass then reads the columns forwards, not scattered by day.
  let total = 0;
  for (const part of parts) total += part.to - part.from;
  const { marks } = index;
  for (const { rows, from, to } of parts) for (let p = from; p < to; p++) marks[rows[p]!] = 1;
  const out = new Int32Array(Math.min(total, s.rowCount));
  let length = 0;
  for (let r = 0; r < s.rowCount; r++)
    if (marks[r] === 1) {
      marks[r] = 0;
      out[length++] = r;
    }
  return out.subarray(0, length);
}
