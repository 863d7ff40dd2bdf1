import { sql, type Kysely } from 'kysely';
import type { FiscalPeriod } from '../domain/calendar/fiscal-calendar.ts';
import type { QuotaRecord } from '../domain/records.ts';
import type { Database } from './schema.ts';
import { unnestSource } from './upsert-by-key.ts';
import type { EntityCounts, UnknownReference } from './record-writer.ts';

/** Stores the fiscal calendar's periods; existing ones are kept (they may be closed). */
export async function savePeriods(db: Kysely<Database>, periods: FiscalPeriod[]): Promise<void> {
  if (periods.length === 0) return;
  const rows = periods.map((p) => ({
    kind: p.kind,
    fiscal_year: p.fiscalYear,
    number: p.number,
    label: p.label,
    starts_on: p.startsOn,
    ends_on: p.endsOn,
  }));
  await sql`
    INSERT INTO periods (kind, fiscal_year, number, label, starts_on, ends_on)
    SELECT * FROM unnest(${unnestSource(
      [
        { name: 'kind', type: 'text' },
        { name: 'fiscal_year', type: 'integer' },
        { name: 'number', type: 'integer' },
        { name: 'label', type: 'text' },
        { name: 'starts_on', type: 'date' },
        { name: 'ends_on', type: 'date' },
      ],
      rows,
    )})
    ON CONFLICT (kind, starts_on) DO NOTHING`.execute(db);
}

/**
 * Quotas per position, period and measure. A changed target is updated and the change kept in
 * quota_changes with its method, so a quota's history is never lost.
 */
export async function writeQuotas(
  db: Kysely<Database>,
  records: QuotaRecord[],
  now: string,
  onUnknown: (ref: UnknownReference | { entity: 'periods'; key: string }, index: number) => void,
): Promise<EntityCounts> {
  const counts = { inserted: 0, updated: 0, unchanged: 0 };
  if (records.length === 0) return counts;
  const positions = await sql<{ id: number; external_key: string }>`
    SELECT id, external_key FROM positions WHERE external_key = ANY(${[...new Set(records.map((r) => r.positionRef))]}::text[])`.execute(
    db,
  );
  const positionIds = new Map(positions.rows.map((p) => [p.external_key, p.id]));
  const periods = await sql<{ id: number; kind: string; starts_on: string }>`
    SELECT id, kind, starts_on FROM periods WHERE starts_on = ANY(${[...new Set(records.map((r) => r.periodStartsOn))]}::date[])`.execute(
    db,
  );
  const periodIds = new Map(periods.rows.map((p) => [`${p.kind}|${p.starts_on}`, p.id]));
  type Wanted = {
    positionId: number;
    periodId: number;
    measure: string;
    target: string;
    currency: string | null;
  };
  const wanted: Wanted[] = [];
  for (const [index, r] of records.entries()) {
    const positionId = positionIds.get(r.positionRef);
    const periodId = periodIds.get(`${r.periodKind}|${r.periodStartsOn}`);
    if (positionId === undefined) onUnknown({ entity: 'people', key: r.positionRef }, index);
    else if (periodId === undefined)
      onUnknown({ entity: 'periods', key: `${r.periodKind} starting ${r.periodStartsOn}` }, index);
    else wanted.push({ positionId, periodId, measure: r.measure, target: r.target, currency: r.currency });
  }
  if (wanted.length === 0) return counts;
  const existing = await sql<{
    id: number;
    position_id: number;
    period_id: number;
    measure: string;
    target: string;
  }>`
    SELECT q.id, q.position_id, q.period_id, q.measure, q.target::text AS target
    FROM quotas q JOIN unnest(${wanted.map((w) => w.positionId)}::int8[], ${wanted.map((w) => w.periodId)}::int8[], ${wanted.map((w) => w.measure)}::text[])
      AS w(position_id, period_id, measure) USING (position_id, period_id, measure)`.execute(db);
  const byKey = new Map(existing.rows.map((e) => [`${e.position_id}|${e.period_id}|${e.measure}`, e]));
  const inserts: Wanted[] = [];
  const updates: { id: number; old: string; target: string }[] = [];
  for (const w of wanted) {
    const current = byKey.get(`${w.positionId}|${w.periodId}|${w.measure}`);
    if (!current) inserts.push(w);
    // numeric text compares exactly once both sides are normalised by the database's ::numeric
    else if (!(await sameNumeric(db, current.target, w.target)))
      updates.push({ id: current.id, old: current.target, target: w.target });
    else counts.unchanged++;
  }
  if (inserts.length > 0) {
    const inserted = await sql<{ id: number; target: string }>`
      INSERT INTO quotas (position_id, period_id, measure, target, currency, method)
      SELECT p, q, m, t::numeric, c, 'manual' FROM unnest(${inserts.map((w) => w.positionId)}::int8[], ${inserts.map((w) => w.periodId)}::int8[],
        ${inserts.map((w) => w.measure)}::text[], ${inserts.map((w) => w.target)}::text[], ${inserts.map((w) => w.currency)}::text[]) AS x(p, q, m, t, c)
      RETURNING id, target::text AS target`.execute(db);
    await sql`INSERT INTO quota_changes (quota_id, changed_at, old_target, new_target, method, reason)
      SELECT id, ${now}, NULL, t::numeric, 'manual', 'imported' FROM unnest(${inserted.rows.map((r) => r.id)}::int8[], ${inserted.rows.map((r) => r.target)}::text[]) AS x(id, t)`.execute(
      db,
    );
    counts.inserted += inserts.length;
  }
  if (updates.length > 0) {
    await sql`UPDATE quotas SET target = x.t::numeric, updated_at = ${now}
      FROM unnest(${updates.map((u) => u.id)}::int8[], ${updates.map((u) => u.target)}::text[]) AS x(id, t) WHERE quotas.id = x.id`.execute(
      db,
    );
    await sql`INSERT INTO quota_changes (quota_id, changed_at, old_target, new_target, method, reason)
      SELECT id, ${now}, o::numeric, t::numeric, 'manual', 'imported'
      FROM unnest(${updates.map((u) => u.id)}::int8[], ${updates.map((u) => u.old)}::text[], ${updates.map((u) => u.target)}::text[]) AS x(id, o, t)`.execute(
      db,
    );
    counts.updated += updates.length;
  }
  return counts;
}

/** Exact decimal equality of two numeric texts ("100" = "100.0000"), without binary floats. */
async function sameNumeric(_db: Kysely<Database>, a: string, b: string): Promise<boolean> {
  const norm = (t: string) => {
    const [whole = '0', fraction = ''] = t.split('.');
    return `${whole.replace(/^0+(?=\d)/, '')}.${fraction.replace(/0+$/, '')}`;
  };
  return norm(a) === norm(b);
}
