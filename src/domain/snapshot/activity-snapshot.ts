/**
 * Activities (calls, emails, meetings, ...) as columns, one row per activity in ascending id order:
 * what activity KPIs and leading indicators read.
 */
import { activityTypes, type ActivityType } from '../vocabulary.ts';
import { buildDayIndex, type RowDayIndex } from './day-index.ts';
import { DomainError } from '../errors.ts';

export type ActivitySnapshot = {
  rowCount: number;
  id: Int32Array;
  /** Index into `activityTypes` (a closed vocabulary, so codes are the same in every snapshot). */
  type: Uint8Array;
  /** Person id, NULL_CODE (-1) when null. */
  person: Int32Array;
  /** Account id, NULL_CODE when null. */
  account: Int32Array;
  /** Opportunity id, NULL_CODE when null. */
  opportunity: Int32Array;
  /** UTC day (day number) of occurred_at. */
  occurredOn: Int32Array;
  /** NULL_INT32 when null. */
  durationMinutes: Int32Array;
};

const activityTypeCodes = new Map<string, number>(activityTypes.map((type, code) => [type, code]));

/** The code of an activity type in ActivitySnapshot.type. */
export function activityTypeCode(type: string): number {
  const code = activityTypeCodes.get(type);
  if (code === undefined) throw new DomainError('invariant', `"${type}" is not an activity type`);
  return code;
}

/** The activity type of a code in ActivitySnapshot.type. */
export function activityTypeOf(code: number): ActivityType {
  const type = activityTypes[code];
  if (type === undefined) throw new DomainError('invariant', `${code} is not an activity type code`);
  return type;
}

/**
 * The rows of an activity snapshot by day: `rows` holds every row index ordered by occurredOn (row
 * order within a day), and the rows of day d are rows[offsets[d − firstDay] .. offsets[d − firstDay
 * + 1]). A request for a week then reads that week's rows, not the whole table. `person` and `type`
 * are those two columns in the same order (position p is row rows[p]), so that a pass counting
 * activities by person and type reads its week sequentially instead of scattered over the table.
 */
export type ActivityDayIndex = RowDayIndex & { person: Int32Array; type: Uint8Array };

const dayIndexes = new WeakMap<ActivitySnapshot, ActivityDayIndex>();

/** The day index of a snapshot, built once (a counting sort, O(rows + days)) and kept with it. */
export function activityDayIndex(a: ActivitySnapshot): ActivityDayIndex {
  const known = dayIndexes.get(a);
  if (known) return known;
  const byDay = buildDayIndex(a.rowCount, (i) => a.occurredOn[i]!);
  const person = new Int32Array(byDay.rows.length);
  const type = new Uint8Array(byDay.rows.length);
  for (let p = 0; p < byDay.rows.length; p++) {
    const r = byDay.rows[p]!;
    person[p] = a.person[r]!;
    type[p] = a.type[r]!;
  }
  const index = { ...byDay, person, type };
  dayIndexes.set(a, index);
  return index;
}
