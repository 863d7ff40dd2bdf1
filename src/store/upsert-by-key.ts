import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

export type ColumnType = 'text' | 'bigint' | 'integer' | 'date' | 'timestamptz' | 'boolean';
export type ColumnSpec = { name: string; type: ColumnType };
export type TableSpec = { table: keyof Database & string; columns: ColumnSpec[] };

export type Row = Record<string, string | number | boolean | null>;

export type UpsertResult = {
  inserted: { key: string; id: number }[];
  updated: { key: string; id: number; before: Row; after: Row }[];
  unchanged: number;
};

const cast: Record<ColumnType, string> = {
  text: 'text',
  bigint: 'int8',
  integer: 'int4',
  date: 'date',
  timestamptz: 'timestamptz',
  boolean: 'bool',
};

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe identifier ${name}`);
  return `"${name}"`;
}

/** `unnest($1::text[], $2::int8[], ...)`: one round trip for a whole batch, any number of rows. */
export function unnestSource(columns: ColumnSpec[], rows: Row[]) {
  const arrays = columns.map((c) => rows.map((r) => r[c.name] ?? null));
  return sql.join(arrays.map((values, i) => sql`${values}::${sql.raw(cast[columns[i]!.type])}[]`));
}

/**
 * Inserts rows whose `external_key` is new, updates those whose values differ, leaves the rest:
 * re-importing the same data changes nothing. Rows must have distinct keys.
 */
export async function upsertByKey(
  db: Kysely<Database>,
  spec: TableSpec,
  rows: (Row & { external_key: string })[],
  /** Columns written on insert and update but never compared (the import that wrote a row). */
  stamp: { columns: ColumnSpec[]; values: Row } = { columns: [], values: {} },
): Promise<UpsertResult> {
  const result: UpsertResult = { inserted: [], updated: [], unchanged: 0 };
  if (rows.length === 0) return result;
  const table = quoteIdent(spec.table);
  const columnList = sql.raw(spec.columns.map((c) => quoteIdent(c.name)).join(', '));
  const keys = rows.map((r) => r.external_key);
  const existing = await sql<Row & { id: number; external_key: string }>`
    SELECT id, external_key, ${columnList} FROM ${sql.raw(table)} WHERE external_key = ANY(${keys}::text[])`.execute(
    db,
  );
  const byKey = new Map(existing.rows.map((r) => [r.external_key, r]));
  const toInsert: Row[] = [];
  const toUpdate: { id: number; key: string; before: Row; after: Row }[] = [];
  for (const row of rows) {
    const current = byKey.get(row.external_key);
    if (!current) {
      toInsert.push(row);
      continue;
    }
    let differs = false;
    for (const c of spec.columns) {
      if ((current[c.name] ?? null) !== (row[c.name] ?? null)) {
        differs = true;
        break;
      }
    }
    if (differs) toUpdate.push({ id: current.id, key: row.external_key, before: current, after: row });
    else result.unchanged++;
  }
  const stampList = stamp.columns.map((c) => `, ${quoteIdent(c.name)}`).join('');
  if (toInsert.length > 0) {
    const columns: ColumnSpec[] = [{ name: 'external_key', type: 'text' }, ...spec.columns, ...stamp.columns];
    const stamped = stamp.columns.length > 0 ? toInsert.map((r) => ({ ...r, ...stamp.values })) : toInsert;
    const inserted = await sql<{ id: number; external_key: string }>`
      INSERT INTO ${sql.raw(table)} (external_key, ${columnList}${sql.raw(stampList)})
      SELECT * FROM unnest(${unnestSource(columns, stamped)})
      RETURNING id, external_key`.execute(db);
    result.inserted = inserted.rows.map((r) => ({ key: r.external_key, id: r.id }));
  }
  if (toUpdate.length > 0) {
    const written = [...spec.columns, ...stamp.columns];
    const columns: ColumnSpec[] = [{ name: 'id', type: 'bigint' }, ...written];
    const assignments = sql.raw(
      written.map((c) => `${quoteIdent(c.name)} = u.${quoteIdent(c.name)}`).join(', '),
    );
    const updateRows = toUpdate.map((u) => ({ ...u.after, ...stamp.values, id: u.id }));
    await sql`
      UPDATE ${sql.raw(table)} AS t SET ${assignments}
      FROM unnest(${unnestSource(columns, updateRows)}) AS u(id, ${sql.raw(written.map((c) => quoteIdent(c.name)).join(', '))})
      WHERE t.id = u.id`.execute(db);
    result.updated = toUpdate;
  }
  return result;
}
