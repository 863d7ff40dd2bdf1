import type {
  AdjustmentInput,
  AssignmentInput,
  CompInput,
  LockedPeriodInput,
  OpeningBalanceInput,
  PayeeInput,
} from '../../domain/comp/comp-types.ts';
import { fromDayNumber, toDayNumber } from '../../domain/calendar/day-number.ts';
import { currencyDigits, decimalToMinor, minorToDecimal } from '../../domain/comp/exact-money.ts';
import { parsePlanText } from '../../domain/comp/parse-plan.ts';
import type { PlanDocument } from '../../domain/comp/plan-document.ts';
import { AppError } from '../../domain/errors.ts';
import type { Store } from '../../store/open-database.ts';
import { loadCarriedPay } from '../../store/comp/carried-pay.ts';
import {
  countOtherCurrencyPayments,
  loadPlanPayees,
  loadQuotas,
  loadReporting,
  loadTerritories,
  loadWonTransactions,
  type PlanPayeeRow,
} from '../../store/comp/comp-input-store.ts';
import { planVersionsForPeriod, type PlanVersionRow } from '../../store/comp/comp-plan-store.ts';
import { listAdjustments } from '../../store/comp/comp-dispute-store.ts';
import {
  listClosedPeriods,
  loadClosingBalances,
  loadLockedFigures,
} from '../../store/comp/comp-run-store.ts';
import { compPeriodContaining, yearToDatePeriods, type CompPeriod } from './comp-period.ts';

/** One plan's share of a run: its version, the document, whom it pays, and the engine's input. */
export type PlanRunInput = {
  version: PlanVersionRow;
  plan: PlanDocument;
  /** The payees this plan pays in the period (statements are stored for these). */
  payees: PlanPayeeRow[];
  input: CompInput;
  /** Deals of earlier fiscal years the input's carried pay names (opportunity ids): read with the year's. */
  carriedDealIds: number[];
  /** Whether the deals are read with the cash collected on them (the plan holds until collected). */
  collections: boolean;
};

export type RunInput = {
  period: CompPeriod;
  /** The first day of the fiscal year to date: transactions are read from it to the period's end. */
  yearStart: string;
  plans: PlanRunInput[];
  /** Why something expected is not computed (a plan of another period kind, a payee on two plans). */
  notes: { code: string; message: string; payee?: string }[];
};

/** The engine's id of a stored adjustment (comp_adjustments.id) in a run's input. */
export function adjustmentInputId(adjustmentId: number): string {
  return `adjustment-${adjustmentId}`;
}

/** The id of the line a stored adjustment pays on a statement (the ledger's `adjustment:<input id>`). */
export function adjustmentLineId(adjustmentId: number): string {
  return `adjustment:${adjustmentInputId(adjustmentId)}`;
}

/** Reads a stored plan version again from its source: the document the engine runs. */
export function planOfVersion(version: PlanVersionRow): PlanDocument {
  const { plan, problems } = parsePlanText(version.source);
  if (!plan)
    throw new AppError(
      'validation',
      `Plan ${version.planId} version ${version.version} no longer reads as a valid plan.`,
      problems,
    );
  return { ...plan, version: version.version };
}

/**
 * Everything a run of `period` reads, from the database, per plan: the plan version that applies,
 * its payees (holders of the positions assigned to it), won deals of the fiscal year up to the
 * period's end with their splits and overlays, the periods of the year each payee was on the
 * plan (`assignments`: the other months are context and pay nothing), the hierarchy as
 * person-level manager links, territories, quotas, approved adjustments, and what the fiscal
 * year's closed periods paid. Each
 * deal carries its cancellation day and, when the plan holds pay until collected, the cash
 * collected on it up to the period's end. For a plan with a clawback or a hold, deals won before
 * the year that it can still act on come too, with what their earlier statements paid
 * (`carried`, store/comp/carried-pay.ts). What a payee still owed at the end of the previous
 * fiscal year (its last period's statement: a recoverable draw, a negative balance) opens the year
 * (`opening`), whichever plan paid them then. `onlyPayees` narrows whose statements are computed.
 * Without `transactions`, the inputs carry none: a run streams them into the engine's columns
 * (run-columns.ts).
 */
export async function loadRunInput(
  store: Store,
  period: CompPeriod,
  fiscalYearStartMonth: number,
  onlyPayees?: readonly string[],
  options: { transactions: boolean } = { transactions: true },
): Promise<RunInput> {
  const db = store.db;
  const notes: RunInput['notes'] = [];
  const ytd = yearToDatePeriods(period, fiscalYearStartMonth);
  const yearStart = ytd[0]!.startsOn;
  const labels = ytd.map((p) => p.label);
  const [versions, yearPayeeRows, reporting, territories, quotas, closed] = await Promise.all([
    planVersionsForPeriod(db, period.startsOn, period.endsOn),
    // the year's assignments: a payee's earlier months on the plan are paid by it too (year caps)
    loadPlanPayees(db, yearStart, period.endsOn),
    loadReporting(db),
    loadTerritories(db),
    loadQuotas(db, yearStart, period.endsOn),
    listClosedPeriods(db),
  ]);
  const closedLabels = new Set(closed.map((c) => c.period));
  const lockedLabels = labels.filter((l) => closedLabels.has(l) && l !== period.label);
  const [adjustments, locked] = await Promise.all([
    listAdjustments(db, { periods: labels }),
    loadLockedFigures(db, lockedLabels),
  ]);

  // A payee is paid by one plan in a period: the assignment that runs last in it wins.
  const planOf = paidByPeriod(yearPayeeRows, period, (previous, row) =>
    notes.push({
      code: 'several_plans',
      payee: row.key,
      message: `${row.name} is assigned to plans ${previous.planId} and ${row.planId} in ${period.label}; the later assignment is used.`,
    }),
  );
  // The same for every period of the year to date: the periods each payee is on each plan.
  const planInPeriod = ytd.map((p) => (p.label === period.label ? planOf : paidByPeriod(yearPayeeRows, p)));
  const wanted = onlyPayees ? new Set(onlyPayees) : undefined;
  // Balances owed cross the fiscal year: the previous year's last statement of each payee.
  const previousYearEnd = compPeriodContaining(
    period.kind,
    fromDayNumber(toDayNumber(yearStart) - 1),
    fiscalYearStartMonth,
  );
  const closing = await loadClosingBalances(
    db,
    previousYearEnd.label,
    [...planOf.keys()].filter((k) => !wanted || wanted.has(k)),
  );
  const everybody: PayeeInput[] = [...planOf.values()].map((p) => ({
    id: p.key,
    name: p.name,
    role: p.role,
  }));

  const transactionsByCurrency = new Map<string, Awaited<ReturnType<typeof loadWonTransactions>>>();
  const notedCurrencies = new Set<string>();
  const plans: PlanRunInput[] = [];
  for (const version of versions) {
    const payees = [...planOf.values()].filter(
      (p) => p.planId === version.planId && (!wanted || wanted.has(p.key)),
    );
    if (payees.length === 0) continue;
    if (version.period !== period.kind) {
      notes.push({
        code: 'other_period_kind',
        message: `Plan ${version.planId} pays by ${version.period}; run a ${version.period} to compute it.`,
      });
      continue;
    }
    const plan = planOfVersion(version);
    const keys = new Set(payees.map((p) => p.key));
    // Cancellations and cash of deals won before the year: what their statements paid is carried.
    const carriedPay = await loadCarriedPay(db, {
      plan,
      yearStart,
      toDay: period.endsOn,
      fiscalYearStartMonth,
      payees: [...keys],
    });
    const collections = plan.hold?.until === 'collected';
    const loadKey = `${plan.currency}|${collections}|${carriedPay.dealIds.join(',')}`;
    let loaded = transactionsByCurrency.get(loadKey);
    if (!loaded && !options.transactions) loaded = { transactions: [], otherCurrency: 0 };
    if (!loaded) {
      loaded = await loadWonTransactions(db, yearStart, period.endsOn, plan.currency, {
        alsoIds: carriedPay.dealIds,
        collections,
      });
      transactionsByCurrency.set(loadKey, loaded);
      if (loaded.otherCurrency > 0 && !notedCurrencies.has(plan.currency))
        notes.push({
          code: 'other_currency',
          message: `${loaded.otherCurrency} won deals of the year are not in ${plan.currency} and are not credited by plan ${plan.id}.`,
        });
      notedCurrencies.add(plan.currency);
    }
    if (collections) {
      const foreign = await countOtherCurrencyPayments(db, yearStart, period.endsOn, plan.currency);
      if (foreign > 0)
        notes.push({
          code: 'other_currency_payments',
          message: `${foreign} payments on won deals in ${plan.currency} are in another currency and are not counted as cash collected by plan ${plan.id}.`,
        });
    }
    const digits = currencyDigits(plan.currency);
    const planAdjustments: AdjustmentInput[] = adjustments
      .filter((a) => keys.has(a.payee) && a.currency === plan.currency)
      .map((a) => ({
        id: adjustmentInputId(a.id),
        payee: a.payee,
        period: a.period,
        amount: minorToDecimal(a.amountMinor, digits),
        reason: a.reason,
        approver: a.approver,
      }));
    // What this plan paid in the closed periods: a period another plan paid (the payee moved to
    // this plan since) is that plan's to correct, not this one's (docs/plans.md "The ledger", closed periods).
    const planLocked: LockedPeriodInput[] = locked
      .filter((l) => keys.has(l.payee) && l.planId === version.planId)
      .map((l) => ({ payee: l.payee, period: l.period, earnings: l.earnings, lines: l.lines }));
    const opening: OpeningBalanceInput[] = [];
    let provisional = 0;
    for (const c of closing) {
      if (!keys.has(c.payee)) continue;
      if (c.currency !== plan.currency) {
        notes.push({
          code: 'opening_other_currency',
          payee: c.payee,
          message: `${c.payee}'s balance carried from ${previousYearEnd.label} is in ${c.currency}, not ${plan.currency}; it is not carried into plan ${plan.id}.`,
        });
        continue;
      }
      const balance = decimalToMinor(c.balanceCarried, digits);
      if (balance <= 0) continue;
      const drawOwed = Math.min(balance, Math.max(0, decimalToMinor(c.drawOwed, digits)));
      if (!c.closed) provisional++;
      opening.push({
        payee: c.payee,
        ...(drawOwed > 0 ? { draw_owed: minorToDecimal(drawOwed, digits) } : {}),
        ...(balance > drawOwed ? { balance_owed: minorToDecimal(balance - drawOwed, digits) } : {}),
        since: previousYearEnd.label,
      });
    }
    if (provisional > 0)
      notes.push({
        code: 'opening_not_closed',
        message: `${provisional} balance${provisional === 1 ? '' : 's'} carried into plan ${plan.id} come from the latest run of ${previousYearEnd.label}, which is not closed: closing it fixes them.`,
      });
    // Every period of the year the payee was on this plan is assigned (docs/plans.md "The ledger":
    // the other months are context and pay nothing, so a year cap counts the months paid here).
    const assignments: AssignmentInput[] = payees.flatMap((p) =>
      assignedRanges(ytd, planInPeriod, p.key, version.planId).map((a) => ({
        payee: p.key,
        from: a.from,
        to: a.to,
        ...(a.row.targetIncentiveMinor !== null
          ? { target_incentive: minorToDecimal(a.row.targetIncentiveMinor, digits) }
          : {}),
        ...(a.row.payMix ? { pay_mix: a.row.payMix } : {}),
      })),
    );
    plans.push({
      version,
      plan,
      payees,
      input: {
        currency: plan.currency,
        fiscalYearStartMonth,
        periods: labels,
        payees: everybody,
        reporting,
        territories,
        transactions: loaded.transactions,
        quotas,
        adjustments: planAdjustments,
        assignments,
        locked: planLocked,
        ...(carriedPay.carried.length > 0 ? { carried: carriedPay.carried } : {}),
        ...(opening.length > 0 ? { opening } : {}),
      },
      carriedDealIds: carriedPay.dealIds,
      collections,
    });
  }
  return { period, yearStart, plans, notes };
}

/**
 * The assignment that pays each payee in `period`: of those overlapping it, the one that starts
 * last (on the same day, the later row). `onSeveral` hears of a payee on two plans in it.
 */
function paidByPeriod(
  rows: readonly PlanPayeeRow[],
  period: CompPeriod,
  onSeveral?: (previous: PlanPayeeRow, row: PlanPayeeRow) => void,
): Map<string, PlanPayeeRow> {
  const planOf = new Map<string, PlanPayeeRow>();
  for (const row of rows) {
    if (row.from > period.endsOn || (row.to !== null && row.to <= period.startsOn)) continue;
    const previous = planOf.get(row.key);
    if (previous && previous.planId !== row.planId) onSeveral?.(previous, row);
    if (!previous || row.from >= previous.from) planOf.set(row.key, row);
  }
  return planOf;
}

/**
 * The day ranges a payee is on a plan over the year to date: the winning assignment of each
 * period, cut to the period (`to` is the first day without it), consecutive pieces of one
 * assignment joined.
 */
function assignedRanges(
  ytd: readonly CompPeriod[],
  planInPeriod: readonly Map<string, PlanPayeeRow>[],
  payee: string,
  planId: string,
): { from: string; to: string | null; row: PlanPayeeRow }[] {
  const ranges: { from: string; to: string | null; row: PlanPayeeRow }[] = [];
  ytd.forEach((p, i) => {
    const row = planInPeriod[i]!.get(payee);
    if (!row || row.planId !== planId) return;
    const from = row.from > p.startsOn ? row.from : p.startsOn;
    const periodEnd = fromDayNumber(toDayNumber(p.endsOn) + 1);
    const last = i === ytd.length - 1;
    // the run's period keeps the assignment's own end (open, or later than the period)
    const to = last ? row.to : row.to !== null && row.to < periodEnd ? row.to : periodEnd;
    const previous = ranges[ranges.length - 1];
    if (previous && previous.row === row && previous.to === from) previous.to = to;
    else ranges.push({ from, to, row });
  });
  return ranges;
}
