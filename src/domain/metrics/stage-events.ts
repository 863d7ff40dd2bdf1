/**
 * Every stage exit of the opportunity history, by day: a change of a deal's stage away from a
 * stage it was in (the old value set, the new one different), with the day the deal entered that
 * stage. Built once per snapshot (one walk of the history, a counting sort by day) and kept with
 * it, like the day indexes of opportunity-row-index.ts.
 *
 * The funnel metrics (stage conversion, losses, time in stage) count the exits dated in a window.
 * Walking each candidate deal's whole history for them read about 13 changes of every field per
 * deal, scattered over the change columns; the exits of a quarter are one slice of these arrays.
 *
 * The entry day follows the rule the funnel has always used: the day of the deal's previous stage
 * change that set a stage (a change to the same stage is no change), else its creation day
 * (NULL_DAY when it has none).
 *
 * Memoised per snapshot object: snapshots are immutable and replaced on reload.
 */
import { NULL_CODE, NULL_DAY } from '../snapshot/columns.ts';
import { FIELD_CODE, type OpportunitySnapshot } from '../snapshot/opportunity-snapshot.ts';
import { MS_PER_DAY } from './row-history.ts';

export type StageEvents = {
  /** Exits of day d are positions offsets[d − firstDay] .. offsets[d − firstDay + 1]. */
  firstDay: number;
  offsets: Int32Array;
  row: Int32Array;
  /** The stage left (a stage code). */
  from: Int32Array;
  /** The stage entered: a stage code, or -1 when the change cleared the stage. */
  to: Int32Array;
  /** The day the deal entered `from`, NULL_DAY when unknown. */
  entryDay: Int32Array;
  /** The deal's owner at the end of the exit's day (NULL_CODE for none). */
  owner: Int32Array;
  /**
   * 1 where the deal's creation day is after the exit (inconsistent data): only then can the
   * creation day be after an as-of day the exit is not, so only then need it be read.
   */
  createdLater: Uint8Array;
};

const memo = new WeakMap<OpportunitySnapshot, StageEvents>();

export function stageEvents(s: OpportunitySnapshot): StageEvents {
  const known = memo.get(s);
  if (known) return known;
  const { offsets: rowOffsets, field, changedAtMs, oldValue, newValue } = s.changes;
  // First walk: the exits in history order, with their days.
  let count = 0;
  for (let c = 0; c < s.changes.count; c++)
    if (field[c] === FIELD_CODE.stage && !Number.isNaN(oldValue[c]!) && oldValue[c] !== newValue[c]) count++;
  const day = new Int32Array(count);
  const row = new Int32Array(count);
  const from = new Int32Array(count);
  const to = new Int32Array(count);
  const entryDay = new Int32Array(count);
  const ownerAt = new Int32Array(count);
  const createdLater = new Uint8Array(count);
  let n = 0;
  let firstDay = Infinity;
  let lastDay = -Infinity;
  for (let r = 0; r < s.rowCount; r++) {
    let entry = s.createdOn[r]!;
    const rowEnd = rowOffsets[r + 1]!;
    // The first change after the end of the exit's day (k walks ahead of c).
    let k = rowOffsets[r]!;
    for (let c = rowOffsets[r]!; c < rowEnd; c++) {
      if (field[c] !== FIELD_CODE.stage) continue;
      const old = oldValue[c]!;
      const next = newValue[c]!;
      if (old === next) continue;
      const d = Math.floor(changedAtMs[c]! / MS_PER_DAY);
      if (!Number.isNaN(old)) {
        day[n] = d;
        row[n] = r;
        from[n] = old;
        to[n] = Number.isNaN(next) ? -1 : next;
        entryDay[n] = entry;
        // The owner at the end of that day, as RowHistory.ownerBefore has it: today's owner with
        // every later change undone, i.e. the old value of the first owner change after the day.
        const endOfDay = (d + 1) * MS_PER_DAY;
        while (k < rowEnd && changedAtMs[k]! < endOfDay) k++;
        let j = k;
        while (j < rowEnd && field[j] !== FIELD_CODE.owner_person_id) j++;
        createdLater[n] = s.createdOn[r]! !== NULL_DAY && s.createdOn[r]! > d ? 1 : 0;
        ownerAt[n] = j === rowEnd ? s.owner[r]! : Number.isNaN(oldValue[j]!) ? NULL_CODE : oldValue[j]!;
        n++;
        if (d < firstDay) firstDay = d;
        if (d > lastDay) lastDay = d;
      }
      if (!Number.isNaN(next)) entry = d;
    }
  }
  if (n === 0) {
    firstDay = 0;
    lastDay = -1;
  }
  // A counting sort by day (history order within a day).
  const days = lastDay - firstDay + 1;
  const offsets = new Int32Array(days + 1);
  for (let i = 0; i < n; i++) offsets[day[i]! - firstDay + 1]!++;
  for (let d = 0; d < days; d++) offsets[d + 1]! += offsets[d]!;
  const next = offsets.slice(0, days);
  const events: StageEvents = {
    firstDay,
    offsets,
    row: new Int32Array(n),
    from: new Int32Array(n),
    to: new Int32Array(n),
    entryDay: new Int32Array(n),
    owner: new Int32Array(n),
    createdLater: new Uint8Array(n),
  };
  for (let i = 0; i < n; i++) {
    const p = next[day[i]! - firstDay]!++;
    events.row[p] = row[i]!;
    events.from[p] = from[i]!;
    events.to[p] = to[i]!;
    events.entryDay[p] = entryDay[i]!;
    events.owner[p] = ownerAt[i]!;
    events.createdLater[p] = createdLater[i]!;
  }
  memo.set(s, events);
  return events;
}
