/**
 * The ledger (docs/plans.md "The ledger", issue 6 point 5): turns one payee's earnings per period
 * into what payroll pays. In each period, in this order:
 *
 * 1. earnings: the engine's earnings lines, plus `prior_period_adjustment` lines for closed periods
 *    whose recalculated earnings differ from what was paid when they closed (a closed period's own
 *    figures are the locked ones: the engine never rewrites it);
 * 2. adjustments from the input, each with its reason and approver;
 * 3. clawbacks: a deal cancelled within `window_days` of its day gives back what its earnings lines
 *    paid up to the cancellation period (in full, or prorated by the part of the window not yet
 *    elapsed), in the period containing the cancellation day;
 * 4. holds and releases of deal earnings: `until: collected` pays in proportion to the cash
 *    collected on the deal (computed cumulatively, so rounding never drifts and releases never
 *    exceed what was held); `until: days` pays N days after the deal's day. Bonuses without a deal
 *    are not held;
 * 5. the draw, when earnings are below it: a non-recoverable top-up, or a recoverable advance added
 *    to the balance owed;
 * 6. recovery of what is owed: first a balance carried from a negative period (a clawback or an
 *    adjustment larger than the pay), then the recoverable draw — the latter only in periods without
 *    a draw payment, `start_after_periods` after the first advance, at most `max_share` of the
 *    period's earnings, and never taking net pay below `min_net_pay`;
 * 7. payable = earnings + adjustments + clawbacks + draw − recovered − held + released, never below
 *    zero: a negative remainder is carried as a balance owed and recovered from later pay.
 *
 * Everything is integer minor units; each line is made once and never rounded again.
 */
import { fromDayNumber, toDayNumber } from '../calendar/day-number.ts';
import type { LineKind, LineTrace, PeriodLabel } from './comp-types.ts';
import { applyPpm, divideHalfEvenBig, mulDivHalfEven, ppmToPercent } from './exact-money.ts';
import {
  decimal,
  explainAdjustment,
  explainBalanceRecovery,
  explainClawback,
  explainDraw,
  explainDrawRecovery,
  explainHoldCollected,
  explainHoldDays,
  explainPriorPeriod,
  explainReleaseCancelled,
  explainReleaseCollected,
  explainReleaseDays,
  type LedgerMoney,
} from './explain-ledger.ts';
import type { PlanDocument } from './plan-document.ts';

export type LedgerPeriod = { label: PeriodLabel; firstDay: number; lastDay: number };
export type LedgerEarning = {
  lineId: string;
  kind: LineKind;
  component?: string;
  transaction?: number;
  amountMinor: number;
};
export type LedgerTransaction = {
  id: string;
  name: string;
  day: number;
  amountMinor: number;
  cancelledDay?: number;
  collections: { day: number; amountMinor: number }[];
};
export type LedgerInput = {
  plan: PlanDocument;
  currency: string;
  digits: number;
  payee: string;
  payeeName: string;
  /** In order, not overlapping. */
  periods: LedgerPeriod[];
  /** Index-aligned with periods. */
  earnings: LedgerEarning[][];
  transaction: (index: number) => LedgerTransaction;
  adjustments: { id: string; periodIndex: number; amountMinor: number; reason: string; approver: string }[];
  locked: { periodIndex: number; earningsMinor: number; lines?: Record<string, number> }[];
  /**
   * Balances owed at the start of the first period (carried from before the periods computed):
   * a recoverable draw still owed, and a negative balance (clawbacks, adjustments) still owed.
   */
  opening?: { drawOwedMinor?: number; balanceOwedMinor?: number; balanceOwedSince?: PeriodLabel };
  /**
   * What deals paid this payee before the first period (CarriedDealInput, an earlier fiscal year's
   * statements): a clawback takes it back too, and what was still held is released as cash arrives.
   */
  carried?: {
    transaction: number;
    earnedMinor: number;
    heldMinor: number;
    periods: readonly PeriodLabel[];
  }[];
  /**
   * Index-aligned with periods: whether the payee is assigned to the plan in the period (default:
   * every period). The draw is paid only in periods the payee is assigned and the plan is in effect.
   * The engine hands an unassigned period zero earnings; a closed one keeps what it paid, uncorrected.
   */
  assigned?: readonly boolean[];
  /** false: traces keep their numbers but arithmetic and explanation are left empty (bulk runs). Default true. */
  explain?: boolean;
};
export type LedgerLine = {
  id: string;
  kind: LineKind;
  component?: string;
  transaction?: number;
  amountMinor: number;
  trace: LineTrace;
  explanation: string;
};
export type LedgerTotals = {
  earnings: number;
  adjustments: number;
  clawbacks: number;
  draw: number;
  drawRecovered: number;
  held: number;
  released: number;
  payable: number;
  balanceCarried: number;
  /** Of balanceCarried, the recoverable draw still owed (the rest is a negative balance owed). */
  drawOwed: number;
};
export type LedgerPeriodResult = { lines: LedgerLine[]; totals: LedgerTotals };

type Text = { arithmetic: string; explanation: string };
const NO_TEXT: Text = { arithmetic: '', explanation: '' };

/** Index of the period containing `day`, or -1. Periods are sorted and disjoint. */
export function periodIndexOfDay(periods: readonly LedgerPeriod[], day: number): number {
  let lo = 0;
  let hi = periods.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = periods[mid]!;
    if (day < p.firstDay) hi = mid - 1;
    else if (day > p.lastDay) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/**
 * What one deal earned for this payee, per period (deals with earnings lines, or carried from before
 * the first period), and what it earned and still held before the first period.
 */
type DealState = {
  index: number;
  earnedByPeriod: number[];
  earnedBefore: number;
  heldBefore: number;
  earnedBeforeIn: readonly PeriodLabel[];
  tx?: LedgerTransaction;
};

/** One payee's ledger over the periods: the ledger lines and the totals of each period. */
export function applyLedger(input: LedgerInput): LedgerPeriodResult[] {
  const { plan, periods } = input;
  const n = periods.length;
  const m: LedgerMoney = { digits: input.digits, currency: input.currency };
  const explain = input.explain !== false;
  const text = (build: () => Text): Text => (explain ? build() : NO_TEXT);
  const lines: LedgerLine[][] = Array.from({ length: n }, () => []);
  const earned = new Array<number>(n).fill(0);
  for (let p = 0; p < n; p++) {
    const list = input.earnings[p] ?? [];
    let sum = 0;
    for (const line of list) sum += line.amountMinor;
    earned[p] = sum;
  }

  // 1. Locked periods keep what they paid; the difference goes to the first open period.
  const lockedAt = new Map<number, LedgerInput['locked'][number]>();
  for (const l of input.locked) if (l.periodIndex >= 0 && l.periodIndex < n) lockedAt.set(l.periodIndex, l);
  const effectiveEarnings = earned.slice();
  const priorAdjustments = new Array<number>(n).fill(0);
  for (const [p, locked] of [...lockedAt].sort((a, b) => a[0] - b[0])) {
    effectiveEarnings[p] = locked.earningsMinor;
    // A period the payee is not assigned to this plan pays nothing under it (its earnings here are
    // zero): what it paid when it closed stands, and there is nothing recomputed to correct it by.
    if (input.assigned?.[p] === false) continue;
    const difference = earned[p]! - locked.earningsMinor;
    if (difference === 0) continue;
    let open = p + 1;
    while (open < n && lockedAt.has(open)) open++;
    if (open >= n) continue; // no open period in this run to carry the difference to
    const changes = explain ? lineChanges(input.earnings[p] ?? [], locked.lines) : [];
    const label = periods[p]!.label;
    const t = text(() =>
      explainPriorPeriod(m, {
        period: label,
        recomputedMinor: earned[p]!,
        lockedMinor: locked.earningsMinor,
        changes,
      }),
    );
    priorAdjustments[open] = priorAdjustments[open]! + difference;
    lines[open]!.push({
      id: `prior_period_adjustment:${label}`,
      kind: 'prior_period_adjustment',
      amountMinor: difference,
      trace: {
        rule: 'prior_period_adjustment',
        arithmetic: t.arithmetic,
        details: {
          period: label,
          recalculated: decimal(m, earned[p]!),
          locked: decimal(m, locked.earningsMinor),
          ...(changes.length > 0
            ? {
                lines: changes
                  .map(
                    (c) =>
                      `${c.lineId}: ${c.beforeMinor === undefined ? '—' : decimal(m, c.beforeMinor)} → ${c.afterMinor === undefined ? '—' : decimal(m, c.afterMinor)}`,
                  )
                  .join('; '),
              }
            : {}),
        },
      },
      explanation: t.explanation,
    });
  }

  // 2. Adjustments.
  const adjustmentTotals = new Array<number>(n).fill(0);
  for (const a of input.adjustments) {
    if (a.periodIndex < 0 || a.periodIndex >= n) continue;
    adjustmentTotals[a.periodIndex] = adjustmentTotals[a.periodIndex]! + a.amountMinor;
    const t = text(() => explainAdjustment(m, a));
    lines[a.periodIndex]!.push({
      id: `adjustment:${a.id}`,
      kind: 'adjustment',
      amountMinor: a.amountMinor,
      trace: {
        rule: 'adjustment',
        arithmetic: t.arithmetic,
        details: { reason: a.reason, approver: a.approver, adjustment: a.id },
      },
      explanation: t.explanation,
    });
  }

  const clawbackTotals = new Array<number>(n).fill(0);
  const heldTotals = new Array<number>(n).fill(0);
  const releasedTotals = new Array<number>(n).fill(0);
  if (plan.clawback || plan.hold) {
    const deals = dealsOf(input);
    // 3. Clawbacks (they also end any hold on the deal).
    const cancelPeriod = new Map<number, number>();
    if (plan.clawback) {
      const { window_days: windowDays, method } = plan.clawback;
      for (const deal of deals) {
        const tx = (deal.tx ??= input.transaction(deal.index));
        if (tx.cancelledDay === undefined) continue;
        const c = periodIndexOfDay(periods, tx.cancelledDay);
        if (c < 0) continue;
        const elapsedDays = Math.max(0, tx.cancelledDay - tx.day);
        if (elapsedDays > windowDays) continue;
        let paid = deal.earnedBefore;
        const paidIn: string[] = deal.earnedBefore !== 0 ? [...deal.earnedBeforeIn] : [];
        for (let p = 0; p <= c; p++) {
          const e = deal.earnedByPeriod[p]!;
          if (e === 0) continue;
          paid += e;
          paidIn.push(periods[p]!.label);
        }
        cancelPeriod.set(deal.index, c);
        if (paid <= 0) continue;
        const remainingDays = windowDays - elapsedDays;
        const clawed = method === 'full' ? paid : mulDivHalfEven(paid, [remainingDays], BigInt(windowDays));
        if (clawed === 0) continue;
        clawbackTotals[c] = clawbackTotals[c]! - clawed;
        const t = text(() =>
          explainClawback(m, {
            dealName: tx.name,
            dealDate: fromDayNumber(tx.day),
            cancelledOn: fromDayNumber(tx.cancelledDay!),
            elapsedDays,
            windowDays,
            method,
            paidMinor: paid,
            clawedMinor: clawed,
            paidIn,
          }),
        );
        lines[c]!.push({
          id: `clawback:${tx.id}`,
          kind: 'clawback',
          transaction: deal.index,
          amountMinor: -clawed,
          trace: {
            rule: 'clawback',
            arithmetic: t.arithmetic,
            details: {
              deal: tx.name,
              method,
              window_days: String(windowDays),
              elapsed_days: String(elapsedDays),
              deal_date: fromDayNumber(tx.day),
              cancelled_on: fromDayNumber(tx.cancelledDay),
              paid: decimal(m, paid),
              paid_in: paidIn.join(', '),
              attainment: plan.clawback.attainment,
            },
          },
          explanation: t.explanation,
        });
      }
    }
    // 4. Holds and releases.
    if (plan.hold) {
      const push = (p: number, line: LedgerLine) => {
        lines[p]!.push(line);
        if (line.kind === 'hold') heldTotals[p] = heldTotals[p]! - line.amountMinor;
        else releasedTotals[p] = releasedTotals[p]! + line.amountMinor;
      };
      for (const deal of deals) {
        const tx = (deal.tx ??= input.transaction(deal.index));
        if (plan.hold.until === 'collected') holdUntilCollected(deal, tx, cancelPeriod.get(deal.index), push);
        else holdForDays(deal, tx, plan.hold.days, cancelPeriod.get(deal.index), push);
      }
    }
  }

  // 5–7. Draw, recovery, payable and balances, period by period.
  const draw = plan.draw;
  const drawAmount = draw ? decimalMinor(draw.amount, input.digits) : 0;
  const drawUntil = draw?.until !== undefined ? toDayNumber(draw.until) : undefined;
  // A draw is owed only in the periods the plan pays the payee: in effect (effective_to is the
  // first day it no longer applies) and assigned. Earlier months of the year are computed only as
  // the context of year-to-date measures: no draw accrues in them.
  const effectiveFrom = toDayNumber(plan.effective_from);
  const effectiveTo = plan.effective_to !== undefined ? toDayNumber(plan.effective_to) : Infinity;
  const drawApplies = (p: number): boolean => {
    const period = periods[p]!;
    return (
      (drawUntil === undefined || period.firstDay <= drawUntil) &&
      period.lastDay >= effectiveFrom &&
      period.firstDay < effectiveTo &&
      input.assigned?.[p] !== false
    );
  };
  const minNetPay = draw ? decimalMinor(draw.recovery.min_net_pay, input.digits) : 0;
  // A draw owed from before the first period under a plan without a recoverable draw (the payee
  // moved plans at the year's end) is a balance owed like any other: nothing here would recover it.
  const openingDraw = input.opening?.drawOwedMinor ?? 0;
  const recoversDraw = draw?.kind === 'recoverable';
  let drawBalance = recoversDraw ? openingDraw : 0;
  // A balance owed from before the first period has already waited out the start delay.
  let firstAdvance = drawBalance > 0 ? -1 - (draw?.recovery.start_after_periods ?? 0) : undefined;
  let deficit = (input.opening?.balanceOwedMinor ?? 0) + (recoversDraw ? 0 : openingDraw);
  let deficitSince = input.opening?.balanceOwedSince ?? periods[0]?.label ?? '';
  const results: LedgerPeriodResult[] = [];
  for (let p = 0; p < n; p++) {
    const period = periods[p]!;
    const out = lines[p]!;
    const e = effectiveEarnings[p]! + priorAdjustments[p]!;
    // The draw and its recovery look at the earnings paid this period: held earnings are not
    // paid yet, released ones are (without holds this is the period's earnings).
    const paidEarnings = e - heldTotals[p]! + releasedTotals[p]!;
    let drawPaid = 0;
    if (draw && drawApplies(p) && paidEarnings < drawAmount) {
      drawPaid = drawAmount - paidEarnings;
      const recoverable = draw.kind === 'recoverable';
      if (recoverable) {
        drawBalance += drawPaid;
        firstAdvance ??= p;
      }
      const t = text(() =>
        explainDraw(m, {
          recoverable,
          earnedMinor: e,
          paidEarningsMinor: paidEarnings,
          drawMinor: drawAmount,
          topUpMinor: drawPaid,
          period: plan.period,
          balanceAfterMinor: drawBalance,
        }),
      );
      out.push({
        id: 'draw',
        kind: 'draw',
        amountMinor: drawPaid,
        trace: {
          rule: 'draw',
          arithmetic: t.arithmetic,
          details: {
            kind: draw.kind,
            draw: decimal(m, drawAmount),
            earned: decimal(m, e),
            ...(paidEarnings !== e ? { earnings_paid: decimal(m, paidEarnings) } : {}),
            ...(recoverable ? { balance_owed: decimal(m, drawBalance) } : {}),
          },
        },
        explanation: t.explanation,
      });
    }
    const pre =
      e + adjustmentTotals[p]! + clawbackTotals[p]! + drawPaid - heldTotals[p]! + releasedTotals[p]!;
    let recovered = 0;
    if (deficit > 0 && pre > 0) {
      const take = Math.min(deficit, pre);
      const before = deficit;
      deficit -= take;
      recovered += take;
      const since = deficitSince;
      const t = text(() =>
        explainBalanceRecovery(m, { recoveredMinor: take, balanceBeforeMinor: before, fromPeriod: since }),
      );
      out.push({
        id: 'balance_recovery',
        kind: 'draw_recovery',
        amountMinor: -take,
        trace: {
          rule: 'balance_recovery',
          arithmetic: t.arithmetic,
          details: { balance_before: decimal(m, before), carried_since: since },
        },
        explanation: t.explanation,
      });
    }
    if (
      draw?.kind === 'recoverable' &&
      drawBalance > 0 &&
      drawPaid === 0 &&
      firstAdvance !== undefined &&
      p > firstAdvance + draw.recovery.start_after_periods
    ) {
      const byShare = Math.max(0, applyPpm(paidEarnings, draw.recovery.max_share));
      const byFloor = Math.max(0, pre - recovered - minNetPay);
      const take = Math.min(drawBalance, byShare, byFloor);
      if (take > 0) {
        const limitedBy =
          take === drawBalance
            ? undefined
            : take === byShare
              ? ('max_share' as const)
              : ('min_net_pay' as const);
        const before = drawBalance;
        drawBalance -= take;
        recovered += take;
        const t = text(() =>
          explainDrawRecovery(m, {
            recoveredMinor: take,
            balanceBeforeMinor: before,
            earnedMinor: paidEarnings,
            limitedBy,
            maxShare: ppmToPercent(draw.recovery.max_share),
            minNetPayMinor: minNetPay,
          }),
        );
        out.push({
          id: 'draw_recovery',
          kind: 'draw_recovery',
          amountMinor: -take,
          trace: {
            rule: 'draw_recovery',
            arithmetic: t.arithmetic,
            details: {
              balance_before: decimal(m, before),
              max_share: ppmToPercent(draw.recovery.max_share),
              min_net_pay: decimal(m, minNetPay),
              start_after_periods: String(draw.recovery.start_after_periods),
              ...(limitedBy ? { limited_by: limitedBy } : {}),
            },
          },
          explanation: t.explanation,
        });
      }
    }
    const net = pre - recovered;
    if (net < 0) {
      if (deficit === 0) deficitSince = period.label;
      deficit -= net;
    }
    results.push({
      lines: out,
      totals: {
        earnings: e,
        adjustments: adjustmentTotals[p]!,
        clawbacks: clawbackTotals[p]!,
        draw: drawPaid,
        drawRecovered: recovered,
        held: heldTotals[p]!,
        released: releasedTotals[p]!,
        payable: Math.max(0, net),
        balanceCarried: drawBalance + deficit,
        drawOwed: drawBalance,
      },
    });
  }
  return results;

  // -- holds ------------------------------------------------------------------------------------

  /** Pay in proportion to cash collected: outstanding held = earned × (1 − collected / amount), cumulatively. */
  function holdUntilCollected(
    deal: DealState,
    tx: LedgerTransaction,
    cancelledAt: number | undefined,
    push: (p: number, line: LedgerLine) => void,
  ): void {
    if (tx.amountMinor <= 0) return;
    const collections = tx.collections.slice().sort((a, b) => a.day - b.day);
    let k = 0;
    let collected = 0;
    // Pay from before the first period counts as earned, and what of it is still held is held.
    let earnedCum = deal.earnedBefore;
    let heldPrev = deal.heldBefore;
    const payableOf = (earnedMinor: number, collectedMinor: number) =>
      earnedMinor <= 0
        ? earnedMinor
        : mulDivHalfEven(earnedMinor, [Math.min(collectedMinor, tx.amountMinor)], BigInt(tx.amountMinor));
    for (let p = 0; p < n; p++) {
      const last = periods[p]!.lastDay;
      while (k < collections.length && collections[k]!.day <= last)
        collected += collections[k++]!.amountMinor;
      const e = deal.earnedByPeriod[p]!;
      if (cancelledAt !== undefined && p >= cancelledAt) {
        if (p === cancelledAt && heldPrev > 0) {
          const released = heldPrev;
          const t = text(() => explainReleaseCancelled(m, { dealName: tx.name, releasedMinor: released }));
          push(p, releaseLine(tx, deal.index, released, t, { reason: 'cancelled' }));
          heldPrev = 0;
        }
        continue;
      }
      const earnedPrev = earnedCum;
      earnedCum += e;
      if (earnedPrev === 0 && e === 0 && heldPrev === 0) continue;
      // Held on the earlier earnings after this period's collections, then on everything. This
      // period's earnings add a hold; whatever is held beyond what the cash now allows is released
      // (so a release never exceeds what was held, even when the earlier pay was not held as this
      // plan would hold it, or a refund lowers the cash collected).
      const oldHeld = Math.max(0, earnedPrev - payableOf(earnedPrev, collected));
      const newHeld = Math.max(0, earnedCum - payableOf(earnedCum, collected));
      const hold = Math.max(0, newHeld - oldHeld);
      const release = Math.max(0, heldPrev + hold - newHeld);
      const heldNow = heldPrev + hold - release;
      const shownCollected = Math.min(collected, tx.amountMinor);
      if (hold > 0) {
        const held = hold;
        const t = text(() =>
          explainHoldCollected(m, {
            dealName: tx.name,
            earnedMinor: earnedCum,
            heldMinor: held,
            heldBeforeMinor: oldHeld,
            heldNowMinor: newHeld,
            collectedMinor: shownCollected,
            dealAmountMinor: tx.amountMinor,
          }),
        );
        push(
          p,
          holdLine(tx, deal.index, held, t, {
            collected: decimal(m, shownCollected),
            deal_amount: decimal(m, tx.amountMinor),
            earned_to_date: decimal(m, earnedCum),
          }),
        );
      }
      if (release > 0) {
        const released = release;
        const t = text(() =>
          explainReleaseCollected(m, {
            dealName: tx.name,
            releasedMinor: released,
            heldBeforeMinor: heldPrev,
            collectedMinor: shownCollected,
            dealAmountMinor: tx.amountMinor,
            stillHeldMinor: heldNow,
          }),
        );
        push(
          p,
          releaseLine(tx, deal.index, released, t, {
            collected: decimal(m, shownCollected),
            deal_amount: decimal(m, tx.amountMinor),
            still_held: decimal(m, heldNow),
          }),
        );
      }
      heldPrev = heldNow;
    }
  }

  /** Pay N days after the deal's day: earnings of a period whose release day falls in a later period are held until then. */
  function holdForDays(
    deal: DealState,
    tx: LedgerTransaction,
    days: number,
    cancelledAt: number | undefined,
    push: (p: number, line: LedgerLine) => void,
  ): void {
    const releaseDay = tx.day + days;
    const releaseAt = periodIndexOfDay(periods, releaseDay);
    const releaseOn = fromDayNumber(releaseDay);
    let outstanding = deal.heldBefore;
    for (let p = 0; p < n; p++) {
      if (cancelledAt !== undefined && p >= cancelledAt) {
        if (p === cancelledAt && outstanding > 0) {
          const released = outstanding;
          const t = text(() => explainReleaseCancelled(m, { dealName: tx.name, releasedMinor: released }));
          push(p, releaseLine(tx, deal.index, released, t, { reason: 'cancelled' }));
          outstanding = 0;
        }
        continue;
      }
      const afterRelease = releaseDay <= periods[p]!.lastDay;
      if (afterRelease && outstanding > 0) {
        const released = outstanding;
        const t = text(() =>
          explainReleaseDays(m, { dealName: tx.name, days, releasedMinor: released, releaseOn }),
        );
        push(p, releaseLine(tx, deal.index, released, t, { release_on: releaseOn, days: String(days) }));
        outstanding = 0;
      }
      const e = deal.earnedByPeriod[p]!;
      if (!afterRelease && e > 0) {
        outstanding += e;
        const t = text(() =>
          explainHoldDays(m, {
            dealName: tx.name,
            dealDate: fromDayNumber(tx.day),
            days,
            heldMinor: e,
            releaseOn,
          }),
        );
        push(
          p,
          holdLine(tx, deal.index, e, t, {
            release_on: releaseOn,
            days: String(days),
            release_period: releaseAt >= 0 ? periods[releaseAt]!.label : 'after the last period computed',
          }),
        );
      }
    }
  }

  function holdLine(
    tx: LedgerTransaction,
    index: number,
    heldMinor: number,
    t: Text,
    details: Record<string, string>,
  ): LedgerLine {
    return {
      id: `hold:${tx.id}`,
      kind: 'hold',
      transaction: index,
      amountMinor: -heldMinor,
      trace: {
        rule: 'hold',
        arithmetic: t.arithmetic,
        details: { deal: tx.name, until: plan.hold!.until, ...details },
      },
      explanation: t.explanation,
    };
  }

  function releaseLine(
    tx: LedgerTransaction,
    index: number,
    releasedMinor: number,
    t: Text,
    details: Record<string, string>,
  ): LedgerLine {
    return {
      id: `release:${tx.id}`,
      kind: 'release',
      transaction: index,
      amountMinor: releasedMinor,
      trace: {
        rule: 'release',
        arithmetic: t.arithmetic,
        details: { deal: tx.name, until: plan.hold!.until, ...details },
      },
      explanation: t.explanation,
    };
  }
}

/** The deals this payee earned on, with their earnings per period, in order of transaction index. */
function dealsOf(input: LedgerInput): DealState[] {
  const n = input.periods.length;
  const byIndex = new Map<number, DealState>();
  for (let p = 0; p < n; p++) {
    for (const line of input.earnings[p] ?? []) {
      if (line.transaction === undefined) continue;
      let deal = byIndex.get(line.transaction);
      if (!deal) byIndex.set(line.transaction, (deal = newDeal(line.transaction, n)));
      deal.earnedByPeriod[p] = deal.earnedByPeriod[p]! + line.amountMinor;
    }
  }
  for (const c of input.carried ?? []) {
    let deal = byIndex.get(c.transaction);
    if (!deal) byIndex.set(c.transaction, (deal = newDeal(c.transaction, n)));
    deal.earnedBefore += c.earnedMinor;
    deal.heldBefore += c.heldMinor;
    deal.earnedBeforeIn = [...deal.earnedBeforeIn, ...c.periods];
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

function newDeal(index: number, periods: number): DealState {
  return {
    index,
    earnedByPeriod: new Array<number>(periods).fill(0),
    earnedBefore: 0,
    heldBefore: 0,
    earnedBeforeIn: [],
  };
}

/** Which earnings lines of a closed period differ from what it paid, by line id. */
function lineChanges(
  recomputed: readonly LedgerEarning[],
  locked: Record<string, number> | undefined,
): { lineId: string; beforeMinor?: number; afterMinor?: number }[] {
  if (!locked) return [];
  const now = new Map<string, number>();
  for (const line of recomputed) now.set(line.lineId, (now.get(line.lineId) ?? 0) + line.amountMinor);
  const changes: { lineId: string; beforeMinor?: number; afterMinor?: number }[] = [];
  for (const [lineId, afterMinor] of now) {
    const beforeMinor = locked[lineId];
    if (beforeMinor === undefined) changes.push({ lineId, afterMinor });
    else if (beforeMinor !== afterMinor) changes.push({ lineId, beforeMinor, afterMinor });
  }
  for (const [lineId, beforeMinor] of Object.entries(locked))
    if (!now.has(lineId)) changes.push({ lineId, beforeMinor });
  return changes.sort((a, b) => (a.lineId < b.lineId ? -1 : a.lineId > b.lineId ? 1 : 0));
}

/** Plan money (decimal text) in minor units; more decimals than the currency has are rounded half to even, once. */
function decimalMinor(text: string, digits: number): number {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const kept = fraction.padEnd(digits, '0');
  const value = Number(divideHalfEvenBig(BigInt(whole + kept), 10n ** BigInt(kept.length - digits)));
  return negative ? -value : value;
}
