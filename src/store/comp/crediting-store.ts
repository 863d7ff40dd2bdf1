import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Writes of the crediting inputs the foundation's import does not carry: splits and overlays. */

export type SplitRow = {
  opportunityId: number;
  personId: number;
  kind: 'split' | 'overlay';
  sharePpm: number;
};

/** Adds or replaces splits and overlays (one row per deal, person and kind). */
export async function upsertOpportunitySplits(
  db: Kysely<Database>,
  rows: readonly SplitRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO opportunity_splits (opportunity_id, person_id, kind, share_ppm)
    SELECT * FROM unnest(${rows.map((r) => r.opportunityId)}::bigint[], ${rows.map((r) => r.personId)}::bigint[],
                         ${rows.map((r) => r.kind)}::text[], ${rows.map((r) => r.sharePpm)}::int[])
    ON CONFLICT (opportunity_id, person_id, kind) DO UPDATE SET share_ppm = EXCLUDED.share_ppm
  `.execute(db);
}

/**
 * Reps who shared a manager position on a day, with their won deals closed in [from, to]: the
 * candidates of demo splits. Ordered, so the same data gives the same splits.
 */
export async function loadTeamDeals(
  db: Kysely<Database>,
  fromDay: string,
  toDay: string,
): Promise<{ opportunityId: number; ownerId: number; teammateId: number | null }[]> {
  const rows = await sql<{ opportunity_id: number; owner_id: number; teammate_id: number | null }>`
    SELECT o.id AS opportunity_id, o.owner_person_id AS owner_id,
           (SELECT h2.person_id FROM position_holders h
              JOIN position_reporting r ON r.position_id = h.position_id
                AND r.valid_from <= o.closed_on AND (r.valid_to IS NULL OR r.valid_to > o.closed_on)
              JOIN position_reporting r2 ON r2.parent_position_id = r.parent_position_id AND r2.position_id <> r.position_id
                AND r2.valid_from <= o.closed_on AND (r2.valid_to IS NULL OR r2.valid_to > o.closed_on)
              JOIN position_holders h2 ON h2.position_id = r2.position_id
                AND h2.valid_from <= o.closed_on AND (h2.valid_to IS NULL OR h2.valid_to > o.closed_on)
              JOIN positions p2 ON p2.id = r2.position_id AND p2.role = 'rep'
             WHERE h.person_id = o.owner_person_id AND h.valid_from <= o.closed_on
               AND (h.valid_to IS NULL OR h.valid_to > o.closed_on)
             ORDER BY h2.person_id LIMIT 1) AS teammate_id
    FROM opportunities o
    WHERE o.is_won AND o.owner_person_id IS NOT NULL AND o.closed_on BETWEEN ${fromDay}::date AND ${toDay}::date
    ORDER BY o.closed_on, o.id
  `.execute(db);
  return rows.rows.map((r) => ({
    opportunityId: r.opportunity_id,
    ownerId: r.owner_id,
    teammateId: r.teammate_id,
  }));
}

/** Positions of a role (rep, manager, ...), by key. */
export async function listPositionsByRole(
  db: Kysely<Database>,
  role: Database['positions']['role'],
): Promise<{ id: number; key: string }[]> {
  const rows = await db
    .selectFrom('positions')
    .select(['id', 'external_key'])
    .where('role', '=', role)
    .orderBy('external_key')
    .execute();
  return rows.map((r) => ({ id: r.id, key: r.external_key }));
}
