import { toDayNumber } from '../../domain/calendar/day-number.ts';
import type { MetricDimensions } from '../../domain/metrics/metric-types.ts';
import type { Store } from '../../store/open-database.ts';
import { buildAssignments, type HolderSpan, type QuotaSource } from './metric-dimensions.ts';

/** What the metrics engine needs beside the snapshots, read from the store. */
export type LoadedDimensions = {
  dimensions: MetricDimensions;
  /** Position holders, to hand each revenue quota to the people who held its position. */
  holders: HolderSpan[];
  /** Revenue quotas of rep positions (individual quotas; managers' are roll-ups of them). */
  quotas: QuotaSource[];
};

const day = (text: string | null): number | null => (text === null ? null : toDayNumber(text));
const openEnd = (text: string | null): number => (text === null ? Infinity : toDayNumber(text));

/**
 * Reads people, the effective-dated hierarchy (holders, reporting lines, teams and their regions),
 * accounts, products and the reps' revenue quotas, and builds the engine's dimensions from them.
 */
export async function loadMetricDimensions(store: Store): Promise<LoadedDimensions> {
  const db = store.db;
  const [people, holderRows, reportingRows, teams, regions, accounts, products, quotaRows] =
    await Promise.all([
      db.selectFrom('people').select(['id', 'name', 'hired_on', 'left_on']).orderBy('id').execute(),
      db
        .selectFrom('position_holders')
        .select(['position_id', 'person_id', 'valid_from', 'valid_to'])
        .orderBy('id')
        .execute(),
      db
        .selectFrom('position_reporting')
        .select(['position_id', 'parent_position_id', 'team_id', 'valid_from', 'valid_to'])
        .orderBy('id')
        .execute(),
      db.selectFrom('teams').select(['id', 'name', 'region_id']).orderBy('id').execute(),
      db.selectFrom('regions').select(['id', 'name']).orderBy('id').execute(),
      db.selectFrom('accounts').select(['id', 'segment', 'industry']).orderBy('id').execute(),
      db.selectFrom('products').select(['id', 'name']).orderBy('id').execute(),
      db
        .selectFrom('quotas as q')
        .innerJoin('periods as p', 'p.id', 'q.period_id')
        .innerJoin('positions as pos', 'pos.id', 'q.position_id')
        .select(['q.position_id', 'q.target', 'q.currency', 'p.starts_on', 'p.ends_on'])
        .where('q.measure', '=', 'revenue')
        .where('pos.role', '=', 'rep')
        .orderBy('q.id')
        .execute(),
    ]);
  const holders: HolderSpan[] = holderRows.map((h) => ({
    positionId: h.position_id,
    personId: h.person_id,
    from: toDayNumber(h.valid_from),
    to: openEnd(h.valid_to),
  }));
  const assignments = buildAssignments(
    holders,
    reportingRows.map((r) => ({
      positionId: r.position_id,
      parentId: r.parent_position_id,
      teamId: r.team_id,
      from: toDayNumber(r.valid_from),
      to: openEnd(r.valid_to),
    })),
    new Map(teams.map((t) => [t.id, t.region_id])),
  );
  return {
    dimensions: {
      people: people.map((p) => ({
        id: p.id,
        name: p.name,
        hiredOn: day(p.hired_on),
        leftOn: day(p.left_on),
      })),
      assignments,
      accounts: accounts.map((a) => ({ id: a.id, segment: a.segment, industry: a.industry })),
      products: products.map((p) => ({ id: p.id, name: p.name })),
      teams: teams.map((t) => ({ id: t.id, name: t.name })),
      regions: regions.map((r) => ({ id: r.id, name: r.name })),
    },
    holders,
    quotas: quotaRows.map((q) => ({
      positionId: q.position_id,
      // A period's ends_on is its last day; the engine's ranges end the day after.
      from: toDayNumber(q.starts_on),
      to: toDayNumber(q.ends_on) + 1,
      target: q.target,
      currency: q.currency,
    })),
  };
}
