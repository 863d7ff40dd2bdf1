import { sql, type Kysely } from 'kysely';
import type {
  QuotaInput,
  ReportingInput,
  TerritoryInput,
  TransactionInput,
} from '../../domain/comp/comp-types.ts';
import { currencyDigits, ppmToDecimal } from '../../domain/comp/exact-money.ts';
import { minorToDecimal } from '../../domain/money.ts';
import type { Database } from '../schema.ts';

/**
 * Reads what a compensation run credits and measures from the foundation's tables and the
 * crediting tables of 0003-comp, as the engine's input rows (comp-types.ts). Payees are people,
 * named by their external key.
 */

export type PlanPayeeRow = {
  planId: string;
  personId: number;
  key: string;
  name: string;
  email: string | null;
  role: string;
  targetIncentiveMinor: number | null;
  payMix: string | null;
  /** The assignment and the holding, intersected and clipped to the period asked for. */
  from: string;
  to: string | null;
};

/**
 * The people each plan pays in [startsOn, endsOn]: the holders of the positions assigned to it, on
 * the days both the assignment and the holding ran.
 */
export async function loadPlanPayees(
  db: Kysely<Database>,
  startsOn: string,
  endsOn: string,
): Promise<PlanPayeeRow[]> {
  const rows = await sql<{
    plan_id: string;
    person_id: number;
    external_key: string;
    name: string;
    email: string | null;
    role: string;
    target_incentive_minor: number | null;
    pay_mix: string | null;
    from_day: string;
    to_day: string | null;
  }>`
    SELECT a.plan_id, pe.id AS person_id, pe.external_key, pe.name, pe.email, pos.role,
           a.target_incentive_minor, a.pay_mix,
           GREATEST(a.valid_from, h.valid_from) AS from_day, LEAST(a.valid_to, h.valid_to) AS to_day
    FROM comp_plan_assignments a
    JOIN positions pos ON pos.id = a.position_id
    JOIN position_holders h ON h.position_id = a.position_id
    JOIN people pe ON pe.id = h.person_id
    WHERE a.valid_from <= ${endsOn}::date AND (a.valid_to IS NULL OR a.valid_to > ${startsOn}::date)
      AND h.valid_from <= ${endsOn}::date AND (h.valid_to IS NULL OR h.valid_to > ${startsOn}::date)
      AND GREATEST(a.valid_from, h.valid_from) < COALESCE(LEAST(a.valid_to, h.valid_to), 'infinity'::date)
    ORDER BY a.plan_id, pe.external_key, from_day
  `.execute(db);
  return rows.rows.map((r) => ({
    planId: r.plan_id,
    personId: r.person_id,
    key: r.external_key,
    name: r.name,
    email: r.email,
    role: r.role,
    targetIncentiveMinor: r.target_incentive_minor,
    payMix: r.pay_mix,
    from: r.from_day,
    to: r.to_day,
  }));
}

type TransactionRow = {
  id: number;
  external_key: string;
  name: string | null;
  closed_on: string;
  owner_key: string;
  amount_minor: number | bigint;
  gross_margin_bps: number | null;
  deal_type: string | null;
  product_key: string | null;
  product_family: string | null;
  segment: string | null;
  account_key: string | null;
  account_name: string | null;
  cancelled_on: string | null;
  splits: { payee: string; kind: 'split' | 'overlay'; share_ppm: number }[] | null;
  /** Amounts as text: exact whatever their size. */
  collections: { paid_on: string; amount_minor: string }[] | null;
};

/** Turns one won deal into the engine's transaction. */
function transactionOf(r: TransactionRow, digits: number): TransactionInput {
  const splits = (r.splits ?? []).filter((s) => s.kind === 'split');
  const overlays = (r.splits ?? []).filter((s) => s.kind === 'overlay');
  return {
    id: r.external_key,
    name: r.name ?? r.external_key,
    date: r.closed_on,
    owner: r.owner_key,
    amount: minorToDecimal(r.amount_minor, digits),
    ...(r.gross_margin_bps !== null
      ? { margin_pct: canonicalDecimal(minorToDecimal(r.gross_margin_bps, 2)) }
      : {}),
    ...(r.deal_type ? { type: r.deal_type } : {}),
    ...(r.product_key ? { product: r.product_key } : {}),
    ...(r.product_family ? { product_family: r.product_family } : {}),
    ...(r.segment ? { segment: r.segment } : {}),
    ...(r.account_key ? { account: r.account_key } : {}),
    ...(r.account_name ? { account_name: r.account_name } : {}),
    ...(r.cancelled_on ? { cancelled_on: r.cancelled_on } : {}),
    ...(splits.length > 0
      ? { splits: splits.map((s) => ({ payee: s.payee, share: ppmToDecimal(s.share_ppm) })) }
      : {}),
    ...(overlays.length > 0
      ? { overlays: overlays.map((s) => ({ payee: s.payee, share: ppmToDecimal(s.share_ppm) })) }
      : {}),
    ...(r.collections && r.collections.length > 0
      ? {
          collections: r.collections.map((c) => ({
            date: c.paid_on,
            amount: minorToDecimal(BigInt(c.amount_minor), digits),
          })),
        }
      : {}),
  };
}

/**
 * Deals as the engine's transactions: a won deal is dated by its close, an open one (for the
 * estimator) by its expected close; an open deal without an amount counts as zero. With
 * `collectedBy`, each carries the cash collected on it up to that day: the payments, in the deal's
 * currency, of the invoices that name it, by day.
 */
function transactionQuery(db: Kysely<Database>, where: ReturnType<typeof sql>, collectedBy?: string) {
  const collections =
    collectedBy === undefined
      ? sql`NULL::json`
      : sql`(SELECT json_agg(json_build_object('paid_on', p.paid_on, 'amount_minor', p.amount_minor::text)
                            ORDER BY p.paid_on, p.id)
              FROM invoices i JOIN payments p ON p.invoice_id = i.id
             WHERE i.opportunity_id = o.id AND p.currency = o.currency AND p.paid_on <= ${collectedBy}::date)`;
  return sql<TransactionRow & { currency: string; owner_person_id: number }>`
    SELECT o.id, o.external_key, o.name, COALESCE(o.closed_on, o.close_on) AS closed_on,
           pe.external_key AS owner_key, COALESCE(o.amount_minor, 0) AS amount_minor,
           o.gross_margin_bps, o.deal_type, pr.external_key AS product_key, pr.family AS product_family,
           a.segment, a.external_key AS account_key, a.name AS account_name, o.currency, o.owner_person_id,
           o.cancelled_on,
           (SELECT json_agg(json_build_object('payee', sp.external_key, 'kind', s.kind, 'share_ppm', s.share_ppm)
                            ORDER BY s.kind, sp.external_key)
              FROM opportunity_splits s JOIN people sp ON sp.id = s.person_id
             WHERE s.opportunity_id = o.id) AS splits,
           ${collections} AS collections
    FROM opportunities o
    JOIN people pe ON pe.id = o.owner_person_id
    LEFT JOIN products pr ON pr.id = o.product_id
    LEFT JOIN accounts a ON a.id = o.account_id
    WHERE ${where}
    ORDER BY o.closed_on, o.external_key
  `.execute(db);
}

/**
 * Won deals in a currency closed in [fromDay, toDay] (and those of `alsoIds`, closed earlier),
 * ordered by (day, id) as the engine takes them, each with its cancellation day and, with
 * `collections`, the cash collected on it up to `toDay`.
 */
export async function loadWonTransactions(
  db: Kysely<Database>,
  fromDay: string,
  toDay: string,
  currency: string,
  options: { alsoIds?: readonly number[]; collections?: boolean } = {},
): Promise<{ transactions: TransactionInput[]; otherCurrency: number }> {
  const digits = currencyDigits(currency);
  const alsoIds = [...(options.alsoIds ?? [])];
  const rows = await transactionQuery(
    db,
    sql`o.is_won AND o.amount_minor IS NOT NULL AND o.owner_person_id IS NOT NULL AND o.currency = ${currency}
        AND (o.closed_on BETWEEN ${fromDay}::date AND ${toDay}::date OR o.id = ANY(${alsoIds}::bigint[]))`,
    options.collections ? toDay : undefined,
  );
  return {
    transactions: rows.rows.map((r) => transactionOf(r, digits)),
    otherCurrency: await countOtherCurrencyDeals(db, fromDay, toDay, currency),
  };
}

/** Won deals closed in [fromDay, toDay] in another currency than `currency` (a plan does not credit them). */
export async function countOtherCurrencyDeals(
  db: Kysely<Database>,
  fromDay: string,
  toDay: string,
  currency: string,
): Promise<number> {
  const other = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM opportunities o
    WHERE o.is_won AND o.closed_on BETWEEN ${fromDay}::date AND ${toDay}::date AND o.currency <> ${currency}
  `.execute(db);
  return Number(other.rows[0]?.n ?? 0);
}

/**
 * Payments up to `toDay` on won deals in `currency` closed in [fromDay, toDay] that are in another
 * currency than the deal's: they are not counted as cash collected.
 */
export async function countOtherCurrencyPayments(
  db: Kysely<Database>,
  fromDay: string,
  toDay: string,
  currency: string,
): Promise<number> {
  const other = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM payments p
    JOIN invoices i ON i.id = p.invoice_id JOIN opportunities o ON o.id = i.opportunity_id
    WHERE o.is_won AND o.currency = ${currency} AND o.closed_on BETWEEN ${fromDay}::date AND ${toDay}::date
      AND p.currency <> o.currency AND p.paid_on <= ${toDay}::date
  `.execute(db);
  return Number(other.rows[0]?.n ?? 0);
}

/** One opportunity as a transaction (an open deal for the estimator: dated by its expected close). */
export async function loadOpportunityTransaction(
  db: Kysely<Database>,
  opportunityId: number,
): Promise<{ transaction: TransactionInput; currency: string; ownerPersonId: number } | undefined> {
  const rows = await transactionQuery(
    db,
    sql`o.id = ${opportunityId} AND COALESCE(o.closed_on, o.close_on) IS NOT NULL`,
  );
  const row = rows.rows[0];
  if (!row) return undefined;
  return {
    transaction: transactionOf(row, currencyDigits(row.currency)),
    currency: row.currency,
    ownerPersonId: row.owner_person_id,
  };
}

/**
 * The hierarchy as person-level manager links: who reported to whom on which days, from the
 * positions' reporting lines and who held each position (all three effective-dated).
 */
export async function loadReporting(db: Kysely<Database>): Promise<ReportingInput[]> {
  const rows = await sql<{ payee: string; manager: string; from_day: string; to_day: string | null }>`
    SELECT pe.external_key AS payee, me.external_key AS manager,
           GREATEST(r.valid_from, h.valid_from, mh.valid_from) AS from_day,
           LEAST(r.valid_to, h.valid_to, mh.valid_to) AS to_day
    FROM position_reporting r
    JOIN position_holders h ON h.position_id = r.position_id
    JOIN position_holders mh ON mh.position_id = r.parent_position_id
    JOIN people pe ON pe.id = h.person_id
    JOIN people me ON me.id = mh.person_id
    WHERE r.parent_position_id IS NOT NULL AND h.person_id <> mh.person_id
      AND GREATEST(r.valid_from, h.valid_from, mh.valid_from)
          < COALESCE(LEAST(r.valid_to, h.valid_to, mh.valid_to), 'infinity'::date)
    ORDER BY pe.external_key, from_day, me.external_key
  `.execute(db);
  return rows.rows.map((r) => ({ payee: r.payee, manager: r.manager, from: r.from_day, to: r.to_day }));
}

/**
 * Quotas of the month and quarter periods overlapping [fromDay, toDay], as the engine names them
 * ("2026-06", "2026-Q2"), each given to the person holding the position at the period's end (or
 * last within it).
 */
export async function loadQuotas(
  db: Kysely<Database>,
  fromDay: string,
  toDay: string,
): Promise<QuotaInput[]> {
  const rows = await sql<{ payee: string; period: string; measure: string; target: string }>`
    SELECT pe.external_key AS payee,
           CASE per.kind WHEN 'month' THEN to_char(per.starts_on, 'YYYY-MM')
                         ELSE per.fiscal_year::text || '-Q' || per.number::text END AS period,
           q.measure, q.target::text AS target
    FROM quotas q
    JOIN periods per ON per.id = q.period_id
    JOIN LATERAL (SELECT person_id FROM position_holders h WHERE h.position_id = q.position_id
                  AND h.valid_from <= per.ends_on AND (h.valid_to IS NULL OR h.valid_to > per.starts_on)
                  ORDER BY h.valid_from DESC LIMIT 1) h ON true
    JOIN people pe ON pe.id = h.person_id
    WHERE per.kind IN ('month', 'quarter') AND per.starts_on <= ${toDay}::date AND per.ends_on >= ${fromDay}::date
    ORDER BY per.starts_on, pe.external_key, q.measure
  `.execute(db);
  return rows.rows.map((r) => ({
    payee: r.payee,
    period: r.period,
    measure: r.measure,
    amount: canonicalDecimal(r.target),
  }));
}

/** "40000.0000" → "40000", "1234.5600" → "1234.56". */
function canonicalDecimal(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** Territory owners of accounts. */
export async function loadTerritories(db: Kysely<Database>): Promise<TerritoryInput[]> {
  const rows = await sql<{ account: string; payee: string; valid_from: string; valid_to: string | null }>`
    SELECT a.external_key AS account, pe.external_key AS payee, t.valid_from, t.valid_to
    FROM territory_assignments t
    JOIN accounts a ON a.id = t.account_id
    JOIN people pe ON pe.id = t.person_id
    ORDER BY a.external_key, t.valid_from
  `.execute(db);
  return rows.rows.map((r) => ({ account: r.account, payee: r.payee, from: r.valid_from, to: r.valid_to }));
}

/** A person by external key. */
export async function findPersonByKey(
  db: Kysely<Database>,
  key: string,
): Promise<{ id: number; key: string; name: string; email: string | null } | undefined> {
  const row = await db
    .selectFrom('people')
    .select(['id', 'external_key', 'name', 'email'])
    .where('external_key', '=', key)
    .executeTakeFirst();
  return row ? { id: row.id, key: row.external_key, name: row.name, email: row.email } : undefined;
}

/** A person by id. */
export async function findPersonById(
  db: Kysely<Database>,
  id: number,
): Promise<{ id: number; key: string; name: string; email: string | null } | undefined> {
  const row = await db
    .selectFrom('people')
    .select(['id', 'external_key', 'name', 'email'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? { id: row.id, key: row.external_key, name: row.name, email: row.email } : undefined;
}

/** People by external key (those that exist). */
export async function findPeopleByKeys(
  db: Kysely<Database>,
  keys: readonly string[],
): Promise<Map<string, { id: number; key: string; name: string; email: string | null }>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('people')
    .select(['id', 'external_key', 'name', 'email'])
    .where('external_key', 'in', [...new Set(keys)])
    .execute();
  return new Map(
    rows.map((r) => [r.external_key, { id: r.id, key: r.external_key, name: r.name, email: r.email }]),
  );
}
