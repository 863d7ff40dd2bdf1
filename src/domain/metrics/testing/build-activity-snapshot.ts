/**
 * Builds an ActivitySnapshot from plain rows, with the loader's encoding (rows by ascending id,
 * NULL_CODE for null references): for metric tests. There is no builder beside the snapshot type
 * yet (src/domain/snapshot holds the opportunity builder only).
 */
import { toDayNumber } from '../../calendar/day-number.ts';
import { activityTypeCode, type ActivitySnapshot } from '../../snapshot/activity-snapshot.ts';
import { NULL_CODE, NULL_INT32 } from '../../snapshot/columns.ts';
import type { ActivityType } from '../../vocabulary.ts';

export type ActivityInput = {
  id: number;
  type: ActivityType;
  personId?: number | null;
  accountId?: number | null;
  opportunityId?: number | null;
  /** 'YYYY-MM-DD' or a day number. */
  occurredOn: string | number;
  durationMinutes?: number | null;
};

export function buildActivitySnapshot(rows: readonly ActivityInput[]): ActivitySnapshot {
  const sorted = [...rows].sort((a, b) => a.id - b.id);
  const n = sorted.length;
  return {
    rowCount: n,
    id: Int32Array.from(sorted, (row) => row.id),
    type: Uint8Array.from(sorted, (row) => activityTypeCode(row.type)),
    person: Int32Array.from(sorted, (row) => row.personId ?? NULL_CODE),
    account: Int32Array.from(sorted, (row) => row.accountId ?? NULL_CODE),
    opportunity: Int32Array.from(sorted, (row) => row.opportunityId ?? NULL_CODE),
    occurredOn: Int32Array.from(sorted, (row) =>
      typeof row.occurredOn === 'number' ? row.occurredOn : toDayNumber(row.occurredOn),
    ),
    durationMinutes: Int32Array.from(sorted, (row) => row.durationMinutes ?? NULL_INT32),
  };
}
