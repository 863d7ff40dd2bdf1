/**
 * The packed closed deals of closed-deals.ts summed per calendar month and owner: the tallies a
 * closed-deal metric reads (won, lost, won amount, cycle days...), one cell per owner with deals
 * closed in the month. A question about whole months by rep or for the company (a quarter's win
 * rate by rep) then adds about a fifth as many cells as it would count deals, and counts deals
 * only on the days at its edges that are not a whole month.
 *
 * A cell holds for a question when its month's deals all count as they stand today:
 * - the deals changed after their closing day (CLOSED_CHANGED_LATER) are not in the cells; each
 *   month lists them, and the caller counts them by the row path, as before;
 * - a deal created after the as-of day does not exist yet: a month's cells hold only for as-of days
 *   on or after the latest creation day of its deals (`maxCreated`), else the caller counts that
 *   month's deals one by one;
 * - the cells have no per-deal records, no per-deal cycle list and no scope: questions that ask
 *   for records, a median cycle or that are scoped to some people count deals one by one.
 *
 * The sums are of the same integers (minor units, days) the deal-by-deal count adds, in another
 * order: exact while every money family stays below 2^53, which the caller checks with `abs` as
 * it checks its own sums. Built once per snapshot and reporting currency, and kept with the
 * snapshot (snapshots are immutable and replaced on reload).
 */
import { fromCivilDate, toCivilDate } from '../calendar/day-number.ts';
import { NULL_CODE, NULL_DAY, NULL_INT32 } from '../snapshot/columns.ts';
import { dayOfPosition, dayRange } from '../snapshot/day-index.ts';
import type { OpportunitySnapshot } from '../snapshot/opportunity-snapshot.ts';
import { CLOSED_CHANGED_LATER, CLOSED_WON, NOT_CLOSED, closedDeals } from './closed-deals.ts';
import { marginMinor } from './exact-arithmetic.ts';
import { closedTallyNames } from './metric-tally.ts';

/** The tallies a cell holds: the closed-deal pass's, by the names MetricTally gives them. */
export const cellTallies = closedTallyNames;
export type CellTally = (typeof cellTallies)[number];

export type ClosedCells = {
  /** Month m covers the days [monthStart[m], monthStart[m + 1]). */
  monthStart: Int32Array;
  /** The cells of month m are [cellStart[m], cellStart[m + 1]). */
  cellStart: Int32Array;
  /** Per month: the latest creation day of its deals in cells (NULL_DAY when none is known). */
  maxCreated: Int32Array;
  /** Per month: the snapshot rows of its deals changed after their closing day (row path). */
  laterStart: Int32Array;
  laterRows: Int32Array;
  /** Per month, what the deal-by-deal count reports: won deals in another currency, without an amount, closed before created. */
  otherCurrency: Float64Array;
  missingAmount: Float64Array;
  negativeCycle: Float64Array;
  /** Per month: Σ|amount| and Σ|margin| of its won deals with an amount (the exactness bound). */
  abs: Float64Array;
  /** Per cell: the owner (NULL_CODE for deals without one). */
  owner: Int32Array;
  tallies: Record<CellTally, Float64Array>;
  /**
   * Lost deals by reason, per cell: entries [reasonStart[c], reasonStart[c + 1]) name a column of
   * MetricTally's lostByReason (the reason's code, reasonWidth − 1 for "no reason") and a count.
   */
  reasonStart: Int32Array;
  reasonColumn: Int32Array;
  reasonCount: Float64Array;
  reasonWidth: number;
};

const memo = new WeakMap<OpportunitySnapshot, Map<number, ClosedCells>>();

/** The month cells of a snapshot's closed deals in one reporting currency (its code in the currency column, -1 for none). */
export function closedCells(s: OpportunitySnapshot, currencyCode: number): ClosedCells {
  let byCurrency = memo.get(s);
  if (!byCurrency) memo.set(s, (byCurrency = new Map()));
  let cells = byCurrency.get(currencyCode);
  if (!cells) byCurrency.set(currencyCode, (cells = buildCells(s, currencyCode)));
  return cells;
}

/** Whether cells were built for the snapshot (tests: that a question took the cells). */
export function hasClosedCells(s: OpportunitySnapshot): boolean {
  return (memo.get(s)?.size ?? 0) > 0;
}

function buildCells(s: OpportunitySnapshot, currencyCode: number): ClosedCells {
  const { byDay, state, packed } = closedDeals(s);
  const lastDay = byDay.firstDay + byDay.offsets.length - 2;
  // The months from the first closing day's to the last's (none when no deal has a closed_on).
  const starts: number[] = [];
  if (byDay.rows.length > 0) {
    const first = toCivilDate(byDay.firstDay);
    let year = first.year;
    let month = first.month;
    for (;;) {
      const start = fromCivilDate(year, month, 1);
      if (start > lastDay) {
        starts.push(start);
        break;
      }
      starts.push(start);
      month++;
      if (month > 12) {
        month = 1;
        year++;
      }
    }
  }
  const months = Math.max(0, starts.length - 1);
  const monthStart = Int32Array.from(starts);
  const cellStart = new Int32Array(months + 1);
  const maxCreated = new Int32Array(months).fill(NULL_DAY);
  const laterStart = new Int32Array(months + 1);
  const laterRows: number[] = [];
  const otherCurrency = new Float64Array(months);
  const missingAmount = new Float64Array(months);
  const negativeCycle = new Float64Array(months);
  const abs = new Float64Array(months);
  const reasonWidth = s.lostReason.dictionary.length + 1;
  const dealTypeCode = (type: string): number => s.dealType.dictionary.indexOf(type);
  const newBusiness = dealTypeCode('new_business');
  const expansion = dealTypeCode('expansion');
  const renewal = dealTypeCode('renewal');

  // Grown as cells appear: one row of every tally per (month, owner).
  let capacity = 1024;
  let count = 0;
  let owner = new Int32Array(capacity);
  const tallies = Object.fromEntries(cellTallies.map((name) => [name, new Float64Array(capacity)])) as Record<
    CellTally,
    Float64Array
  >;
  let lostByReason = new Float64Array(capacity * reasonWidth);
  const grow = () => {
    capacity *= 2;
    const more = <T extends Int32Array | Float64Array>(old: T, size: number): T => {
      const next = (old instanceof Int32Array ? new Int32Array(size) : new Float64Array(size)) as T;
      next.set(old);
      return next;
    };
    owner = more(owner, capacity);
    for (const name of cellTallies) tallies[name] = more(tallies[name], capacity);
    lostByReason = more(lostByReason, capacity * reasonWidth);
  };

  const cellOfOwner = new Map<number, number>();
  for (let m = 0; m < months; m++) {
    cellStart[m] = count;
    laterStart[m] = laterRows.length;
    cellOfOwner.clear();
    const [from, to] = dayRange(byDay, monthStart[m]!, monthStart[m + 1]!);
    if (from === to) continue;
    let closedDay = dayOfPosition(byDay, from);
    let dayEnd = byDay.offsets[closedDay - byDay.firstDay + 1]!;
    for (let p = from; p < to; p++) {
      while (p >= dayEnd) dayEnd = byDay.offsets[++closedDay - byDay.firstDay + 1]!;
      const dealState = state[p]!;
      if (dealState === CLOSED_CHANGED_LATER) {
        laterRows.push(byDay.rows[p]!);
        continue;
      }
      if (dealState === NOT_CLOSED) continue;
      const created = packed.created[p]!;
      if (created > maxCreated[m]!) maxCreated[m] = created;
      const dealOwner = packed.owner[p]!;
      let c = cellOfOwner.get(dealOwner);
      if (c === undefined) {
        if (count === capacity) grow();
        c = count++;
        owner[c] = dealOwner;
        cellOfOwner.set(dealOwner, c);
      }
      const amount = packed.amount[p]!;
      const inCurrency = packed.currency[p] === currencyCode;
      const hasAmount = inCurrency && !Number.isNaN(amount);
      const isWon = dealState === CLOSED_WON;
      if (isWon) {
        tallies.won[c]! += 1;
        if (!inCurrency) otherCurrency[m]! += 1;
        else if (!hasAmount) missingAmount[m]! += 1;
        if (hasAmount) {
          abs[m]! += Math.abs(amount);
          tallies.wonAmount[c]! += amount;
          tallies.wonWithAmount[c]! += 1;
          const type = packed.dealType[p]!;
          if (type === newBusiness) tallies.wonNewBusiness[c]! += amount;
          else if (type === expansion) tallies.wonExpansion[c]! += amount;
          else if (type === renewal) tallies.wonRenewal[c]! += amount;
          const bps = packed.marginBps[p]!;
          if (bps !== NULL_INT32) {
            const margin = marginMinor(amount, bps);
            abs[m]! += Math.abs(margin);
            tallies.margin[c]! += margin;
            tallies.marginBase[c]! += amount;
          }
        }
        if (created !== NULL_DAY) {
          const cycle = closedDay - created;
          if (cycle < 0) negativeCycle[m]! += 1;
          else {
            tallies.cycleDays[c]! += cycle;
            tallies.cycleDeals[c]! += 1;
          }
        }
      } else {
        tallies.lost[c]! += 1;
        const reason = packed.lostReason[p]!;
        lostByReason[c * reasonWidth + (reason === NULL_CODE ? reasonWidth - 1 : reason)]! += 1;
      }
      if (packed.competitor[p] !== NULL_CODE) {
        tallies.competitiveDecided[c]! += 1;
        if (isWon) tallies.competitiveWon[c]! += 1;
      }
    }
  }
  cellStart[months] = count;
  laterStart[months] = laterRows.length;
  const trimmed = Object.fromEntries(
    cellTallies.map((name) => [name, tallies[name].slice(0, count)]),
  ) as Record<CellTally, Float64Array>;
  // The lost reasons as lists per cell (a cell has a few of the reasons, if any).
  const reasonStart = new Int32Array(count + 1);
  const reasonColumn: number[] = [];
  const reasonCount: number[] = [];
  for (let c = 0; c < count; c++) {
    reasonStart[c] = reasonColumn.length;
    for (let k = 0; k < reasonWidth; k++) {
      const lost = lostByReason[c * reasonWidth + k]!;
      if (lost === 0) continue;
      reasonColumn.push(k);
      reasonCount.push(lost);
    }
  }
  reasonStart[count] = reasonColumn.length;
  return {
    monthStart,
    cellStart,
    maxCreated,
    laterStart,
    laterRows: Int32Array.from(laterRows),
    otherCurrency,
    missingAmount,
    negativeCycle,
    abs,
    owner: owner.slice(0, count),
    tallies: trimmed,
    reasonStart,
    reasonColumn: Int32Array.from(reasonColumn),
    reasonCount: Float64Array.from(reasonCount),
    reasonWidth,
  };
}
