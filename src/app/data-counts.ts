import { sql } from 'kysely';
import type { Store } from '../store/open-database.ts';

export const countedTables = [
  'people',
  'positions',
  'teams',
  'regions',
  'accounts',
  'products',
  'opportunities',
  'opportunity_changes',
  'activities',
  'leads',
  'subscriptions',
  'invoices',
  'payments',
  'spend',
  'quotas',
  'periods',
] as const;

export type DataCounts = Record<(typeof countedTables)[number], number>;

/** Rows per entity, in one round trip. */
export async function countData(store: Store): Promise<DataCounts> {
  const selects = sql.join(
    countedTables.map((t) => sql`(SELECT count(*)::int FROM ${sql.raw(t)}) AS ${sql.raw(t)}`),
    sql`, `,
  );
  const result = await sql<DataCounts>`SELECT ${selects}`.execute(store.db);
  return result.rows[0]!;
}

export type OrganisationSummary = { reps: number; managers: number; regions: number; teams: number };

/** The organisation's shape as people read it: reps under managers in regions. */
export async function summariseOrganisation(store: Store): Promise<OrganisationSummary> {
  const result = await sql<OrganisationSummary>`
    SELECT (SELECT count(*)::int FROM positions WHERE role = 'rep') AS reps,
           (SELECT count(*)::int FROM positions WHERE role = 'manager') AS managers,
           (SELECT count(*)::int FROM regions) AS regions,
           (SELECT count(*)::int FROM teams) AS teams`.execute(store.db);
  return result.rows[0]!;
}
