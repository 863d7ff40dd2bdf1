import { Kysely, PostgresDialect, sql, type Selectable } from 'kysely';
import type pg from 'pg';
import { toDayNumber } from '../../domain/calendar/day-number.ts';
import type { Statement, StatementLine } from '../../domain/comp/comp-types.ts';
import type { StatementLineRecord, StatementRecord } from '../../domain/comp/statement-record.ts';
import { currencyDigits } from '../../domain/comp/exact-money.ts';
import { totalKeys } from '../../domain/comp/compare-runs.ts';
import { minorToDecimal } from '../../domain/money.ts';
import type { Store } from '../open-database.ts';
import type { Database } from '../schema.ts';
import {
  copyStatementLines,
  decodeStatementLine,
  encodeStatementLines,
  insertingLineWriter,
  LINE_SELECT,
  type LineFields,
  type StatementLineRow,
} from './statement-lines.ts';

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

/** One statement to write: its record (header and lines' facts), whose it is, under which plan version. */
export type StatementToStore = {
  record: StatementRecord;
  personId: number | null;
  planId: string;
  planVersion: number;
  earningsMinor: number;
  payableMinor: number;
};

/** A run's statements of one plan version, produced one at a time while they are written. */
export type StatementSource = {
  /** The plan version's component ids, in order (lines name components by index). */
  componentIds: readonly string[];
  count: number;
  statement(index: number): StatementToStore;
};

type HeaderRow = {
  run_id: number;
  statement_no: number;
  payee: string;
  person_id: number | null;
  period: string;
  plan_id: string;
  plan_version: number;
  payee_name: string;
  currency: string;
  earnings_minor: number;
  payable_minor: number;
  line_count: number;
  totals: string;
  measures: string;
  credit_from: string;
};

/**
 * Writes a run's statements, all or nothing, in one transaction that `finish` (the run's own
 * update and audit) ends: every line by COPY into comp_statement_lines (on PGlite, whose socket
 * takes no COPY, by batched unnest inserts), then one comp_statements row per statement. The
 * statements are produced while the COPY runs, so only one statement's lines are in memory.
 */
export async function writeRunStatements(
  store: Store,
  runId: number,
  sources: readonly StatementSource[],
  finish: (tx: Kysely<Database>, written: { statements: number; lines: number }) => Promise<void>,
  onProgress?: (done: number, total: number) => void,
): Promise<WrittenStatements> {
  const total = sources.reduce((n, s) => n + s.count, 0);
  const started = performance.now();
  let produceMs = 0;
  const headers: HeaderRow[] = [];
  let source = 0;
  let index = 0;
  let lines = 0;
  /** Encodes the next statement's lines into `add`; false when there is none left. */
  const next = (add: (fields: LineFields) => void | Promise<void>): boolean => {
    const t = performance.now();
    try {
      return produce(add);
    } finally {
      produceMs += performance.now() - t;
    }
  };
  const produce = (add: (fields: LineFields) => void | Promise<void>): boolean => {
    while (source < sources.length && index >= sources[source]!.count) {
      source++;
      index = 0;
    }
    if (source >= sources.length) return false;
    const from = sources[source]!;
    const s = from.statement(index++);
    const statementNo = headers.length;
    const h = s.record.header;
    const creditFrom = encodeStatementLines(runId, statementNo, from.componentIds, s.record, add);
    lines += s.record.lines.length;
    headers.push({
      run_id: runId,
      statement_no: statementNo,
      payee: h.payee,
      person_id: s.personId,
      period: h.period,
      plan_id: s.planId,
      plan_version: s.planVersion,
      payee_name: h.payeeName,
      currency: h.currency,
      earnings_minor: s.earningsMinor,
      payable_minor: s.payableMinor,
      line_count: s.record.lines.length,
      totals: JSON.stringify(h.totals),
      measures: JSON.stringify(h.measures),
      credit_from: JSON.stringify(creditFrom),
    });
    if (headers.length % 100 === 0) onProgress?.(headers.length, total);
    return true;
  };
  const client = await store.pool.connect();
  let released = false;
  try {
    await client.query('BEGIN');
    const tx = kyselyOnClient(client);
    if (store.kind === 'postgres') await copyStatementLines(client, (add) => next(add));
    else {
      const writer = insertingLineWriter(client);
      let pending: Promise<void>[] = [];
      while (
        next((fields) => {
          const p = writer.add(fields);
          if (p) pending.push(p);
        })
      ) {
        if (pending.length > 0) {
          for (const p of pending) await p;
          pending = [];
        }
      }
      await writer.finish();
    }
    onProgress?.(headers.length, total);
    const linesMs = performance.now() - started;
    for (let i = 0; i < headers.length; i += 500)
      await tx
        .insertInto('comp_statements')
        .values(headers.slice(i, i + 500))
        .execute();
    const headersMs = performance.now() - started - linesMs;
    await finish(tx, { statements: headers.length, lines });
    await client.query('COMMIT');
    return {
      statements: headers.length,
      lines,
      timingsMs: {
        produce: Math.round(produceMs),
        lines: Math.round(linesMs),
        headers: Math.round(headersMs),
        total: Math.round(performance.now() - started),
      },
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      // the connection is broken: do not give it back to the pool
      client.release(true);
      released = true;
    });
    throw error;
  } finally {
    if (!released) client.release();
  }
}

export type WrittenStatements = {
  statements: number;
  lines: number;
  /**
   * produce: making the statements' records and encoding their rows (inside `lines`); lines: the
   * lines' COPY (or inserts) from the start; headers: the comp_statements rows; total: with
   * `finish` and the commit.
   */
  timingsMs: { produce: number; lines: number; headers: number; total: number };
};

/** Kysely on one checked-out client: the queries of a transaction opened on it by hand. */
function kyselyOnClient(client: pg.PoolClient): Kysely<Database> {
  const shim = { query: client.query.bind(client), release() {} };
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: { connect: async () => shim, end: async () => {} } as never }),
  });
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
    totals: orderedTotals(r.totals),
    earningsMinor: Number(r.earnings_minor),
    payableMinor: Number(r.payable_minor),
    openDisputes: r.open_disputes,
  }));
}

/** A stored statement: its header, and its lines as stored (rebuilt into a Statement with its plan version). */
export type StoredStatement = {
  runId: number;
  statementNo: number | null;
  personId: number | null;
  planId: string;
  planVersion: number;
  header: Omit<Statement, 'lines'>;
  /** Roll-up sources the lines name by index. */
  creditFrom: [string, string][];
  /** Statements stored before migration 0005: their lines as they were. */
  legacyLines: StatementLine[] | null;
};

type StatementHeaderSelect = {
  run_id: number;
  statement_no: number | null;
  person_id: number | null;
  plan_id: string;
  plan_version: number;
  payee: string;
  payee_name: string;
  period: string;
  currency: string;
  measures: Statement['measures'];
  totals: Statement['totals'];
  credit_from: [string, string][];
  legacy_lines: StatementLine[] | null;
};

/** Totals in the engine's key order (jsonb keeps its own). */
export function orderedTotals(totals: Statement['totals']): Statement['totals'] {
  return {
    ...(Object.fromEntries(totalKeys.map((name) => [name, totals[name]])) as Statement['totals']),
    ...(totals.drawOwed !== undefined ? { drawOwed: totals.drawOwed } : {}),
  };
}

function storedStatement(r: StatementHeaderSelect): StoredStatement {
  return {
    runId: r.run_id,
    statementNo: r.statement_no,
    personId: r.person_id,
    planId: r.plan_id,
    planVersion: r.plan_version,
    header: {
      payee: r.payee,
      payeeName: r.payee_name,
      period: r.period,
      currency: r.currency,
      measures: r.measures,
      totals: orderedTotals(r.totals),
    },
    creditFrom: r.credit_from,
    legacyLines: r.legacy_lines,
  };
}

const HEADER_COLUMNS = [
  's.run_id',
  's.statement_no',
  's.person_id',
  's.plan_id',
  's.plan_version',
  's.payee',
  's.payee_name',
  's.period',
  's.currency',
  's.measures',
  's.totals',
  's.credit_from',
  's.legacy_lines',
] as const;

/** The current statement of one payee for one period (see listCurrentStatements). */
export async function findCurrentStatement(
  db: Kysely<Database>,
  payee: string,
  period: string,
): Promise<StoredStatement | undefined> {
  const row = await db
    .selectFrom('comp_statements as s')
    .innerJoin('comp_runs as r', 'r.id', 's.run_id')
    .select(HEADER_COLUMNS)
    .where('r.status', '=', 'succeeded')
    .where('s.payee', '=', payee)
    .where('s.period', '=', period)
    .orderBy('s.run_id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? storedStatement(row as StatementHeaderSelect) : undefined;
}

/**
 * For each (payee, period, line id): the run of that payee's current statement of the period (see
 * listCurrentStatements) when the statement carries a line with that id, else null. Answers, for
 * instance, whether an approved adjustment is paid yet.
 */
export async function findCurrentRunsWithLine(
  db: Kysely<Database>,
  wanted: readonly { payee: string; period: string; lineId: string }[],
): Promise<(number | null)[]> {
  if (wanted.length === 0) return [];
  const rows = await sql<{ i: number; run_id: number }>`
    SELECT w.i::int AS i, cur.run_id
    FROM unnest(${wanted.map((w) => w.payee)}::text[], ${wanted.map((w) => w.period)}::text[],
                ${wanted.map((w) => w.lineId)}::text[]) WITH ORDINALITY AS w(payee, period, line_id, i)
    JOIN LATERAL (SELECT s.run_id, s.statement_no, s.legacy_lines FROM comp_statements s
                  JOIN comp_runs r ON r.id = s.run_id
                  WHERE r.status = 'succeeded' AND s.payee = w.payee AND s.period = w.period
                  ORDER BY s.run_id DESC LIMIT 1) cur ON true
    WHERE CASE WHEN cur.statement_no IS NOT NULL
               THEN EXISTS (SELECT 1 FROM comp_statement_lines l WHERE l.run_id = cur.run_id
                            AND l.statement_no = cur.statement_no AND l.line_id = w.line_id)
               ELSE cur.legacy_lines @> jsonb_build_array(jsonb_build_object('id', w.line_id)) END
  `.execute(db);
  const out = new Array<number | null>(wanted.length).fill(null);
  for (const r of rows.rows) out[r.i - 1] = Number(r.run_id);
  return out;
}

/** Every statement one run stored, in payee order (headers; lines with listStatementLines). */
export async function listRunStatements(db: Kysely<Database>, runId: number): Promise<StoredStatement[]> {
  const rows = await db
    .selectFrom('comp_statements as s')
    .select(HEADER_COLUMNS)
    .where('s.run_id', '=', runId)
    .orderBy('s.payee')
    .orderBy('s.period')
    .execute();
  return rows.map((r) => storedStatement(r as StatementHeaderSelect));
}

/**
 * The lines of stored statements, as records: decoded from comp_statement_lines (or a legacy
 * statement's lines as they were), by statement, in line order. `componentIds` of the statement's
 * plan version.
 */
export async function loadStatementLines(
  db: Kysely<Database>,
  statements: readonly StoredStatement[],
  componentIdsOf: (s: StoredStatement) => readonly string[],
): Promise<StatementLineRecord[][]> {
  const out: StatementLineRecord[][] = statements.map((s) =>
    (s.legacyLines ?? []).map((line) => ({ source: 'ledger' as const, line })),
  );
  const byRun = new Map<number, number[]>();
  statements.forEach((s, i) => {
    if (s.statementNo === null) return;
    let list = byRun.get(s.runId);
    if (!list) byRun.set(s.runId, (list = []));
    list.push(i);
  });
  for (const [runId, indexes] of byRun) {
    const position = new Map(indexes.map((i) => [statements[i]!.statementNo!, i]));
    const numbers = [...position.keys()];
    for (let k = 0; k < numbers.length; k += 1000) {
      const chunk = numbers.slice(k, k + 1000);
      const rows = await sql<StatementLineRow>`
        SELECT ${sql.raw(LINE_SELECT.join(', '))} FROM comp_statement_lines
        WHERE run_id = ${runId} AND statement_no = ANY(${chunk}::int[])
        ORDER BY statement_no, line_no
      `.execute(db);
      for (const row of rows.rows) {
        const i = position.get(row.statement_no)!;
        const s = statements[i]!;
        out[i]!.push(decodeStatementLine(row, componentIdsOf(s), s.creditFrom));
      }
    }
  }
  return out;
}

/**
 * What closed periods paid, per payee: the earnings total and each line's amount of the current
 * statements, for the engine's `locked` input. Line ids of earnings lines are named from the plan
 * version's component ids (the document's `components[i].id`).
 */
export async function loadLockedFigures(
  db: Kysely<Database>,
  periods: readonly string[],
): Promise<
  { payee: string; period: string; planId: string; earnings: string; lines: Record<string, string> }[]
> {
  if (periods.length === 0) return [];
  const rows = await sql<{
    payee: string;
    period: string;
    plan_id: string;
    earnings: string;
    run_id: number;
    statement_no: number | null;
    currency: string;
    component_ids: string[] | null;
    legacy: Record<string, string> | null;
  }>`
    SELECT DISTINCT ON (s.period, s.payee) s.payee, s.period, s.plan_id, s.totals->>'earnings' AS earnings,
           s.run_id, s.statement_no, s.currency,
           (SELECT array_agg(c.value->>'id' ORDER BY c.ordinality)
              FROM comp_plan_versions v, jsonb_array_elements(v.document->'components') WITH ORDINALITY c
             WHERE v.plan_id = s.plan_id AND v.version = s.plan_version) AS component_ids,
           (SELECT jsonb_object_agg(l->>'id', l->>'amount') FROM jsonb_array_elements(s.legacy_lines) l) AS legacy
    FROM comp_statements s
    JOIN comp_runs r ON r.id = s.run_id AND r.status = 'succeeded'
    JOIN comp_closed_periods c ON c.period = s.period AND s.run_id <= c.run_id
    WHERE s.period = ANY(${[...periods]}::text[])
    ORDER BY s.period, s.payee, s.run_id DESC
  `.execute(db);
  const result = rows.rows.map((r) => ({
    payee: r.payee,
    period: r.period,
    planId: r.plan_id,
    earnings: r.earnings,
    lines: r.legacy ?? ({} as Record<string, string>),
  }));
  // lines of statements stored as rows, one query per run
  const byRun = new Map<number, number[]>();
  rows.rows.forEach((r, i) => {
    if (r.statement_no === null) return;
    let list = byRun.get(r.run_id);
    if (!list) byRun.set(r.run_id, (list = []));
    list.push(i);
  });
  for (const [runId, indexes] of byRun) {
    const position = new Map(indexes.map((i) => [rows.rows[i]!.statement_no!, i]));
    const lines = await sql<{
      statement_no: number;
      component: number | null;
      transaction_key: string | null;
      line_id: string | null;
      amount_minor: number | string;
    }>`
      SELECT statement_no, component, transaction_key, line_id, amount_minor FROM comp_statement_lines
      WHERE run_id = ${runId} AND statement_no = ANY(${[...position.keys()]}::int[])
    `.execute(db);
    for (const l of lines.rows) {
      const i = position.get(l.statement_no)!;
      const r = rows.rows[i]!;
      const id = l.line_id ?? `${r.component_ids?.[l.component ?? -1] ?? ''}:${l.transaction_key}`;
      result[i]!.lines[id] = minorToDecimal(Number(l.amount_minor), currencyDigits(r.currency));
    }
  }
  return result;
}

/**
 * What each payee owed at the end of one period (the balance their statement carried, and the
 * recoverable draw part of it), for the next fiscal year's opening balances: the statement the
 * period closed with when it is closed, else the latest succeeded run's (`closed: false`).
 * Statements stored before `drawOwed` existed read as owing no draw.
 */
export async function loadClosingBalances(
  db: Kysely<Database>,
  period: string,
  payees: readonly string[],
): Promise<
  {
    payee: string;
    planId: string;
    currency: string;
    balanceCarried: string;
    drawOwed: string;
    closed: boolean;
  }[]
> {
  if (payees.length === 0) return [];
  const rows = await sql<{
    payee: string;
    plan_id: string;
    currency: string;
    balance: string | null;
    draw_owed: string | null;
    closed: boolean;
  }>`
    SELECT DISTINCT ON (s.payee) s.payee, s.plan_id, s.currency,
           s.totals->>'balanceCarried' AS balance, s.totals->>'drawOwed' AS draw_owed,
           (c.period IS NOT NULL) AS closed
    FROM comp_statements s
    JOIN comp_runs r ON r.id = s.run_id AND r.status = 'succeeded'
    LEFT JOIN comp_closed_periods c ON c.period = s.period
    WHERE s.period = ${period} AND s.payee = ANY(${[...payees]}::text[])
      AND (c.run_id IS NULL OR s.run_id <= c.run_id)
    ORDER BY s.payee, s.run_id DESC
  `.execute(db);
  return rows.rows.map((r) => ({
    payee: r.payee,
    planId: r.plan_id,
    currency: r.currency,
    balanceCarried: r.balance ?? '0',
    drawOwed: r.draw_owed ?? '0',
    closed: r.closed,
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
