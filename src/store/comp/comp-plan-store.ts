import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../schema.ts';

/** Plans, their versions and their assignments to positions (migration 0003-comp). */

export type PlanVersionRow = {
  planId: string;
  version: number;
  name: string;
  period: 'month' | 'quarter';
  currency: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  source: string;
  document: unknown;
  fingerprint: string;
  testResults: unknown;
  testsPassed: number;
  testsFailed: number;
  createdBy: string;
  createdByUserId: number | null;
  createdAt: string;
};

export type NewPlanVersion = Omit<PlanVersionRow, 'version'>;

type VersionRecord = Selectable<Database['comp_plan_versions']>;

function versionRow(r: {
  plan_id: string;
  version: number;
  name: string;
  period: 'month' | 'quarter';
  currency: string;
  effective_from: string;
  effective_to: string | null;
  source: string;
  document: unknown;
  fingerprint: string;
  test_results: unknown;
  tests_passed: number;
  tests_failed: number;
  created_by: string;
  created_by_user_id: number | null;
  created_at: string;
}): PlanVersionRow {
  return {
    planId: r.plan_id,
    version: r.version,
    name: r.name,
    period: r.period,
    currency: r.currency,
    effectiveFrom: r.effective_from,
    effectiveTo: r.effective_to,
    source: r.source,
    document: r.document,
    fingerprint: r.fingerprint,
    testResults: r.test_results,
    testsPassed: r.tests_passed,
    testsFailed: r.tests_failed,
    createdBy: r.created_by,
    createdByUserId: r.created_by_user_id,
    createdAt: r.created_at,
  };
}

/** Saves the next version of a plan (1 for a new plan); returns its number. */
export async function insertPlanVersion(db: Kysely<Database>, plan: NewPlanVersion): Promise<number> {
  const current = await db
    .selectFrom('comp_plans')
    .select('current_version')
    .where('id', '=', plan.planId)
    .forUpdate()
    .executeTakeFirst();
  const version = (current?.current_version ?? 0) + 1;
  if (current) {
    await db
      .updateTable('comp_plans')
      .set({ name: plan.name, current_version: version, updated_at: plan.createdAt })
      .where('id', '=', plan.planId)
      .execute();
  } else {
    await db
      .insertInto('comp_plans')
      .values({
        id: plan.planId,
        name: plan.name,
        current_version: version,
        created_at: plan.createdAt,
        updated_at: plan.createdAt,
      })
      .execute();
  }
  await db
    .insertInto('comp_plan_versions')
    .values({
      plan_id: plan.planId,
      version,
      name: plan.name,
      period: plan.period,
      currency: plan.currency,
      effective_from: plan.effectiveFrom,
      effective_to: plan.effectiveTo,
      source: plan.source,
      document: JSON.stringify(plan.document),
      fingerprint: plan.fingerprint,
      test_results: JSON.stringify(plan.testResults),
      tests_passed: plan.testsPassed,
      tests_failed: plan.testsFailed,
      created_by: plan.createdBy,
      created_by_user_id: plan.createdByUserId,
      created_at: plan.createdAt,
    })
    .execute();
  return version;
}

/** One version of a plan (the current one when `version` is not given). */
export async function findPlanVersion(
  db: Kysely<Database>,
  planId: string,
  version?: number,
): Promise<PlanVersionRow | undefined> {
  let query = db.selectFrom('comp_plan_versions as v').selectAll('v').where('v.plan_id', '=', planId);
  query =
    version === undefined
      ? query.where(
          'v.version',
          '=',
          db.selectFrom('comp_plans').select('current_version').where('id', '=', planId),
        )
      : query.where('v.version', '=', version);
  const row = await query.executeTakeFirst();
  return row ? versionRow(row) : undefined;
}

/** Every plan with its current version, by name. */
export async function listCurrentPlanVersions(db: Kysely<Database>): Promise<PlanVersionRow[]> {
  const rows = await db
    .selectFrom('comp_plans as p')
    .innerJoin('comp_plan_versions as v', (join) =>
      join.onRef('v.plan_id', '=', 'p.id').onRef('v.version', '=', 'p.current_version'),
    )
    .selectAll('v')
    .orderBy('p.name')
    .orderBy('p.id')
    .execute();
  return rows.map(versionRow);
}

/** The versions of a plan, newest first (without their source and document). */
export async function listPlanVersions(
  db: Kysely<Database>,
  planId: string,
): Promise<
  { version: number; createdAt: string; createdBy: string; testsPassed: number; testsFailed: number }[]
> {
  const rows = await db
    .selectFrom('comp_plan_versions')
    .select(['version', 'created_at', 'created_by', 'tests_passed', 'tests_failed'])
    .where('plan_id', '=', planId)
    .orderBy('version', 'desc')
    .execute();
  return rows.map((r) => ({
    version: r.version,
    createdAt: r.created_at,
    createdBy: r.created_by,
    testsPassed: r.tests_passed,
    testsFailed: r.tests_failed,
  }));
}

/**
 * For each plan, the version that applies to a period [startsOn, endsOn]: the newest version whose
 * effective dates overlap it (a correction saved as a new version replaces the old one; a version
 * effective from next year leaves this year's periods to the version before it).
 */
export async function planVersionsForPeriod(
  db: Kysely<Database>,
  startsOn: string,
  endsOn: string,
): Promise<PlanVersionRow[]> {
  const rows = await sql<VersionRecord>`
    SELECT DISTINCT ON (v.plan_id) v.*
    FROM comp_plan_versions v
    WHERE v.effective_from <= ${endsOn}::date AND (v.effective_to IS NULL OR v.effective_to > ${startsOn}::date)
    ORDER BY v.plan_id, v.version DESC
  `.execute(db);
  return rows.rows.map(versionRow);
}

export type AssignmentRow = {
  id: number;
  planId: string;
  positionId: number;
  positionKey: string;
  positionTitle: string;
  positionRole: string;
  holderKey: string | null;
  holderName: string | null;
  from: string;
  to: string | null;
  targetIncentiveMinor: number | null;
  currency: string;
  payMix: string | null;
};

export async function insertAssignment(
  db: Kysely<Database>,
  assignment: {
    planId: string;
    positionId: number;
    from: string;
    to: string | null;
    targetIncentiveMinor: number | null;
    currency: string;
    payMix: string | null;
    createdAt: string;
  },
): Promise<number> {
  const row = await db
    .insertInto('comp_plan_assignments')
    .values({
      plan_id: assignment.planId,
      position_id: assignment.positionId,
      valid_from: assignment.from,
      valid_to: assignment.to,
      target_incentive_minor: assignment.targetIncentiveMinor,
      currency: assignment.currency,
      pay_mix: assignment.payMix,
      created_at: assignment.createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A plan's assignments with each position's holder on `asOf`. */
export async function listAssignments(
  db: Kysely<Database>,
  planId: string,
  asOf: string,
): Promise<AssignmentRow[]> {
  const rows = await sql<{
    id: number;
    plan_id: string;
    position_id: number;
    position_key: string;
    position_title: string;
    position_role: string;
    holder_key: string | null;
    holder_name: string | null;
    valid_from: string;
    valid_to: string | null;
    target_incentive_minor: number | null;
    currency: string;
    pay_mix: string | null;
  }>`
    SELECT a.id, a.plan_id, a.position_id, pos.external_key AS position_key, pos.title AS position_title,
           pos.role AS position_role, pe.external_key AS holder_key, pe.name AS holder_name,
           a.valid_from, a.valid_to, a.target_incentive_minor, a.currency, a.pay_mix
    FROM comp_plan_assignments a
    JOIN positions pos ON pos.id = a.position_id
    LEFT JOIN LATERAL (SELECT person_id FROM position_holders h WHERE h.position_id = a.position_id
                       AND h.valid_from <= ${asOf}::date AND (h.valid_to IS NULL OR h.valid_to > ${asOf}::date)
                       ORDER BY h.valid_from DESC LIMIT 1) h ON true
    LEFT JOIN people pe ON pe.id = h.person_id
    WHERE a.plan_id = ${planId}
    ORDER BY pos.title, a.valid_from, a.id
  `.execute(db);
  return rows.rows.map((r) => ({
    id: r.id,
    planId: r.plan_id,
    positionId: r.position_id,
    positionKey: r.position_key,
    positionTitle: r.position_title,
    positionRole: r.position_role,
    holderKey: r.holder_key,
    holderName: r.holder_name,
    from: r.valid_from,
    to: r.valid_to,
    targetIncentiveMinor: r.target_incentive_minor,
    currency: r.currency,
    payMix: r.pay_mix,
  }));
}

/** A position by its id or external key. */
export async function findPosition(
  db: Kysely<Database>,
  ref: number | string,
): Promise<{ id: number; key: string; title: string; role: string } | undefined> {
  const row = await db
    .selectFrom('positions')
    .select(['id', 'external_key', 'title', 'role'])
    .where(typeof ref === 'number' ? 'id' : 'external_key', '=', ref as never)
    .executeTakeFirst();
  return row ? { id: row.id, key: row.external_key, title: row.title, role: row.role } : undefined;
}

export type PositionRow = {
  id: number;
  key: string;
  title: string;
  role: string;
  holderKey: string | null;
  holderName: string | null;
  /** The plan assignments of the position that have not ended by `asOf`, earliest first. */
  plans: { planId: string; from: string; to: string | null }[];
};

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (m) => `\\${m}`);
}

/**
 * Positions with their holder on `asOf` and the plan assignments not ended by then, by title and
 * key: those whose key, title, or holder's name or key contains `q`; one page and the total.
 */
export async function listPositions(
  db: Kysely<Database>,
  filters: { q?: string; asOf: string; limit: number; offset: number },
): Promise<{ positions: PositionRow[]; total: number }> {
  const pattern = filters.q?.trim() ? `%${escapeLike(filters.q.trim())}%` : null;
  const rows = await sql<{
    id: number;
    external_key: string;
    title: string;
    role: string;
    holder_key: string | null;
    holder_name: string | null;
    total: number;
  }>`
    SELECT pos.id, pos.external_key, pos.title, pos.role, pe.external_key AS holder_key,
           pe.name AS holder_name, count(*) OVER ()::int AS total
    FROM positions pos
    LEFT JOIN LATERAL (SELECT person_id FROM position_holders h WHERE h.position_id = pos.id
                       AND h.valid_from <= ${filters.asOf}::date
                       AND (h.valid_to IS NULL OR h.valid_to > ${filters.asOf}::date)
                       ORDER BY h.valid_from DESC LIMIT 1) h ON true
    LEFT JOIN people pe ON pe.id = h.person_id
    WHERE ${pattern}::text IS NULL OR pos.external_key ILIKE ${pattern} OR pos.title ILIKE ${pattern}
       OR pe.name ILIKE ${pattern} OR pe.external_key ILIKE ${pattern}
    ORDER BY pos.title, pos.external_key
    LIMIT ${filters.limit} OFFSET ${filters.offset}
  `.execute(db);
  const ids = rows.rows.map((r) => r.id);
  const plans =
    ids.length === 0
      ? []
      : await db
          .selectFrom('comp_plan_assignments')
          .select(['position_id', 'plan_id', 'valid_from', 'valid_to'])
          .where('position_id', 'in', ids)
          .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', filters.asOf)]))
          .orderBy('valid_from')
          .orderBy('id')
          .execute();
  return {
    positions: rows.rows.map((r) => ({
      id: r.id,
      key: r.external_key,
      title: r.title,
      role: r.role,
      holderKey: r.holder_key,
      holderName: r.holder_name,
      plans: plans
        .filter((p) => p.position_id === r.id)
        .map((p) => ({ planId: p.plan_id, from: p.valid_from, to: p.valid_to })),
    })),
    total: rows.rows[0]?.total ?? 0,
  };
}
