/**
 * Pay carried into a compensation run from before its fiscal year (CarriedDealInput,
 * docs/plans.md "Cancellations and collections in a product run"). A run computes the fiscal year
 * to date; a deal won before the year and cancelled in it, or whose held pay is released in it
 * (cash collected, days elapsed), was paid by statements the run does not compute again. What
 * those statements paid is read back from the store: the current statement of each payee and
 * earlier period (the latest succeeded run's; for a closed period, the run it was closed on), its
 * earnings lines on the deal less any clawback of it (what it paid) and its hold and release lines
 * (what is still held).
 */
import { sql, type Kysely } from 'kysely';
import { toDayNumber } from '../../domain/calendar/day-number.ts';
import type { CarriedDealInput } from '../../domain/comp/comp-types.ts';
import { currencyDigits, decimalToMinor } from '../../domain/comp/exact-money.ts';
import { periodsCovering } from '../../domain/comp/comp-periods.ts';
import type { PlanDocument } from '../../domain/comp/plan-document.ts';
import { minorToDecimal } from '../../domain/money.ts';
import type { Database } from '../schema.ts';
import { lineKindCode } from './statement-lines.ts';

// What a deal paid: its earnings lines, less what an earlier clawback already took back (a
// cancellation moved into a later year is not clawed back twice).
const PAID_KINDS = ['commission', 'bonus', 'spiff', 'retro_adjustment', 'clawback'] as const;
const EARNING_KINDS = PAID_KINDS.map(lineKindCode);
const HOLD_KINDS = (['hold', 'release'] as const).map(lineKindCode);

export type CarriedPay = {
  /** The deals of earlier years the run must read again (their opportunity ids), by close day. */
  dealIds: number[];
  carried: CarriedDealInput[];
};

/**
 * What deals won before `yearStart` paid the payees `payees` (by key), for a plan whose clawback or
 * hold can act on them in [yearStart, toDay]: deals cancelled in that range (within the clawback
 * window, or ending a hold), and, for a hold, deals with cash collected in it (`until: collected`)
 * or whose release day falls in it (`until: days`). Only deals that did pay one of the payees are
 * returned. Amounts are the statements' own (minor units), in the plan's currency.
 */
export async function loadCarriedPay(
  db: Kysely<Database>,
  request: {
    plan: Pick<PlanDocument, 'currency' | 'clawback' | 'hold'>;
    yearStart: string;
    toDay: string;
    fiscalYearStartMonth: number;
    payees: readonly string[];
  },
): Promise<CarriedPay> {
  const { plan, yearStart, toDay } = request;
  const none: CarriedPay = { dealIds: [], carried: [] };
  if ((!plan.clawback && !plan.hold) || request.payees.length === 0) return none;
  const currency = plan.currency;
  const reasons = [];
  if (plan.clawback)
    reasons.push(sql`(o.cancelled_on BETWEEN ${yearStart}::date AND ${toDay}::date
                      AND o.cancelled_on - o.closed_on <= ${plan.clawback.window_days}::int)`);
  if (plan.hold) reasons.push(sql`o.cancelled_on BETWEEN ${yearStart}::date AND ${toDay}::date`);
  if (plan.hold?.until === 'collected')
    reasons.push(sql`EXISTS (SELECT 1 FROM invoices i JOIN payments p ON p.invoice_id = i.id
                             WHERE i.opportunity_id = o.id AND p.currency = o.currency
                               AND p.paid_on BETWEEN ${yearStart}::date AND ${toDay}::date)`);
  if (plan.hold?.until === 'days')
    reasons.push(sql`o.closed_on + ${plan.hold.days}::int >= ${yearStart}::date`);
  const deals = await sql<{ id: number; external_key: string; closed_on: string }>`
    SELECT o.id, o.external_key, o.closed_on FROM opportunities o
    WHERE o.is_won AND o.amount_minor IS NOT NULL AND o.owner_person_id IS NOT NULL
      AND o.currency = ${currency} AND o.closed_on < ${yearStart}::date
      AND (${sql.join(reasons, sql` OR `)})
    ORDER BY o.closed_on, o.external_key
  `.execute(db);
  if (deals.rows.length === 0) return none;

  // The earlier periods of either kind, from the first of these deals to the year's start.
  const fsm = request.fiscalYearStartMonth;
  const first = toDayNumber(deals.rows[0]!.closed_on);
  const last = toDayNumber(yearStart) - 1;
  const labels = [
    ...periodsCovering('month', first, last, fsm),
    ...periodsCovering('quarter', first, last, fsm),
  ].map((p) => p.label);
  const keys = deals.rows.map((d) => d.external_key);
  const current = sql`
    SELECT DISTINCT ON (s.period, s.payee) s.run_id, s.statement_no, s.payee, s.period, s.legacy_lines
    FROM comp_statements s
    JOIN comp_runs r ON r.id = s.run_id AND r.status = 'succeeded'
    LEFT JOIN comp_closed_periods c ON c.period = s.period
    WHERE s.period = ANY(${labels}::text[]) AND s.currency = ${currency}
      AND s.payee = ANY(${[...request.payees]}::text[]) AND (c.run_id IS NULL OR s.run_id <= c.run_id)
    ORDER BY s.period, s.payee, s.run_id DESC`;
  const [stored, legacy] = await Promise.all([
    sql<{ payee: string; deal: string; period: string; earned: string | null; holds: string | null }>`
      WITH current AS (${current})
      SELECT cur.payee, l.transaction_key AS deal, cur.period,
             (sum(l.amount_minor) FILTER (WHERE l.kind = ANY(${EARNING_KINDS}::smallint[])))::text AS earned,
             (sum(l.amount_minor) FILTER (WHERE l.kind = ANY(${HOLD_KINDS}::smallint[])))::text AS holds
      FROM current cur
      JOIN comp_statement_lines l ON l.run_id = cur.run_id AND l.statement_no = cur.statement_no
      WHERE cur.statement_no IS NOT NULL AND l.transaction_key = ANY(${keys}::text[])
      GROUP BY cur.payee, l.transaction_key, cur.period
    `.execute(db),
    // Statements stored before migration 0005 keep their lines as JSON.
    sql<{ payee: string; deal: string; period: string; kind: string; amount: string }>`
      WITH current AS (${current})
      SELECT cur.payee, l->>'transaction' AS deal, cur.period, l->>'kind' AS kind, l->>'amount' AS amount
      FROM current cur, jsonb_array_elements(cur.legacy_lines) l
      WHERE cur.legacy_lines IS NOT NULL AND l->>'transaction' = ANY(${keys}::text[])
    `.execute(db),
  ]);

  const digits = currencyDigits(currency);
  type Sum = { earned: bigint; held: bigint; periods: Set<string> };
  const sums = new Map<string, Sum>();
  const add = (payee: string, deal: string, period: string, earned: bigint, holds: bigint) => {
    const id = `${payee}\u0000${deal}`;
    let sum = sums.get(id);
    if (!sum) sums.set(id, (sum = { earned: 0n, held: 0n, periods: new Set() }));
    sum.earned += earned;
    // hold lines are negative, releases positive: what is still held is minus their sum
    sum.held -= holds;
    if (earned !== 0n) sum.periods.add(period);
  };
  for (const r of stored.rows) add(r.payee, r.deal, r.period, BigInt(r.earned ?? 0), BigInt(r.holds ?? 0));
  const earningKinds = new Set<string>(PAID_KINDS);
  for (const r of legacy.rows) {
    const minor = BigInt(decimalToMinor(r.amount, digits));
    if (earningKinds.has(r.kind)) add(r.payee, r.deal, r.period, minor, 0n);
    else if (r.kind === 'hold' || r.kind === 'release') add(r.payee, r.deal, r.period, 0n, minor);
  }

  const periodOrder = new Map(labels.map((label, i) => [label, i]));
  const paying = new Set<string>();
  const carried: CarriedDealInput[] = [];
  for (const deal of deals.rows)
    for (const payee of [...request.payees].sort()) {
      const sum = sums.get(`${payee}\u0000${deal.external_key}`);
      if (!sum || (sum.earned === 0n && sum.held === 0n)) continue;
      paying.add(deal.external_key);
      carried.push({
        payee,
        transaction: deal.external_key,
        earned: minorToDecimal(sum.earned, digits),
        ...(sum.held !== 0n ? { held: minorToDecimal(sum.held, digits) } : {}),
        periods: [...sum.periods].sort((a, b) => periodOrder.get(a)! - periodOrder.get(b)!),
      });
    }
  return { dealIds: deals.rows.filter((d) => paying.has(d.external_key)).map((d) => d.id), carried };
}
