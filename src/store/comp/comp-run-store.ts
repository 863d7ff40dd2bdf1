import { sql, type Kysely, type Selectable } from 'kysely';
import { toDayNumber } from '../../domain/calendar/day-number.ts';
import type { Statement } from '../../domain/comp/comp-types.ts';
import type { Database } from '../schema.ts';

/** Compensation runs, the statements they stored, and closed periods (migration 0003-comp). */

export type RunProgress = { done: number; total: number; phase: string };
export type RunPlanVersion = { planId: string; version: number; fingerprint: string };
export type RunSummary = {
  payees: number;
  statements: number;
  earnings: string;
  payable: string;
  lines: number;
};
export type RunError = { code: string; title: string; problems: unknown[] };

export type RunRow = {
  id: number;
  period: string;
  status: 'running' | 'succeeded' | 'failed';
  progress: RunProgress;
  payees: string[] | null;
  inputFingerprint: string | null;
  planVersions: RunPlanVersion[];
  summary: RunSummary | null;
  issues: unknown[];
  error: RunError | null;
  createdBy: string;
  createdByUserId: number | null;
  startedAt: string;
  finishedAt: string | null;
};

function runRow(r: Selectable<Database['comp_runs']>): RunRow {
  return {
    id: r.id,
    period: r.period,
    status: r.status,
    progress: r.progress as RunProgress,
    payees: (r.payees as string[] | null) ?? null,
    inputFingerprint: r.input_fingerprint,
    planVersions: r.plan_versions as RunPlanVersion[],
    summary: (r.summary as RunSummary | null) ?? null,
    issues: r.issues as unknown[],
    error: (r.error as RunError | null) ?? null,
    createdBy: r.created_by,
    createdByUserId: r.created_by_user_id,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export async function insertRun(
  db: Kysely<Database>,
  run: {
    period: string;
    payees: string[] | null;
    createdBy: string;
    createdByUserId: number | null;
    startedAt: string;
  },
): Promise<number> {
  const row = await db
    .insertInto('comp_runs')
    .values({
      period: run.period,
      status: 'running',
      payees: run.payees ? JSON.stringify(run.payees) : null,
      created_by: run.createdBy,
      created_by_user_id: run.createdByUserId,
      started_at: run.startedAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateRun(
  db: Kysely<Database>,
  id: number,
  change: {
    status?: RunRow['status'];
    progress?: RunProgress;
    inputFingerprint?: string;
    planVersions?: RunPlanVersion[];
    summary?: RunSummary;
    issues?: unknown[];
    error?: RunError;
    finishedAt?: string;
  },
): Promise<void> {
  await db
    .updateTable('comp_runs')
    .set({
      ...(change.status ? { status: change.status } : {}),
      ...(change.progress ? { progress: JSON.stringify(change.progress) } : {}),
      ...(change.inputFingerprint ? { input_fingerprint: change.inputFingerprint } : {}),
      ...(change.planVersions ? { plan_versions: JSON.stringify(change.planVersions) } : {}),
      ...(change.summary ? { summary: JSON.stringify(change.summary) } : {}),
      ...(change.issues ? { issues: JSON.stringify(change.issues) } : {}),
      ...(change.error ? { error: JSON.stringify(change.error) } : {}),
      ...(change.finishedAt ? { finished_at: change.finishedAt } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function findRun(db: Kysely<Database>, id: number): Promise<RunRow | undefined> {
  const row = await db.selectFrom('comp_runs').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? runRow(row) : undefined;
}

export async function listRuns(
  db: Kysely<Database>,
  filters: { period?: string; limit: number },
): Promise<RunRow[]> {
  let query = db.selectFrom('comp_runs').selectAll();
  if (filters.period) query = query.where('period', '=', filters.period);
  const rows = await query.orderBy('id', 'desc').limit(filters.limit).execute();
  return rows.map(runRow);
}

/** Runs left `running` by a process that stopped are failed: nothing will finish them. */
export async function failInterruptedRuns(db: Kysely<Database>, at: string): Promise<number> {
  const result = await db
    .updateTable('comp_runs')
    .set({
      status: 'failed',
      finished_at: at,
      error: JSON.stringify({
        code: 'interrupted',
        title: 'The run was interrupted when Attain stopped; start it again.',
        problems: [],
      }),
    })
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export type StatementToStore = {
  statement: Statement;
  personId: number | null;
  planId: string;
  planVersion: number;
  earningsMinor: number;
  payableMinor: number;
};

/**
 * Stores a run's statements in batches of one multi-row insert each: one statement is one row,
 * its lines (with traces and explanations) a jsonb value.
 */
export async function insertStatements(
  db: Kysely<Database>,
  runId: number,
  statements: readonly StatementToStore[],
): Promise<void> {
  const batch = 200;
  for (let i = 0; i < statements.length; i += batch) {
    await db
      .insertInto('comp_statements')
      .values(
        statements.slice(i, i + batch).map((s) => ({
          run_id: runId,
          payee: s.statement.payee,
          person_id: s.personId,
          period: s.statement.period,
          plan_id: s.planId,
          plan_version: s.planVersion,
          payee_name: s.statement.payeeName,
          currency: s.statement.currency,
          earnings_minor: s.earningsMinor,
          payable_minor: s.payableMinor,
          line_count: s.statement.lines.length,
          totals: JSON.stringify(s.statement.totals),
          statement: JSON.stringify(s.statement),
        })),
      )
      .execute();
  }
}

/**
 * Whose statements a caller may see: [person, fromDay, toDay) triples (day numbers) on which each
 * person is visible, a statement showing when its period overlaps them; null = everybody.
 */
export type StatementScope = { personIds: number[]; fromDays: number[]; toDays: number[] } | null;

export type StatementSummaryRow = {
  payee: string;
  personId: number | null;
  payeeName: string;
  period: string;
  runId: number;
  planId: string;
  planVersion: number;
  currency: string;
  totals: Statement['totals'];
  earningsMinor: number;
  payableMinor: number;
  openDisputes: number;
};

/**
 * The current statement of each payee and period: the one of the latest succeeded run that
 * computed it (a closed period cannot be run again, so that is the run it was closed on). Period
 * dates come from the caller (`periodDays`), for the scope.
 */
export async function listCurrentStatements(
  db: Kysely<Database>,
  filters: {
    period?: string;
    payee?: string;
    scope: StatementScope;
    periodDays: (period: string) => { startsOn: string; endsOn: string };
    limit: number;
  },
): Promise<StatementSummaryRow[]> {
  const conditions = [sql`r.status = 'succeeded'`];
  if (filters.period) conditions.push(sql`s.period = ${filters.period}`);
  if (filters.payee) conditions.push(sql`s.payee = ${filters.payee}`);
  // The people in scope narrow the rows in SQL; their days are checked below, per period.
  if (filters.scope !== null)
    conditions.push(sql`s.person_id = ANY(${[...new Set(filters.scope.personIds)]}::bigint[])`);
  const rows = await sql<{
    payee: string;
    person_id: number | null;
    payee_name: string;
    period: string;
    run_id: number;
    plan_id: string;
    plan_version: number;
    currency: string;
    totals: Statement['totals'];
    earnings_minor: number;
    payable_minor: number;
    open_disputes: number;
  }>`
    SELECT DISTINCT ON (s.period, s.payee) s.payee, s.person_id, s.payee_name, s.period, s.run_id, s.plan_id,
           s.plan_version, s.currency, s.totals, s.earnings_minor, s.payable_minor,
           (SELECT count(*)::int FROM comp_disputes d WHERE d.payee = s.payee AND d.period = s.period
              AND d.status = 'open') AS open_disputes
    FROM comp_statements s
    JOIN comp_runs r ON r.id = s.run_id
    WHERE ${sql.join(conditions, sql` AND `)}
    ORDER BY s.period DESC, s.payee, s.run_id DESC
  `.execute(db);
  const visible =
    filters.scope === null
      ? rows.rows
      : rows.rows.filter((r) => {
          const scope = filters.scope!;
          if (r.person_id === null) return false;
          const days = filters.periodDays(r.period);
          const from = toDayNumber(days.startsOn);
          const to = toDayNumber(days.endsOn) + 1;
          for (let i = 0; i < scope.personIds.length; i++)
            if (scope.personIds[i] === r.person_id && from < scope.toDays[i]! && to > scope.fromDays[i]!)
              return true;
          return false;
        });
  return visible.slice(0, filters.limit).map((r) => ({
    payee: r.payee,
    personId: r.person_id,
    payeeName: r.payee_name,
    period: r.period,
    runId: r.run_id,
    planId: r.plan_id,
    planVersion: r.plan_version,
    currency: r.currency,
    totals: r.totals,
    earningsMinor: Number(r.earnings_minor),
    payableMinor: Number(r.payable_minor),
    openDisputes: r.open_disputes,
  }));
}

export type StoredStatement = {
  runId: number;
  personId: number | null;
  planId: string;
  planVersion: number;
  statement: Statement;
};

/** The current statement of one payee for one period (see listCurrentStatements). */
export async function findCurrentStatement(
  db: Kysely<Database>,
  payee: string,
  period: string,
): Promise<StoredStatement | undefined> {
  const row = await db
    .selectFrom('comp_statements as s')
    .innerJoin('comp_runs as r', 'r.id', 's.run_id')
    .select(['s.run_id', 's.person_id', 's.plan_id', 's.plan_version', 's.statement'])
    .where('r.status', '=', 'succeeded')
    .where('s.payee', '=', payee)
    .where('s.period', '=', period)
    .orderBy('s.run_id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row
    ? {
        runId: row.run_id,
        personId: row.person_id,
        planId: row.plan_id,
        planVersion: row.plan_version,
        statement: row.statement as Statement,
      }
    : undefined;
}

/** Every statement one run stored, in payee order. */
export async function listRunStatements(db: Kysely<Database>, runId: number): Promise<StoredStatement[]> {
  const rows = await db
    .selectFrom('comp_statements')
    .select(['run_id', 'person_id', 'plan_id', 'plan_version', 'statement'])
    .where('run_id', '=', runId)
    .orderBy('payee')
    .orderBy('period')
    .execute();
  return rows.map((row) => ({
    runId: row.run_id,
    personId: row.person_id,
    planId: row.plan_id,
    planVersion: row.plan_version,
    statement: row.statement as Statement,
  }));
}

/**
 * What closed periods paid, per payee: the earnings total and each line's amount of the current
 * statements, for the engine's `locked` input.
 */
export async function loadLockedFigures(
  db: Kysely<Database>,
  periods: readonly string[],
): Promise<{ payee: string; period: string; earnings: string; lines: Record<string, string> }[]> {
  if (periods.length === 0) return [];
  const rows = await sql<{
    payee: string;
    period: string;
    earnings: string;
    lines: Record<string, string> | null;
  }>`
    SELECT DISTINCT ON (s.period, s.payee) s.payee, s.period, s.totals->>'earnings' AS earnings,
           (SELECT jsonb_object_agg(l->>'id', l->>'amount') FROM jsonb_array_elements(s.statement->'lines') l) AS lines
    FROM comp_statements s
    JOIN comp_runs r ON r.id = s.run_id AND r.status = 'succeeded'
    JOIN comp_closed_periods c ON c.period = s.period AND s.run_id <= c.run_id
    WHERE s.period = ANY(${[...periods]}::text[])
    ORDER BY s.period, s.payee, s.run_id DESC
  `.execute(db);
  return rows.rows.map((r) => ({
    payee: r.payee,
    period: r.period,
    earnings: r.earnings,
    lines: r.lines ?? {},
  }));
}

export type ClosedPeriodRow = { period: string; runId: number; closedAt: string; closedBy: string };

export async function listClosedPeriods(db: Kysely<Database>): Promise<ClosedPeriodRow[]> {
  const rows = await db.selectFrom('comp_closed_periods').selectAll().orderBy('period').execute();
  return rows.map((r) => ({
    period: r.period,
    runId: r.run_id,
    closedAt: r.closed_at,
    closedBy: r.closed_by,
  }));
}

export async function findClosedPeriod(
  db: Kysely<Database>,
  period: string,
): Promise<ClosedPeriodRow | undefined> {
  const r = await db
    .selectFrom('comp_closed_periods')
    .selectAll()
    .where('period', '=', period)
    .executeTakeFirst();
  return r ? { period: r.period, runId: r.run_id, closedAt: r.closed_at, closedBy: r.closed_by } : undefined;
}

export async function insertClosedPeriod(
  db: Kysely<Database>,
  close: { period: string; runId: number; closedAt: string; closedBy: string; closedByUserId: number | null },
): Promise<void> {
  await db
    .insertInto('comp_closed_periods')
    .values({
      period: close.period,
      run_id: close.runId,
      closed_at: close.closedAt,
      closed_by: close.closedBy,
      closed_by_user_id: close.closedByUserId,
    })
    .execute();
}

/** The latest succeeded run of each period, and whether one is running. */
export async function latestRunsByPeriod(
  db: Kysely<Database>,
): Promise<Map<string, { lastRunId: number | null; running: boolean }>> {
  const rows = await sql<{ period: string; last_run_id: number | null; running: boolean }>`
    SELECT period, max(id) FILTER (WHERE status = 'succeeded') AS last_run_id, bool_or(status = 'running') AS running
    FROM comp_runs GROUP BY period
  `.execute(db);
  return new Map(rows.rows.map((r) => [r.period, { lastRunId: r.last_run_id, running: r.running }]));
}
