import { createHash } from 'node:crypto';
import { toDayNumber } from '../../domain/calendar/day-number.ts';
import { CompColumnsBuilder, type CompColumns, type TransactionRow } from '../../domain/comp/comp-columns.ts';
import { decimalToMinor } from '../../domain/comp/exact-money.ts';
import { marginMinor } from '../../domain/metrics/exact-arithmetic.ts';
import { fingerprintOf } from '../../domain/comp/fingerprint.ts';
import type { Store } from '../../store/open-database.ts';
import { copyWonDeals } from '../../store/comp/copy-won-deals.ts';
import type { PlanRunInput } from './run-input.ts';

const dayOf = (text: string | null | undefined): number | undefined =>
  text === null || text === undefined ? undefined : toDayNumber(text);

/**
 * The engine's columns for one plan of a run, built row by row (CompColumnsBuilder): the small
 * inputs (payees, hierarchy, territories, quotas, adjustments, closed periods, assignments, opening balances) from
 * the plan's input, and the won deals of the fiscal year to date streamed from the database with
 * binary COPY (copyWonDeals), visited in the engine's order, with no per-deal objects kept: each
 * with its cancellation day and, when the plan holds pay until cash is collected, its collections;
 * the deals of an earlier year the plan's carried pay names come first (they closed earlier). The
 * input fingerprint hashes the same rows in that order (a cancellation and collections only where
 * a deal has them, so the fingerprint of data without them is as before).
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
  for (const c of input.carried ?? [])
    builder.addCarried(c.payee, c.transaction, minor(c.earned), c.held ? minor(c.held) : 0, c.periods);
  for (const o of input.opening ?? [])
    builder.addOpening(
      o.payee,
      o.draw_owed ? minor(o.draw_owed) : 0,
      o.balance_owed ? minor(o.balance_owed) : 0,
      o.since,
    );

  // The same digest as hashing row by row (SHA-256 is a stream), a batch of rows at a time.
  const hash = createHash('sha256');
  const tx: TransactionRow = { id: '', day: 0, owner: '', amountMinor: 0 };
  let batch: string[] = [];
  const transactions = await copyWonDeals(
    store,
    {
      fromDay,
      toDay,
      currency: plan.currency,
      alsoIds: planInput.carriedDealIds,
      collections: planInput.collections,
    },
    (row, shares, collections) => {
      // One row object for every deal (the builder copies its fields): no allocation per deal.
      tx.id = row.key;
      tx.name = row.name ?? row.key;
      tx.day = row.day;
      tx.owner = row.ownerKey;
      tx.amountMinor = row.amountMinor;
      tx.marginMinor = row.grossMarginBps === null ? 0 : marginMinor(row.amountMinor, row.grossMarginBps);
      tx.marginPct = row.grossMarginBps === null ? 0 : row.grossMarginBps / 100;
      tx.type = row.dealType ?? undefined;
      tx.product = row.productKey ?? undefined;
      tx.productFamily = row.productFamily ?? undefined;
      tx.segment = row.segment ?? undefined;
      tx.account = row.accountKey ?? undefined;
      tx.cancelledDay = row.cancelledDay ?? undefined;
      builder.addTransaction(tx);
      let shareText = '';
      for (const s of shares) {
        if (s.kind === 'split') builder.addSplit(s.payee, s.sharePpm);
        else builder.addOverlay(s.payee, s.sharePpm);
        shareText += `|${s.kind}:${s.payee}:${s.sharePpm}`;
      }
      if (row.cancelledOn !== null) shareText += `|cancelled:${row.cancelledOn}`;
      for (const c of collections) {
        builder.addCollection(c.day, c.amountMinor);
        shareText += `|collected:${c.paidOn}:${c.amountMinor}`;
      }
      batch.push(
        `${row.key}|${row.name ?? ''}|${row.closedOn}|${row.ownerKey}|${row.amountMinor}|${row.grossMarginBps ?? ''}|${row.dealType ?? ''}|${row.productKey ?? ''}|${row.productFamily ?? ''}|${row.segment ?? ''}|${row.accountKey ?? ''}${shareText}\n`,
      );
      if (batch.length === 1024) {
        hash.update(batch.join(''), 'utf8');
        batch = [];
      }
    },
  );
  hash.update(batch.join(''), 'utf8');
  const inputFingerprint = fingerprintOf({
    ...input,
    transactions: { count: transactions, sha256: hash.digest('hex') },
  });
  return { columns: builder.build(), inputFingerprint, transactions };
}
