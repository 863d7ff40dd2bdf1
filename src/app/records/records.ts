import { sql } from 'kysely';
import {
  personEverVisible,
  personVisibleDuring,
  positionVisibleDuring,
  type Scope,
} from '../../domain/access/scope.ts';
import { toDayNumber } from '../../domain/calendar/day-number.ts';
import { AppError } from '../../domain/errors.ts';
import { minorToDecimal } from '../../domain/money.ts';
import { activityTypes } from '../../domain/vocabulary.ts';
import { minorDigits } from '../../ingest/parse-values.ts';
import type { Store } from '../../store/open-database.ts';
import { dayOf, personDayInScope, positionPeriodInScope } from '../../store/scope-sql.ts';
import { recordAudit, type Actor } from '../audit/audit-log.ts';
import { scoreFromSnapshot, selectDeals, selectPeople, type ReadModels } from './read-models.ts';

/**
 * Sales records read through the caller's scope. Every query here takes the scope and applies it
 * in SQL, so a route, an export or a drill-down cannot read past it. A record out of scope is
 * "not found", the same answer as a record that does not exist (no probing for ids).
 *
 * A record's day decides under which part of the hierarchy it is seen: a closed deal's close day,
 * an open deal's as-of day (today), an activity's day, a quota's period.
 */

export type Money = { amount: string; currency: string };

function money(minor: number | bigint | null, currency: string): Money | null {
  return minor === null ? null : { amount: minorToDecimal(minor, minorDigits(currency)), currency };
}

export type PersonView = {
  id: number;
  key: string;
  name: string;
  email: string | null;
  hiredOn: string | null;
  leftOn: string | null;
  title: string | null;
  positionRole: string | null;
  team: string | null;
  managerName: string | null;
};

export type Page = { limit: number; offset: number };

/**
 * The total behind a page read with `count(*) OVER ()`. Past the last page no row carries it, so
 * it is counted separately (a pager must not say "0 of 0" on page 3 of 2).
 */
async function pageTotal(
  rows: { total: number }[],
  offset: number,
  count: () => Promise<number>,
): Promise<number> {
  if (rows.length > 0) return Number(rows[0]!.total);
  return offset > 0 ? count() : 0;
}

/** Everybody with their position, team and manager on `asOf`, by name: the people directory. */
export async function loadDirectory(store: Store, asOf: string): Promise<PersonView[]> {
  const rows = await sql<{
    id: number;
    external_key: string;
    name: string;
    email: string | null;
    hired_on: string | null;
    left_on: string | null;
    title: string | null;
    position_role: string | null;
    team: string | null;
    manager_name: string | null;
  }>`
    SELECT p.id, p.external_key, p.name, p.email, p.hired_on, p.left_on, pos.title, pos.role AS position_role,
           t.name AS team, mgr.name AS manager_name
    FROM people p
    LEFT JOIN LATERAL (SELECT position_id FROM position_holders h WHERE h.person_id = p.id AND h.valid_from <= ${asOf}::date
                       AND (h.valid_to IS NULL OR h.valid_to > ${asOf}::date) ORDER BY h.valid_from DESC LIMIT 1) h ON true
    LEFT JOIN positions pos ON pos.id = h.position_id
    LEFT JOIN LATERAL (SELECT team_id, parent_position_id FROM position_reporting r WHERE r.position_id = h.position_id
                       AND r.valid_from <= ${asOf}::date AND (r.valid_to IS NULL OR r.valid_to > ${asOf}::date)
                       ORDER BY r.valid_from DESC LIMIT 1) r ON true
    LEFT JOIN teams t ON t.id = r.team_id
    LEFT JOIN LATERAL (SELECT person_id FROM position_holders mh WHERE mh.position_id = r.parent_position_id
                       AND mh.valid_from <= ${asOf}::date AND (mh.valid_to IS NULL OR mh.valid_to > ${asOf}::date)
                       ORDER BY mh.valid_from DESC LIMIT 1) mh ON true
    LEFT JOIN people mgr ON mgr.id = mh.person_id
    ORDER BY p.name, p.id
  `.execute(store.db);
  return rows.rows.map((r) => ({
    id: r.id,
    key: r.external_key,
    name: r.name,
    email: r.email,
    hiredOn: r.hired_on,
    leftOn: r.left_on,
    title: r.title,
    positionRole: r.position_role,
    team: r.team,
    managerName: r.manager_name,
  }));
}

/** The people a caller may see, from the directory, filtered and paged. */
export async function listPeople(
  reads: ReadModels,
  scope: Scope,
  asOf: string,
  filters: { q?: string; id?: number } & Page,
): Promise<{ people: PersonView[]; total: number }> {
  return selectPeople(await reads.people(asOf), scope, filters);
}

export async function getPerson(
  reads: ReadModels,
  scope: Scope,
  asOf: string,
  id: number,
): Promise<PersonView> {
  const { people } = await listPeople(reads, scope, asOf, { id, limit: 1, offset: 0 });
  if (!people[0]) throw new AppError('not_found', `No person ${id}.`);
  return people[0];
}

export type OpportunityFilters = {
  id?: number;
  ownerId?: number;
  stage?: string;
  status?: 'open' | 'won' | 'lost';
  closedFrom?: string;
  closedTo?: string;
  /** Expected close day (open deals' close_on). */
  closeFrom?: string;
  closeTo?: string;
  q?: string;
  sort?: 'close_on' | 'amount' | 'name';
  direction?: 'asc' | 'desc';
} & Page;

export type OpportunityView = {
  id: number;
  key: string;
  name: string | null;
  ownerId: number | null;
  ownerName: string | null;
  account: string | null;
  product: string | null;
  stage: string;
  status: 'open' | 'won' | 'lost';
  amount: Money | null;
  dealType: string | null;
  createdOn: string | null;
  closeOn: string | null;
  closedOn: string | null;
  /** The day a won deal was cancelled (its pay is clawed back under a plan's clawback). */
  cancelledOn: string | null;
  lostReason: string | null;
  competitor: string | null;
};

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (m) => `\\${m}`);
}

function opportunityQuery(store: Store, scope: Scope, asOf: string) {
  return store.db
    .selectFrom('opportunities as o')
    .leftJoin('people as p', 'p.id', 'o.owner_person_id')
    .leftJoin('accounts as a', 'a.id', 'o.account_id')
    .leftJoin('products as pr', 'pr.id', 'o.product_id')
    .where(
      personDayInScope(scope, sql.ref('o.owner_person_id'), dayOf(sql`COALESCE(o.closed_on, ${asOf}::date)`)),
    );
}

const opportunityColumns = [
  'o.id',
  'o.external_key',
  'o.name',
  'o.owner_person_id',
  'p.name as owner_name',
  'a.name as account_name',
  'pr.name as product_name',
  'o.stage',
  'o.is_closed',
  'o.is_won',
  'o.amount_minor',
  'o.currency',
  'o.deal_type',
  'o.created_on',
  'o.close_on',
  'o.closed_on',
  'o.cancelled_on',
  'o.lost_reason',
  'o.competitor',
] as const;

type OpportunityRow = {
  id: number;
  external_key: string;
  name: string | null;
  owner_person_id: number | null;
  owner_name: string | null;
  account_name: string | null;
  product_name: string | null;
  stage: string;
  is_closed: boolean;
  is_won: boolean;
  amount_minor: number | null;
  currency: string;
  deal_type: string | null;
  created_on: string | null;
  close_on: string | null;
  closed_on: string | null;
  cancelled_on: string | null;
  lost_reason: string | null;
  competitor: string | null;
};

const dealPageSql = `SELECT ${opportunityColumns.join(', ')}
  FROM opportunities AS o
  LEFT JOIN people AS p ON p.id = o.owner_person_id
  LEFT JOIN accounts AS a ON a.id = o.account_id
  LEFT JOIN products AS pr ON pr.id = o.product_id
  WHERE o.id = ANY($1::bigint[])`;

function opportunityView(r: OpportunityRow): OpportunityView {
  return {
    id: r.id,
    key: r.external_key,
    name: r.name,
    ownerId: r.owner_person_id,
    ownerName: r.owner_name,
    account: r.account_name,
    product: r.product_name,
    stage: r.stage,
    status: r.is_won ? 'won' : r.is_closed ? 'lost' : 'open',
    amount: money(r.amount_minor, r.currency),
    dealType: r.deal_type,
    createdOn: r.created_on,
    closeOn: r.close_on,
    closedOn: r.closed_on,
    cancelledOn: r.cancelled_on,
    lostReason: r.lost_reason,
    competitor: r.competitor,
  };
}

/**
 * A page of deals the caller may see, with the total for the pager. Without a text search or a
 * sort by name, the page is chosen from the columnar snapshot in memory (scope, filters, order)
 * and only its rows are read from the database; a text search runs in SQL.
 */
export async function listOpportunities(
  store: Store,
  scope: Scope,
  asOf: string,
  filters: OpportunityFilters,
  reads?: ReadModels,
): Promise<{ opportunities: OpportunityView[]; total: number }> {
  if (filters.ownerId !== undefined && !personEverVisible(scope, filters.ownerId))
    throw new AppError('not_found', `No person ${filters.ownerId}.`);
  if (reads && !filters.q && filters.sort !== 'name') {
    const { opportunities: snapshot } = await reads.snapshots.get();
    const { ids, total } = selectDeals(snapshot, scope, asOf, { ...filters, sort: filters.sort });
    if (ids.length === 0) return { opportunities: [], total };
    // A named prepared statement: the hottest query of the list, planned once per connection.
    const { rows } = await store.pool.query<OpportunityRow>({
      name: 'attain-deal-page',
      text: dealPageSql,
      values: [ids],
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return {
      total,
      opportunities: ids.flatMap((id) => {
        const row = byId.get(id);
        return row ? [opportunityView(row)] : [];
      }),
    };
  }
  let query = opportunityQuery(store, scope, asOf);
  if (filters.id !== undefined) query = query.where('o.id', '=', filters.id);
  if (filters.ownerId !== undefined) query = query.where('o.owner_person_id', '=', filters.ownerId);
  if (filters.stage) query = query.where('o.stage', '=', filters.stage);
  if (filters.status === 'open') query = query.where('o.is_closed', '=', false);
  if (filters.status === 'won') query = query.where('o.is_won', '=', true);
  if (filters.status === 'lost') query = query.where('o.is_closed', '=', true).where('o.is_won', '=', false);
  if (filters.closedFrom) query = query.where('o.closed_on', '>=', filters.closedFrom);
  if (filters.closedTo) query = query.where('o.closed_on', '<=', filters.closedTo);
  if (filters.closeFrom) query = query.where('o.close_on', '>=', filters.closeFrom);
  if (filters.closeTo) query = query.where('o.close_on', '<=', filters.closeTo);
  if (filters.q) {
    const pattern = `%${escapeLike(filters.q)}%`;
    query = query.where((eb) =>
      eb.or([
        eb('o.name', 'ilike', pattern),
        eb('o.external_key', 'ilike', pattern),
        eb('a.name', 'ilike', pattern),
      ]),
    );
  }
  const sortColumn =
    filters.sort === 'amount' ? 'o.amount_minor' : filters.sort === 'name' ? 'o.name' : 'o.close_on';
  const direction = filters.direction ?? (filters.sort === 'name' ? 'asc' : 'desc');
  const rows = await query
    .select([...opportunityColumns, sql<number>`count(*) OVER ()`.as('total')])
    .orderBy(sortColumn, (ob) => (direction === 'asc' ? ob.asc() : ob.desc()).nullsLast())
    .orderBy('o.id')
    .limit(filters.limit)
    .offset(filters.offset)
    .execute();
  const total = await pageTotal(rows, filters.offset, async () =>
    Number((await query.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n),
  );
  return { total, opportunities: rows.map(opportunityView) };
}

export async function getOpportunity(
  store: Store,
  scope: Scope,
  asOf: string,
  id: number,
): Promise<
  OpportunityView & {
    history: { changedAt: string; field: string; from: string | null; to: string | null }[];
  }
> {
  const { opportunities } = await listOpportunities(store, scope, asOf, { id, limit: 1, offset: 0 });
  const found = opportunities[0];
  if (!found) throw new AppError('not_found', `No opportunity ${id}.`);
  const history = await store.db
    .selectFrom('opportunity_changes')
    .select(['changed_at', 'field', 'old_value', 'new_value'])
    .where('opportunity_id', '=', id)
    .orderBy('changed_at')
    .orderBy('id')
    .execute();
  return {
    ...found,
    history: history.map((h) => ({
      changedAt: h.changed_at,
      field: h.field,
      from: h.old_value,
      to: h.new_value,
    })),
  };
}

export type ActivityView = {
  id: number;
  key: string;
  type: string;
  personId: number | null;
  personName: string | null;
  opportunityId: number | null;
  occurredAt: string;
  subject: string | null;
  outcome: string | null;
};

export async function listActivities(
  store: Store,
  scope: Scope,
  filters: { personId?: number; type?: string; from?: string; to?: string } & Page,
): Promise<{ activities: ActivityView[]; total: number }> {
  if (filters.personId !== undefined && !personEverVisible(scope, filters.personId))
    throw new AppError('not_found', `No person ${filters.personId}.`);
  let query = store.db
    .selectFrom('activities as x')
    .leftJoin('people as p', 'p.id', 'x.person_id')
    .where(
      personDayInScope(scope, sql.ref('x.person_id'), dayOf(sql`(x.occurred_at AT TIME ZONE 'UTC')::date`)),
    );
  if (filters.personId !== undefined) query = query.where('x.person_id', '=', filters.personId);
  if (filters.type) query = query.where('x.type', '=', filters.type as never);
  if (filters.from) query = query.where('x.occurred_at', '>=', filters.from);
  if (filters.to) query = query.where('x.occurred_at', '<', filters.to);
  const rows = await query
    .select([
      'x.id',
      'x.external_key',
      'x.type',
      'x.person_id',
      'p.name as person_name',
      'x.opportunity_id',
      'x.occurred_at',
      'x.subject',
      'x.outcome',
      sql<number>`count(*) OVER ()`.as('total'),
    ])
    .orderBy('x.occurred_at', 'desc')
    .orderBy('x.id', 'desc')
    .limit(filters.limit)
    .offset(filters.offset)
    .execute();
  return {
    total: await pageTotal(rows, filters.offset, async () =>
      Number((await query.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n),
    ),
    activities: rows.map((r) => ({
      id: r.id,
      key: r.external_key,
      type: r.type,
      personId: r.person_id,
      personName: r.person_name,
      opportunityId: r.opportunity_id,
      occurredAt: r.occurred_at,
      subject: r.subject,
      outcome: r.outcome,
    })),
  };
}

export type PeriodView = {
  id: number;
  kind: string;
  label: string;
  startsOn: string;
  endsOn: string;
  status: 'open' | 'closed';
};

export async function listPeriods(store: Store, kind: string | undefined): Promise<PeriodView[]> {
  let query = store.db.selectFrom('periods').selectAll();
  if (kind) query = query.where('kind', '=', kind as never);
  const rows = await query.orderBy('starts_on').orderBy('kind').execute();
  return rows.map(periodView);
}

function periodView(r: {
  id: number;
  kind: string;
  label: string;
  starts_on: string;
  ends_on: string;
  status: 'open' | 'closed';
}): PeriodView {
  return {
    id: r.id,
    kind: r.kind,
    label: r.label,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    status: r.status,
  };
}

export async function getPeriod(store: Store, id: number): Promise<PeriodView> {
  const row = await store.db.selectFrom('periods').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('not_found', `No period ${id}.`);
  return periodView(row);
}

export async function setPeriodStatus(
  store: Store,
  id: number,
  status: 'open' | 'closed',
  actor: Actor,
  at: string,
): Promise<PeriodView> {
  const before = await getPeriod(store, id);
  if (before.status === status) return before;
  await store.db.transaction().execute(async (tx) => {
    await tx.updateTable('periods').set({ status }).where('id', '=', id).execute();
    await recordAudit(tx, actor, at, {
      action: status === 'closed' ? 'period_closed' : 'period_reopened',
      entity: 'period',
      entityId: id,
      summary: `Period ${before.label} ${status === 'closed' ? 'closed' : 'reopened'}.`,
      before: { status: before.status },
      after: { status },
    });
  });
  return getPeriod(store, id);
}

export type QuotaView = {
  id: number;
  positionId: number;
  positionKey: string;
  positionTitle: string;
  holderId: number | null;
  holderName: string | null;
  periodId: number;
  periodLabel: string;
  measure: string;
  target: string;
  currency: string | null;
  method: string;
  updatedAt: string;
};

function quotaQuery(store: Store, scope: Scope) {
  return store.db
    .selectFrom('quotas as q')
    .innerJoin('positions as pos', 'pos.id', 'q.position_id')
    .innerJoin('periods as per', 'per.id', 'q.period_id')
    .where(
      positionPeriodInScope(
        scope,
        sql.ref('q.position_id'),
        dayOf(sql.ref('per.starts_on')),
        sql`(${dayOf(sql.ref('per.ends_on'))} + 1)`,
      ),
    )
    .select([
      'q.id',
      'q.position_id',
      'pos.external_key as position_key',
      'pos.title as position_title',
      'q.period_id',
      'per.label as period_label',
      'per.starts_on',
      'per.ends_on',
      'q.measure',
      'q.target',
      'q.currency',
      'q.method',
      'q.updated_at',
      sql<number | null>`(SELECT h.person_id FROM position_holders h WHERE h.position_id = q.position_id
        AND h.valid_from <= per.ends_on AND (h.valid_to IS NULL OR h.valid_to > per.starts_on)
        ORDER BY h.valid_from DESC LIMIT 1)`.as('holder_id'),
    ]);
}

type QuotaRow = Awaited<ReturnType<ReturnType<typeof quotaQuery>['execute']>>[number];

async function quotaViews(store: Store, rows: QuotaRow[]): Promise<QuotaView[]> {
  const holderIds = [...new Set(rows.map((r) => r.holder_id).filter((id): id is number => id !== null))];
  const names = holderIds.length
    ? await store.db.selectFrom('people').select(['id', 'name']).where('id', 'in', holderIds).execute()
    : [];
  const nameOf = new Map(names.map((n) => [n.id, n.name]));
  return rows.map((r) => ({
    id: r.id,
    positionId: r.position_id,
    positionKey: r.position_key,
    positionTitle: r.position_title,
    holderId: r.holder_id,
    holderName: r.holder_id === null ? null : (nameOf.get(r.holder_id) ?? null),
    periodId: r.period_id,
    periodLabel: r.period_label,
    measure: r.measure,
    target: r.target,
    currency: r.currency,
    method: r.method,
    updatedAt: r.updated_at,
  }));
}

export async function listQuotas(
  store: Store,
  scope: Scope,
  filters: { periodId?: number; personId?: number } & Page,
): Promise<{ quotas: QuotaView[]; total: number }> {
  if (filters.personId !== undefined && !personEverVisible(scope, filters.personId))
    throw new AppError('not_found', `No person ${filters.personId}.`);
  let query = quotaQuery(store, scope);
  if (filters.periodId !== undefined) query = query.where('q.period_id', '=', filters.periodId);
  if (filters.personId !== undefined)
    query = query.where(
      sql<boolean>`EXISTS (SELECT 1 FROM position_holders h WHERE h.position_id = q.position_id AND h.person_id = ${filters.personId}
        AND h.valid_from <= per.ends_on AND (h.valid_to IS NULL OR h.valid_to > per.starts_on))`,
    );
  const rows = await query
    .select(sql<number>`count(*) OVER ()`.as('total'))
    .orderBy('per.starts_on', 'desc')
    .orderBy('pos.title')
    .orderBy('q.id')
    .limit(filters.limit)
    .offset(filters.offset)
    .execute();
  const total = await pageTotal(rows, filters.offset, async () =>
    Number(
      (
        await store.db
          .selectFrom(query.as('matching'))
          .select(sql<number>`count(*)`.as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  );
  return { total, quotas: await quotaViews(store, rows) };
}

export async function getQuota(store: Store, scope: Scope, id: number): Promise<QuotaView> {
  const rows = await quotaQuery(store, scope).where('q.id', '=', id).execute();
  if (!rows[0]) throw new AppError('not_found', `No quota ${id}.`);
  return (await quotaViews(store, rows))[0]!;
}

/**
 * Changes a quota's target, with the reason, in the quota history and the audit trail. A manager
 * may change the quotas of the positions below theirs, never their own.
 */
export async function updateQuota(
  store: Store,
  scope: Scope,
  id: number,
  change: { target: string; reason: string },
  actor: Actor,
  at: string,
  selfPositionIds: ReadonlySet<number>,
): Promise<QuotaView> {
  const before = await getQuota(store, scope, id);
  const period = await getPeriod(store, before.periodId);
  if (scope.kind === 'hierarchy') {
    const from = toDayNumber(period.startsOn);
    const to = toDayNumber(period.endsOn) + 1;
    if (selfPositionIds.has(before.positionId) || !positionVisibleDuring(scope, before.positionId, from, to))
      throw new AppError('forbidden', 'A manager can change the quotas of their team, not their own.');
  }
  if (period.status === 'closed')
    throw new AppError('conflict', `Period ${period.label} is closed; its quotas cannot change.`);
  await store.db.transaction().execute(async (tx) => {
    await tx
      .updateTable('quotas')
      .set({ target: change.target, method: 'manual', updated_at: at })
      .where('id', '=', id)
      .execute();
    await tx
      .insertInto('quota_changes')
      .values({
        quota_id: id,
        changed_at: at,
        old_target: before.target,
        new_target: change.target,
        method: 'manual',
        reason: change.reason,
      })
      .execute();
    await recordAudit(tx, actor, at, {
      action: 'quota_changed',
      entity: 'quota',
      entityId: id,
      summary: `Quota of ${before.positionTitle}${before.holderName ? ` (${before.holderName})` : ''} for ${before.periodLabel}, ${before.measure}: ${before.target} → ${change.target}. Reason: ${change.reason}`,
      before: { target: before.target },
      after: { target: change.target, reason: change.reason },
    });
  });
  return getQuota(store, scope, id);
}

/** The positions a person holds or held (a manager's own quota is not theirs to set). */
export async function positionsHeldBy(store: Store, personId: number | null): Promise<Set<number>> {
  if (personId === null) return new Set();
  const rows = await store.db
    .selectFrom('position_holders')
    .select('position_id')
    .where('person_id', '=', personId)
    .execute();
  return new Set(rows.map((r) => r.position_id));
}

export type Scorecard = {
  person: PersonView;
  period: PeriodView;
  currency: string;
  wonRevenue: Money;
  wonDeals: number;
  lostDeals: number;
  /** won / (won + lost) over deals decided in the period, as a percentage with one decimal. */
  winRate: string | null;
  averageWonDeal: Money | null;
  quota: Money | null;
  /** won revenue / quota, as a percentage with one decimal. */
  attainment: string | null;
  openPipeline: Money;
  openDeals: number;
  activities: Record<string, number>;
};

/**
 * A person's numbers for a period, every one read through the caller's scope: the first,
 * outcome-side scorecard (the KPI engine of the Measure issue replaces it with its metrics).
 */
export async function scorecard(
  reads: ReadModels,
  scope: Scope,
  asOf: string,
  personId: number,
  period: PeriodView,
): Promise<Scorecard> {
  const from = toDayNumber(period.startsOn);
  const to = toDayNumber(period.endsOn);
  if (!personVisibleDuring(scope, personId, from, to + 1))
    throw new AppError('not_found', `No person ${personId} in ${period.label}.`);
  const person = await getPerson(reads, scope, asOf, personId);
  const snapshots = await reads.snapshots.get();
  const score = scoreFromSnapshot(
    snapshots.opportunities,
    snapshots.activities,
    activityTypes,
    scope,
    asOf,
    personId,
    from,
    to,
  );
  if (score.currencies.length > 1)
    throw new AppError(
      'conflict',
      `${person.name}'s deals in ${period.label} are in several currencies (${score.currencies.join(', ')}); the scorecard needs one.`,
    );
  const currency = score.currencies[0] ?? 'USD';
  const digits = minorDigits(currency);
  const wonMinor = BigInt(score.wonMinor);
  const quotaRows = await sql<{ target: string | null }>`
    SELECT sum(q.target)::text AS target FROM quotas q JOIN periods per ON per.id = q.period_id
    WHERE q.measure = 'revenue' AND per.starts_on >= ${period.startsOn}::date AND per.ends_on <= ${period.endsOn}::date
      AND per.kind = (CASE WHEN ${period.kind} IN ('week', 'month') THEN ${period.kind} ELSE 'quarter' END)
      AND EXISTS (SELECT 1 FROM position_holders h WHERE h.position_id = q.position_id AND h.person_id = ${personId}
        AND h.valid_from <= per.ends_on AND (h.valid_to IS NULL OR h.valid_to > per.starts_on))
      AND ${positionPeriodInScope(scope, sql.ref('q.position_id'), dayOf(sql.ref('per.starts_on')), sql`(${dayOf(sql.ref('per.ends_on'))} + 1)`)}
  `.execute(reads.store.db);
  const quotaText = quotaRows.rows[0]?.target ?? null;
  // The quota is a decimal in major units; compare in minor units, exactly.
  const quotaMinor = quotaText === null ? null : decimalToMinor(quotaText, digits);
  const { won, lost } = score;
  return {
    person,
    period,
    currency,
    wonRevenue: money(wonMinor, currency)!,
    wonDeals: won,
    lostDeals: lost,
    winRate: won + lost === 0 ? null : percent(BigInt(won), BigInt(won + lost)),
    averageWonDeal: won === 0 ? null : money(roundDivide(wonMinor, BigInt(won)), currency),
    quota: quotaMinor === null ? null : money(quotaMinor, currency),
    attainment: quotaMinor === null || quotaMinor === 0n ? null : percent(wonMinor, quotaMinor),
    openPipeline: money(BigInt(score.openMinor), currency)!,
    openDeals: score.open,
    activities: score.activities,
  };
}

/** a / b, rounded half away from zero, in integers. */
function roundDivide(a: bigint, b: bigint): bigint {
  const q = a / b;
  const r = a % b;
  return 2n * (r < 0n ? -r : r) >= b ? q + (a < 0n ? -1n : 1n) : q;
}

/** a / b as a percentage with one decimal ("108.3"), exact up to its rounding. */
export function percent(a: bigint, b: bigint): string {
  const tenths = roundDivide(a * 1000n, b);
  return minorToDecimal(tenths, 1);
}

/** "375000.0000" → minor units at `digits`; digits beyond the currency's are rounded half up. */
export function decimalToMinor(text: string, digits: number): bigint {
  const [whole = '0', fraction = ''] = text.split('.');
  const padded = (fraction + '0'.repeat(digits + 1)).slice(0, digits + 1);
  const scaled = BigInt(whole + padded);
  return roundDivide(scaled, 10n);
}
