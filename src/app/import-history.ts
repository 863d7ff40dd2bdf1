import { AppError } from '../domain/errors.ts';
import type { Store } from '../store/open-database.ts';

export type ImportSummary = {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  status: string;
  mapping: string;
  files: { name: string; rows: number; entity?: string }[];
  summary: unknown;
  warningCount: number;
  errorCount: number;
};

type ImportRow = {
  id: number;
  started_at: string;
  finished_at: string | null;
  status: string;
  mapping: string;
  files: unknown;
  summary: unknown;
  warning_count: number;
  error_count: number;
};

function toSummary(row: ImportRow): ImportSummary {
  const summary = row.summary as {
    files?: { name: string; rows: number; entity: string }[];
    entities?: unknown;
  } | null;
  const files =
    summary?.files ??
    ((row.files as { name: string; entity: string }[]) ?? []).map((f) => ({ ...f, rows: 0 }));
  return {
    id: row.id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: row.status,
    mapping: row.mapping,
    files,
    summary: summary?.entities ?? null,
    warningCount: row.warning_count,
    errorCount: row.error_count,
  };
}

const columns = [
  'id',
  'started_at',
  'finished_at',
  'status',
  'mapping',
  'files',
  'summary',
  'warning_count',
  'error_count',
] as const;

/** Past imports, newest first. */
export async function listImports(
  store: Store,
  page: { limit: number; offset: number },
): Promise<{ imports: ImportSummary[]; total: number }> {
  const rows = await store.db
    .selectFrom('imports')
    .select(columns)
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const total = await store.db
    .selectFrom('imports')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { imports: rows.map((r) => toSummary(r as ImportRow)), total: Number(total.n) };
}

/** One import with its warnings and errors. */
export async function getImportOrThrow(store: Store, id: number) {
  const row = await store.db
    .selectFrom('imports')
    .select([...columns, 'warnings', 'errors'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row)
    throw new AppError('not_found', `No import ${id}.`, [
      { field: 'id', value: String(id), message: 'no such import' },
    ]);
  return { ...toSummary(row as ImportRow), warnings: row.warnings, errors: row.errors };
}

/** Imports still marked running after a restart died with the process: their transaction never committed. */
export async function markInterruptedImports(store: Store, now: string): Promise<number> {
  const result = await store.db
    .updateTable('imports')
    .set({ status: 'interrupted', finished_at: now })
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
