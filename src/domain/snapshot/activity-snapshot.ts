/**
 * Activities (calls, emails, meetings, ...) as columns, one row per activity in ascending id order:
 * what activity KPIs and leading indicators read.
 */
import { activityTypes, type ActivityType } from '../vocabulary.ts';
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
