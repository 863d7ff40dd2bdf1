import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { toDayNumber } from '../../domain/calendar/day-number.ts';
import { CompColumnsBuilder, type CompColumns } from '../../domain/comp/comp-columns.ts';
import { decimalToMinor } from '../../domain/comp/exact-money.ts';
import { marginMinor } from '../../domain/metrics/exact-arithmetic.ts';
import { fingerprintOf } from '../../domain/comp/fingerprint.ts';
import type { Store } from '../../store/open-database.ts';
import { loadSplitsOfWonDeals, streamWonDeals } from '../../store/comp/comp-input-store.ts';
import type { PlanRunInput } from './run-input.ts';

const dayOf = (text: string | null | undefined): number | undefined =>
  text === null || text === undefined ? undefined : toDayNumber(text);

/**
 * The engine's columns for one plan of a run, built row by row (CompColumnsBuilder): the small
 * inputs (payees, hierarchy, territories, quotas, adjustments, closed periods, assignments) from
 * the plan's input, and the won deals of the fiscal year to date streamed from the database in
 * pages, already in the engine's order, with no per-deal objects kept. The input fingerprint
 * hashes the same rows as they are read.
 */
export async function buildRunColumns(
  store: Store,
  planInput: PlanRunInput,
  fromDay: string,
  toDay: string,
): Promise<{ columns: CompColumns; inputFingerprint: string; transactions: number }> {
  const { plan, input } = planInput;
  const builder = new CompColumnsBuilder({
    currency: plan.currency,
    fiscalYearStartMonth: input.fiscalYearStartMonth ?? 1,
    ...(input.periods ? { periods: input.periods } : {}),
  });
  const digits = builder.digits;
  const minor = (text: string) => decimalToMinor(text, digits);
  for (const p of input.payees ?? []) builder.payee(p.id, p.name, p.role);
  for (const r of input.reporting ?? [])
    builder.addReporting(r.payee, r.manager, toDayNumber(r.from), dayOf(r.to));
  for (const t of input.territories ?? [])
    builder.addTerritory(t.account, t.payee, toDayNumber(t.from), dayOf(t.to));
  for (const q of input.quotas ?? [])
    builder.addQuota(q.payee, q.period, q.measure, minor(q.amount), dayOf(q.from));
  for (const [i, a] of (input.adjustments ?? []).entries())
    builder.addAdjustment({
      id: a.id ?? `adjustment:${i + 1}`,
      payee: a.payee,
      period: a.period,
      amountMinor: minor(a.amount),
      reason: a.reason,
      approver: a.approver,
    });
  for (const l of input.locked ?? [])
    builder.addLocked(
      l.payee,
      l.period,
      minor(l.earnings),
      l.lines
        ? Object.fromEntries(Object.entries(l.lines).map(([id, amount]) => [id, minor(amount)]))
        : undefined,
    );
  for (const a of input.assignments ?? [])
    builder.addAssignment(a.payee, toDayNumber(a.from ?? fromDay), dayOf(a.to));

  const splits = await loadSplitsOfWonDeals(store.db, fromDay, toDay);
  const hash = sha256.create();
  const transactions = await streamWonDeals(store.db, fromDay, toDay, plan.currency, (row) => {
    const marginPct = row.grossMarginBps === null ? undefined : row.grossMarginBps / 100;
    builder.addTransaction({
      id: row.key,
      name: row.name ?? row.key,
      day: toDayNumber(row.closedOn),
      owner: row.ownerKey,
      amountMinor: row.amountMinor,
      marginMinor: row.grossMarginBps === null ? 0 : marginMinor(row.amountMinor, row.grossMarginBps),
      marginPct: marginPct ?? 0,
      ...(row.dealType ? { type: row.dealType } : {}),
      ...(row.productKey ? { product: row.productKey } : {}),
      ...(row.productFamily ? { productFamily: row.productFamily } : {}),
      ...(row.segment ? { segment: row.segment } : {}),
      ...(row.accountKey ? { account: row.accountKey } : {}),
    });
    const shares = splits.get(row.opportunityId);
    let shareText = '';
    if (shares)
      for (const s of shares) {
        if (s.kind === 'split') builder.addSplit(s.payee, s.sharePpm);
        else builder.addOverlay(s.payee, s.sharePpm);
        shareText += `|${s.kind}:${s.payee}:${s.sharePpm}`;
      }
    hash.update(
      utf8ToBytes(
        `${row.key}|${row.name ?? ''}|${row.closedOn}|${row.ownerKey}|${row.amountMinor}|${row.grossMarginBps ?? ''}|${row.dealType ?? ''}|${row.productKey ?? ''}|${row.productFamily ?? ''}|${row.segment ?? ''}|${row.accountKey ?? ''}${shareText}\n`,
      ),
    );
  });
  const inputFingerprint = fingerprintOf({
    ...input,
    transactions: { count: transactions, sha256: bytesToHex(hash.digest()) },
  });
  return { columns: builder.build(), inputFingerprint, transactions };
}
