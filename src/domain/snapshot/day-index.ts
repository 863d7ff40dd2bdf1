/**
 * Rows grouped by a day (a counting sort), so that a request for a week or a quarter reads that
 * period's rows and not the whole table: the activity snapshot's index by occurred day, the
 * opportunity indexes by closed_on, creation and last change (metrics/opportunity-row-index.ts).
 */
import { NULL_DAY } from './columns.ts';

/** Rows grouped by a day: rows[offsets[d - firstDay] .. offsets[d - firstDay + 1]) hold day d. */
export type RowDayIndex = { firstDay: number; offsets: Int32Array; rows: Int32Array };

/** A counting sort of the rows by their day, O(rows + days); NULL_DAY rows are left out. */
export function buildDayIndex(rowCount: number, dayOf: (r: number) => number): RowDayIndex {
  let firstDay = Infinity;
  let lastDay = -Infinity;
  for (let r = 0; r < rowCount; r++) {
    const day = dayOf(r);
    if (day === NULL_DAY) continue;
    if (day < firstDay) firstDay = day;
    if (day > lastDay) lastDay = day;
  }
  if (firstDay === Infinity) {
    firstDay = 0;
    lastDay = -1;
  }
  const days = lastDay - firstDay + 1;
  const offsets = new Int32Array(days + 1);
  for (let r = 0; r < rowCount; r++) {
    const day = dayOf(r);
    if (day !== NULL_DAY) offsets[day - firstDay + 1]!++;
  }
  for (let d = 0; d < days; d++) offsets[d + 1]! += offsets[d]!;
  const next = offsets.slice(0, days);
  const rows = new Int32Array(offsets[days]!);
  for (let r = 0; r < rowCount; r++) {
    const day = dayOf(r);
    if (day !== NULL_DAY) rows[next[day - firstDay]!++] = r;
  }
  return { firstDay, offsets, rows };
}

/** The positions [from, to) of the rows whose day is in [fromDay, toDay). */
export function dayRange(
  index: { firstDay: number; offsets: Int32Array },
  fromDay: number,
  toDay: number,
): [number, number] {
  const days = index.offsets.length - 1;
  const clamp = (day: number) => Math.min(Math.max(day - index.firstDay, 0), days);
  const from = index.offsets[clamp(fromDay)]!;
  const to = index.offsets[clamp(toDay)]!;
  return to > from ? [from, to] : [from, from];
}

/** The day of position p: the day whose slice holds it (a binary search of the offsets). */
export function dayOfPosition(index: { firstDay: number; offsets: Int32Array }, p: number): number {
  const { offsets } = index;
  let low = 0;
  let high = offsets.length - 2;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (offsets[middle]! <= p) low = middle;
    else high = middle - 1;
  }
  return index.firstDay + low;
}
